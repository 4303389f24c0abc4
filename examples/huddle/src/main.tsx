import * as Sentry from "@sentry/react";
import { createRoot } from "react-dom/client";
import { HazardMap } from "./components/HazardMap";
import { missingEnv } from "./lib/env";

// runbook 000 §6 "Sentry for frontend + edge function exceptions". The DSN
// is required in the deployed environments only (envctl.yaml `required`),
// so reading it here is fine where a developer's machine has none.
Sentry.init({
  dsn: import.meta.env.VITE_SENTRY_DSN,
  environment: import.meta.env.MODE,
  enabled: import.meta.env.PROD,
});

const missing = missingEnv();
if (missing.length > 0) {
  console.warn(`huddle: missing ${missing.join(", ")}; the affected features are off`);
}

createRoot(document.getElementById("root")!).render(<HazardMap center={[-0.1276, 51.5072]} />);
