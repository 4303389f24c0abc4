import { verify } from "../lib/jwt";

// `env.DB` is the D1 binding from wrangler's configuration, not a variable:
// code scanning leaves `env.DB.prepare(…)` alone. JWT_SECRET is a runtime
// secret (runbook 004 §2 "Required runtime secrets").
export const onRequestGet: PagesFunction<Env> = async ({ request, env }) => {
  const user = await verify(request, env.JWT_SECRET);
  if (!user) return new Response("unauthorized", { status: 401 });
  const { results } = await env.DB.prepare("select * from trips where rider_id = ?")
    .bind(user.id)
    .all();
  return Response.json(results);
};
