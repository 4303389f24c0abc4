// runbook 000 §4 / legacy §9: purge test users on a developer machine.
//   node scripts/cleanup-users.mjs --dry-run
//   node scripts/cleanup-users.mjs
// Reads scripts/.env (written by `envctl apply local`); the service-role key
// never leaves this machine.
import { createClient } from "@supabase/supabase-js";

const { SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY } = process.env;
if (!SUPABASE_URL || !SUPABASE_SERVICE_ROLE_KEY) {
  console.error("run `envctl apply local` first: scripts/.env needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY");
  process.exit(1);
}

const dryRun = process.argv.includes("--dry-run");
const admin = createClient(SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY);
const { data } = await admin.auth.admin.listUsers();
const testUsers = data.users.filter((u) => u.email?.endsWith("@test.huddle.app"));
for (const user of testUsers) {
  console.log(`${dryRun ? "would delete" : "deleting"} ${user.email}`);
  if (!dryRun) await admin.auth.admin.deleteUser(user.id);
}
