// Next.js runs register() once per server start. runbook 003 §11
// "Restart staging environment … Refresh cache & seeds": staging reseeds on
// deploy; production never does (envctl.yaml `forbid: SEED_ON_DEPLOY`).
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.SEED_ON_DEPLOY === "true") {
    const { seedCatalog } = await import("./seed");
    await seedCatalog();
  }
}
