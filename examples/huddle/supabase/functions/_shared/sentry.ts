// runbook 000 §6 "Sentry for frontend + edge function exceptions": every
// function reports through here.
import * as Sentry from "npm:@sentry/deno@8";

const dsn = Deno.env.get("SENTRY_DSN");
if (dsn) {
  Sentry.init({ dsn, environment: Deno.env.get("SB_REGION") ? "deployed" : "local" });
}

export function report(error: unknown): void {
  if (dsn) Sentry.captureException(error);
  console.error(error);
}
