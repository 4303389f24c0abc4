import { encrypt } from "../lib/crypto";
import { verify } from "../lib/jwt";

// Phone numbers are stored encrypted with ENCRYPTION_KEY (runbook 004 §2).
export async function onRequestPut(context: EventContext<Env, string, unknown>) {
  const { JWT_SECRET, ENCRYPTION_KEY } = context.env;
  const user = await verify(context.request, JWT_SECRET);
  if (!user) return new Response("unauthorized", { status: 401 });
  const { phone } = (await context.request.json()) as { phone: string };
  await context.env.DB.prepare("update users set phone_enc = ? where id = ?")
    .bind(await encrypt(phone, ENCRYPTION_KEY), user.id)
    .run();
  return new Response(null, { status: 204 });
}
