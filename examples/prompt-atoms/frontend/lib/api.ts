// Every call to the backend goes through NEXT_PUBLIC_API_BASE_URL: https in
// the deployed environments (envctl.yaml `patterns`), never a hard-coded
// http://localhost:4000 (rule hardcoded-localhost).
const base = process.env.NEXT_PUBLIC_API_BASE_URL;

export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}${path}`, { ...init, credentials: "include" });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}
