//! The command line's arguments: clap definitions only. What each command
//! does lives in [`super::commands`]; these types hold what was typed.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::schema::SchemaKind;

const EXAMPLES: &str = "\
Examples:
  envctl init                       start: envctl.yaml and environments/ from the app's folder
  envctl validate                   check every environment offline (CI on forks)
  envctl plan local                 show what would change in .env.local
  envctl plan prod --format markdown   the masked plan for a pull-request comment
  envctl apply local                make live match (asks first; --yes in CI)
  envctl drift                      nightly: exit 2 when live drifted from the YAML

Exit codes: 0 success, 1 error (also when output could not be written), 2 changes present (drift, diff, --detailed-exitcode), 3 refused by a rule.
Files: envctl.yaml and environments/<name>.yaml; see docs/configuration.md.";

/// Keeps environments honest: desired state in YAML, plan, apply, drift.
#[derive(Debug, Parser)]
#[command(name = "envctl", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Run as if started in DIR (where envctl.yaml is).
    #[arg(long, short = 'C', global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// When to colour output; `auto` follows NO_COLOR and the terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Log each platform request to stderr (-vv: also retries). Never
    /// shows a token or a value. Same as ENVCTL_LOG=debug|trace.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`) for
    /// findings, so they show inline on the pull request; then the human view.
    Github,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start envctl in an existing app: envctl.yaml and
    /// environments/{local,staging,production}.yaml from what the folder shows.
    #[command(
        after_help = "Examples:\n  envctl init                 # then: envctl validate\n  envctl init --from-live     # also read staging's and production's live values (import)\n  envctl init --force         # write the four files again over the existing ones\n\nReads package.json (Vite, Next.js, SvelteKit, Remix, Nuxt, Astro), supabase/ (config.toml,\nfunctions/*, migrations/, .temp/project-ref), .vercel/project.json, vercel.json, netlify.toml,\n.netlify/state.json, wrangler.toml and the names in .env, .env.* and .env.example. Targets\nthe folder names are written; the others are left commented out with what to fill in. Browser-\nprefixed names are routed to the app's host; bypass flags (ALLOW_*, *_BYPASS, SKIP_*) default\nto \"false\" and are forbidden on in production. Secrets become references (env:NAME locally,\nenv:STAGING_NAME, env:PROD_NAME): no secret value is copied from a .env file. Adds .envctl/\nto .gitignore. Refuses (exit 1) while any of the four files exists, unless --force."
    )]
    Init(InitArgs),
    /// Offline: parse, schema, semantics and rules on the desired state.
    #[command(
        after_help = "Examples:\n  envctl validate\n  envctl validate production staging\n\nExit 0 when valid, 1 on a bad file, 3 when a rule refuses. Reads no secret and no network."
    )]
    Validate {
        /// Environments to check (default: all).
        envs: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Read live state and show what apply would change.
    #[command(
        after_help = "Examples:\n  envctl plan local\n  envctl plan prod --format markdown > plan.md\n  envctl plan staging --detailed-exitcode   # exit 2 when there are changes"
    )]
    Plan(PlanArgs),
    /// Make live match the desired state (asks for confirmation).
    #[command(
        after_help = "Examples:\n  envctl apply local\n  envctl apply staging --yes\n  envctl apply prod --allow-delete   # prune in a protected environment\n  envctl plan prod --out prod.plan && envctl apply prod.plan   # apply what was reviewed"
    )]
    Apply {
        /// Environment name or alias, or a plan file saved by `plan --out`
        /// (applied as reviewed, without asking, if nothing changed since).
        target: String,
        /// Do not ask; required when there is no terminal.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Allow deletes in a protected environment.
        #[arg(long)]
        allow_delete: bool,
        /// After changing a target whose deployments are built with the
        /// values, rebuild its latest deployment so it runs with the new
        /// ones, and say which: Vercel production, a `preview` target's
        /// `git_branch` or a custom environment (its latest deployment,
        /// redeployed); Cloudflare Pages (the environment's latest
        /// deployment, retried); Netlify production (a new build of the
        /// production branch). Targets it cannot rebuild (every branch's
        /// preview) are named, with why.
        #[arg(long)]
        redeploy: bool,
        /// Also apply pending migration files first: to the environment's
        /// database (`migrations.database_url`), each file run and recorded
        /// as the Supabase CLI does; to a Cloudflare target's D1 database,
        /// as `wrangler d1 migrations apply --remote` does. Migrations
        /// another runner keeps (`migrations.history`) are not applied:
        /// its command is named.
        #[arg(long)]
        migrations: bool,
        /// Show the plan (and with --migrations the files that would run);
        /// write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write every secret whose live value cannot be known (a
        /// Vercel `sensitive` value made by hand, a Cloudflare
        /// `secret_text` or GitHub Actions secret envctl has no record
        /// of), and record on the platform how to verify it from then on.
        #[arg(long)]
        adopt: bool,
        /// Where the audit entries of what was written go: `file`
        /// (envctl.yaml's `audit.path`, default `.envctl/audit.jsonl`),
        /// `stdout` (JSON lines after the report; also the GitHub Actions
        /// step summary) or `off`. Default: `off` with `audit.enabled: false`, else `stdout` when CI=true (or 1), else `file`.
        #[arg(long, value_enum, value_name = "WHERE")]
        audit: Option<crate::audit::Wanted>,
    },
    /// Plan every deployed environment (or those named) at once; exit 2 on any drift.
    #[command(
        after_help = "Examples:\n  envctl drift\n  envctl drift production --format json\n  envctl drift --strict           # unverifiable secrets in protected environments are drift\n\nExit 0 in sync, 2 drift, 3 a protected environment breaks a rule, 1 error (an unreadable environment is an error, never \"in sync\")."
    )]
    Drift {
        /// Environments (default: every one not marked `local`, since a
        /// developer's dotenv files are not on a CI runner).
        envs: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) when a secret cannot be resolved, instead of
        /// reporting its target as "cannot be verified".
        #[arg(long)]
        require_secrets: bool,
        /// Also exit 2 while anything in a protected environment cannot be
        /// verified: a secret whose live value is unknown and that envctl
        /// has no record of writing (`apply --adopt` makes it verifiable),
        /// or one that cannot be resolved.
        #[arg(long)]
        strict: bool,
    },
    /// Compare two environments' desired state (keys, masked values, functions, head).
    #[command(
        after_help = "Examples:\n  envctl diff staging production          # the promotion check; exit 2 when they differ\n  envctl diff staging production --live   # also what is live, target by target\n\nSecrets are resolved on both sides (env:, file:, keyring, command) and compared by the\nSHA-256 of their values: \"same value\", \"different value\" or \"cannot resolve\" (exit 2);\nno value and no digest is shown. A secret that is the same in both under different\nreferences gets an \"=\" line and does not count as a difference."
    )]
    Diff {
        env_a: String,
        env_b: String,
        /// Also read both environments' live state and compare it, for
        /// targets of the same name.
        #[arg(long)]
        live: bool,
    },
    /// Print the .env.example a developer needs: what the environment's
    /// dotenv files receive, secrets left empty.
    #[command(
        after_help = "Examples:\n  envctl example                    # local's files, on standard output\n  envctl example local --write      # write .env.example next to envctl.yaml (says what changed)\n  envctl example --check            # CI: exit 2 when the committed .env.example is out of date\n  envctl example dev --write config/.env.example\n\nOne section per dotenv target of ENV, headed by the file it stands for. Plain values\nare written as declared; every secret is `NAME=` under a comment naming its source\n(`# secret: from env STRIPE_TEST_SECRET_KEY`). No secret is resolved, so no value can\nappear. Exit 0 (with --check: the file matches), 2 the file differs, 1 error."
    )]
    Example(ExampleArgs),
    /// Print the JSON Schemas of envctl.yaml and environment files.
    #[command(
        after_help = "Examples:\n  envctl schema environment\n  envctl schema --write schemas   # regenerate the committed files"
    )]
    Schema {
        /// Which schema (default: both, as one JSON object keyed by file name).
        #[arg(value_enum)]
        kind: Option<SchemaKind>,
        /// Write each schema as a file into DIR instead of printing.
        #[arg(long, value_name = "DIR")]
        write: Option<PathBuf>,
    },
    /// Replace a secret's value everywhere it goes, in one plan.
    #[command(
        after_help = "Examples:\n  envctl rotate production JWT_SECRET --generate\n  envctl rotate staging STRIPE_SECRET_KEY --stdin < new-key.txt\n  envctl rotate production SESSION_KEY --generate 64 --yes --redeploy\n\nThe new value is stored in the secret's source when envctl can write it\n(`keyring`, `file:`); for `env:` and `command` sources envctl says where to\nput it. Only NAME's changes are planned and applied."
    )]
    Rotate(RotateArgs),
    /// Write environments/<ENV>.yaml from what is live now.
    #[command(
        after_help = "Examples:\n  envctl import staging --from supabase:abcdefghijklmnopqrst --from vercel:my-app:preview\n  envctl import production --force --to-keyring   # re-import, targets as declared\n\nPlain values are written inline; secrets become references (`env:NAME`, or\n`keyring` with --to-keyring for values envctl can read). Values a platform\nkeeps write-only are marked as needing a value. Never writes a secret's\nplaintext into YAML. Edge Functions, the migration head, Auth URLs and\nbuckets come along from a Supabase target. In a folder without envctl.yaml,\nimport creates it and environments/ first (never over an existing file)."
    )]
    Import(ImportArgs),
    /// Store, check, list or remove a secret in the OS keychain (`keyring`
    /// references); list the secret sources an environment needs.
    #[command(
        after_help = "Examples:\n  envctl secret set staging STRIPE_SECRET_KEY          # asks without echo\n  pass show stripe | envctl secret set staging STRIPE_SECRET_KEY --stdin\n  envctl secret get staging STRIPE_SECRET_KEY          # stored? where, and its fingerprint\n  envctl secret get staging STRIPE_SECRET_KEY --reveal\n  envctl secret list staging                           # names and stores, no values\n  envctl secret rm staging STRIPE_SECRET_KEY\n  envctl secret sources production --format github    # the env: block CI needs\n\nEntries: service `envctl`, account `<project>/<environment>/<NAME>`. On Linux the\nSecret Service (GNOME Keyring, KWallet, KeePassXC) when the session bus offers it, else\nthe kernel keyring (keyutils), which does not survive a reboot; get, rm and plan look\nin both. --store (or ENVCTL_KEYCHAIN) picks one: secret-service or keyutils."
    )]
    Secret {
        #[command(subcommand)]
        action: SecretAction,
    },
    /// Store a platform API token in the OS keychain (used when the token
    /// variable is not set).
    #[command(
        after_help = "Examples:\n  envctl login supabase\n  printf %s \"$TOKEN\" | envctl login vercel --stdin\n\nThe variable (SUPABASE_ACCESS_TOKEN, VERCEL_TOKEN, CLOUDFLARE_API_TOKEN, GITHUB_TOKEN or GH_TOKEN, NETLIFY_AUTH_TOKEN) wins when set, as in CI."
    )]
    Login {
        #[arg(value_parser = login_platforms())]
        platform: String,
        /// Read the token from standard input instead of a prompt.
        #[arg(long)]
        stdin: bool,
    },
    /// Print a shell completion script for envctl.
    #[command(
        after_help = "Examples:\n  envctl completions bash > ~/.local/share/bash-completion/completions/envctl\n  envctl completions zsh > ~/.zfunc/_envctl        # with fpath+=(~/.zfunc) before compinit\n  envctl completions fish > ~/.config/fish/completions/envctl.fish\n  envctl completions powershell >> $PROFILE"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print envctl's manual page (roff), or write one page per command.
    #[command(
        after_help = "Examples:\n  envctl man > envctl.1 && man ./envctl.1\n  envctl man --out /usr/local/share/man/man1   # envctl.1, envctl-plan.1, …"
    )]
    Man {
        /// Write envctl.1 and a page per command (envctl-plan.1, …) into DIR.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// The platforms `envctl login` takes, as they register their logins.
fn login_platforms() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::provider::LOGINS.iter().map(|l| l.platform))
}

#[derive(Debug, Subcommand)]
pub enum SecretAction {
    /// Store a value, read from a prompt without echo or from --stdin
    /// (never from an argument, which shell history and `ps` would keep).
    /// It replaces the value in the store that holds it, else goes to the
    /// preferred store.
    Set {
        env: String,
        name: String,
        /// Read the value from standard input (one trailing newline dropped).
        #[arg(long)]
        stdin: bool,
        /// The store to write to: secret-service or keyutils (Linux).
        #[arg(long, value_name = "STORE")]
        store: Option<String>,
    },
    /// Say whether a value is stored, where, with its fingerprint; the
    /// value itself only with --reveal.
    Get {
        env: String,
        name: String,
        /// Print the value to standard output.
        #[arg(long)]
        reveal: bool,
        /// Look in this store only: secret-service or keyutils (Linux).
        #[arg(long, value_name = "STORE")]
        store: Option<String>,
    },
    /// Remove a stored value (from every store that holds it, or --store).
    Rm {
        env: String,
        name: String,
        /// Remove it from this store only: secret-service or keyutils (Linux).
        #[arg(long, value_name = "STORE")]
        store: Option<String>,
    },
    /// The names an environment has in the keychain, each with its store;
    /// never a value.
    List { env: String },
    /// List the secret sources ENV needs (and the platform tokens its
    /// targets need): name, kind, source, and whether it can be found now.
    /// Nothing is resolved or printed but names.
    #[command(
        after_help = "Examples:\n  envctl secret sources production\n  envctl secret sources production --check          # exit 2 while one is missing\n  envctl secret sources production --format github  # the env: block of a workflow step\n\nStatus: env: `set` or `missing` (unset or empty); file: `present` or `missing`; keyring:\n`stored`, `missing` or `keychain unavailable` (asked without reading the value); command:\n`not checked` (never run; only the program is shown); token: `set`, `stored` (keychain) or\n`missing`. Exit 0; with --check, 2 when anything is missing."
    )]
    Sources(SourcesArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite envctl.yaml and environments/{local,staging,production}.yaml.
    #[arg(long)]
    pub force: bool,
    /// Then fill staging and production from their live targets (as
    /// `envctl import ENV --force` does) where the folder names them.
    #[arg(long)]
    pub from_live: bool,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Environment name or alias.
    pub env: String,
    #[arg(long, value_enum, default_value_t = SourcesFormat::Text)]
    pub format: SourcesFormat,
    /// Exit 2 when a source is missing (command sources are not checked).
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourcesFormat {
    Text,
    Json,
    /// A workflow step's `env:` block: each `env:` source and token as
    /// `${{ secrets.NAME }}`; other kinds as comments.
    Github,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Environment name or alias.
    pub env: String,
    /// The secret variable to rotate.
    pub name: String,
    /// Generate a random value of LEN characters (default 48) from the OS
    /// random generator, letters and digits only.
    #[arg(long, value_name = "LEN", num_args = 0..=1, default_missing_value = "48", conflicts_with = "stdin")]
    pub generate: Option<usize>,
    /// Read the new value from standard input.
    #[arg(long)]
    pub stdin: bool,
    /// Do not ask before applying.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Afterwards, rebuild the latest deployment of each changed target
    /// that builds values in (as `apply --redeploy` does) so it runs with
    /// the new value.
    #[arg(long)]
    pub redeploy: bool,
    /// Where the audit entries go, as for `apply --audit`: `file`,
    /// `stdout` or `off`. Default: `off` with `audit.enabled: false`, else `stdout` when CI=true (or 1), else `file`.
    #[arg(long, value_enum, value_name = "WHERE")]
    pub audit: Option<crate::audit::Wanted>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The environment to write (environments/<ENV>.yaml).
    pub env: String,
    /// A live target to read: `supabase:<project_ref>`,
    /// `vercel:<project>:<production|preview|development>[:<branch>]`,
    /// `cloudflare:<project>:<production|preview>`,
    /// `github:<owner>/<repo>[:<environment>]`,
    /// `netlify:<site>:<context>` (`production`, `deploy-preview`,
    /// `branch-deploy`, `dev` or `branch:<name>`), or `dotenv:<path>`.
    /// Repeat for several. Without it, the targets the existing file
    /// declares (needs --force).
    #[arg(long, value_name = "TARGET")]
    pub from: Vec<String>,
    /// Team id or slug for Vercel projects owned by a team; for Netlify,
    /// the account (team) slug.
    #[arg(long)]
    pub team: Option<String>,
    /// Overwrite an existing environment file.
    #[arg(long)]
    pub force: bool,
    /// Store values envctl can read and that look secret in the OS
    /// keychain, referenced as `keyring`.
    #[arg(long)]
    pub to_keyring: bool,
}

#[derive(Debug, Args)]
pub struct ExampleArgs {
    /// Environment name or alias (default: local).
    pub env: Option<String>,
    /// Write the file instead of printing it (default PATH: .env.example
    /// next to envctl.yaml), and say which keys changed.
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = ".env.example", conflicts_with = "check")]
    pub write: Option<PathBuf>,
    /// Compare with the committed file (default PATH: .env.example next to
    /// envctl.yaml): exit 2, naming the keys, when it differs.
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = ".env.example")]
    pub check: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Environment name or alias.
    pub env: String,
    /// Also save the plan to FILE (mode 0600, no secret values) for
    /// `envctl apply FILE`, which refuses it if live state or a secret
    /// changed since.
    /// An existing FILE is replaced only if it is a plan envctl saved.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --out: replace FILE even if it is not a saved plan.
    #[arg(long, requires = "out")]
    pub force: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 2 when there are changes.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Fail instead of planning `unknown` when a secret cannot be resolved.
    #[arg(long)]
    pub require_secrets: bool,
    /// Plan deletes in a protected environment without a refusal.
    #[arg(long)]
    pub allow_delete: bool,
    /// Plan to write every secret whose live value cannot be known, as
    /// `apply --adopt` does (a saved plan keeps the choice).
    #[arg(long)]
    pub adopt: bool,
}
