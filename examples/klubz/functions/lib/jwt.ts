// Session tokens: HMAC-SHA256 JWTs signed with the environment's
// JWT_SECRET, which each handler passes in.
export async function verify(request: Request, secret: string): Promise<{ id: string } | null> {
  const token = request.headers.get("authorization")?.replace(/^Bearer /, "");
  if (!token) return null;
  const [header, payload, signature] = token.split(".");
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const bytes = Uint8Array.from(atob(signature.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const ok = await crypto.subtle.verify("HMAC", key, bytes, new TextEncoder().encode(`${header}.${payload}`));
  return ok ? (JSON.parse(atob(payload)) as { id: string }) : null;
}
