//! Names frameworks give meaning to, as data: what code may read without
//! anyone declaring it, what a project may declare without code reading
//! it, and where an app's frontend code lives. What a platform injects
//! itself is the platform's (`Traits::code`).

use super::Access;

/// Folders that hold a web app's code (Vite's `src/`, Next.js's `app/`
/// and `pages/`, shared `lib/` and `components/`): what a target that
/// receives browser-prefixed variables (`VITE_*`, `NEXT_PUBLIC_*`) serves
/// unless its `code:` says otherwise.
pub const FRONTEND_FOLDERS: &[&str] = &["src", "app", "pages", "lib", "components"];

/// Whether `name`, read through `access`, is set by the framework or the
/// runtime itself: never undeclared.
///
/// - Vite: `MODE`, `BASE_URL`, `PROD`, `DEV`, `SSR`
///   (vite.dev/guide/env-and-mode, "Built-in constants");
/// - Astro adds `SITE` and `ASSETS_PREFIX` (docs.astro.build,
///   "Default environment variables");
/// - Node and Next.js: `NODE_ENV` (set by `next dev|build|start`, and
///   replaced by Vite too), `NEXT_RUNTIME` (nextjs.org, "Edge and Node.js
///   Runtimes").
pub fn builtin(access: Access, name: &str) -> bool {
    match access {
        Access::ImportMeta => matches!(
            name,
            "MODE" | "BASE_URL" | "PROD" | "DEV" | "SSR" | "SITE" | "ASSETS_PREFIX" | "NODE_ENV"
        ),
        Access::Process => matches!(name, "NODE_ENV" | "NEXT_RUNTIME"),
        Access::Deno | Access::Netlify | Access::Context => false,
    }
}

/// Names a project sets for its tools rather than its code: the build
/// reads them (Node's version and options, the package manager's flags,
/// the time zone, Next.js telemetry, Sentry's source-map upload), so
/// a target may receive them without any code reading them.
pub const FRAMEWORK_RESERVED: &[&str] = &[
    "NODE_ENV",
    "NODE_VERSION",
    "NODE_OPTIONS",
    "NPM_FLAGS",
    "YARN_VERSION",
    "PNPM_VERSION",
    "TZ",
    "CI",
    "NEXT_TELEMETRY_DISABLED",
    "SENTRY_AUTH_TOKEN",
    "SENTRY_ORG",
    "SENTRY_PROJECT",
];

/// Methods of the bindings a Pages Function's `env` also holds (a D1
/// database, a KV namespace, an R2 bucket, a service, a queue, a Durable
/// Object namespace, Workers AI): `env.DB.prepare(…)` uses a binding
/// declared in wrangler's configuration, not a variable.
pub(super) const BINDING_METHODS: &[&str] = &[
    "prepare",
    "batch",
    "exec",
    "dump",
    "withSession",
    "get",
    "getWithMetadata",
    "put",
    "list",
    "delete",
    "head",
    "createMultipartUpload",
    "resumeMultipartUpload",
    "fetch",
    "connect",
    "send",
    "sendBatch",
    "idFromName",
    "idFromString",
    "newUniqueId",
    "run",
    "query",
    "insert",
    "upsert",
    "writeDataPoint",
];
