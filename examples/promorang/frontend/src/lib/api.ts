import { createClient } from "@supabase/supabase-js";

// The Growth Hub frontend talks to the API and to Supabase through the
// environment only; runbook 001 §3 "Frontend Create form wired to
// production API" is `patterns: VITE_API_URL` in envctl.yaml, and a
// hard-coded http://localhost:3001 here would be rule hardcoded-localhost.
const API_URL = import.meta.env.VITE_API_URL;

export const supabase = createClient(
  import.meta.env.VITE_SUPABASE_URL,
  import.meta.env.VITE_SUPABASE_ANON_KEY,
);

export async function uploadImage(file: File): Promise<string> {
  const res = await fetch(`${API_URL}/content/upload-image`, {
    method: "POST",
    headers: { "x-file-name": file.name },
    body: file,
  });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status}`);
  const { url } = (await res.json()) as { url: string };
  return url;
}
