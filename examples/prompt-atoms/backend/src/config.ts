// The backend's environment (runbook 002 "Backend Deployment →
// Environment Variables"), read in one place. REDIS_URL and SENTRY_DSN are
// optional; the LLM key and the code-repo webhook secret follow
// LLM_PROVIDER and CODE_REPO_PROVIDER, as envctl.yaml's `required` says.
export const config = {
  appEnv: process.env.APP_ENV ?? "development",
  port: Number(process.env.PORT ?? 4000),
  supabaseUrl: process.env.SUPABASE_URL!,
  supabaseServiceRoleKey: process.env.SUPABASE_SERVICE_ROLE_KEY!,
  stripeSecretKey: process.env.STRIPE_SECRET_KEY!,
  stripeWebhookSecret: process.env.STRIPE_WEBHOOK_SECRET!,
  redisUrl: process.env.REDIS_URL,
  sentryDsn: process.env.SENTRY_DSN,
};

export function llmKey(): string | undefined {
  switch (process.env.LLM_PROVIDER) {
    case "anthropic":
      return process.env.ANTHROPIC_API_KEY;
    default:
      return process.env.OPENAI_API_KEY;
  }
}

export function codeRepoWebhookSecret(): string | undefined {
  const { CODE_REPO_PROVIDER, CODE_REPO_WEBHOOK_SECRET } = process.env;
  return CODE_REPO_PROVIDER === "github" ? CODE_REPO_WEBHOOK_SECRET : undefined;
}
