import { createBrowserClient } from "@supabase/ssr";

// runbook 002 "Frontend Deployment → Environment Variables (Vercel)". Only
// NEXT_PUBLIC_ names reach the browser; the service-role key never has one
// (envctl.yaml `forbid`).
export const supabase = createBrowserClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL!,
  process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
);
