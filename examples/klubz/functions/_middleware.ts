// Runs before every Pages Function: CORS for the app's own origin, and the
// environment's name on each response (runbook 004 §3 `/health` checks
// read it). `context.env` holds the Pages project's variables and secrets.
export const onRequest: PagesFunction<Env> = async (context) => {
  const response = await context.next();
  response.headers.set("access-control-allow-origin", context.env.APP_URL);
  response.headers.set("x-klubz-environment", context.env.ENVIRONMENT);
  return response;
};
