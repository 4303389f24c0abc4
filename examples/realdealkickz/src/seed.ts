import { createClient } from "@supabase/supabase-js";
import { env } from "./config/env";

// Staging's catalog fixtures, loaded again on each deploy there.
export async function seedCatalog(): Promise<void> {
  const admin = createClient(env.NEXT_PUBLIC_SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY);
  await admin.from("products").upsert([{ sku: "AJ1-CHI-85", name: "Air Jordan 1 Chicago", price_cents: 1_250_000 }]);
}
