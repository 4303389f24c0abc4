// The frontend's environment, read in one place (runbook 000 §2.1
// "Required Frontend Vars"). No endpoint is written into the code: §2.3 "No
// hardcoded localhost API/WS in `src/`" and §9's "localhost hardcode scan"
// are `envctl validate` (rule hardcoded-localhost), and a read that no
// environment provides is rule undeclared-variable.
export const API_URL: string | undefined = import.meta.env.VITE_API_URL;
export const WS_URL: string | undefined = import.meta.env.VITE_WS_URL;
export const SUPABASE_URL: string | undefined = import.meta.env.VITE_SUPABASE_URL;
export const SUPABASE_ANON_KEY: string | undefined = import.meta.env.VITE_SUPABASE_ANON_KEY;

// §2.3 "Missing env must degrade gracefully (warn + fail-safe UX)".
export function missingEnv(): string[] {
  const all = { API_URL, WS_URL, SUPABASE_URL, SUPABASE_ANON_KEY };
  return Object.entries(all)
    .filter(([, value]) => !value)
    .map(([name]) => name);
}
