//! The integration tests, in one binary: each module drives the built
//! `envctl` (or the library) against the fake platforms in `envctl-fakes`.
//! One binary links once, where a binary per file linked each time.

mod common;

mod adopt;
mod architecture;
mod auth_url;
mod canary;
mod canary_netlify;
mod ci;
mod cli;
mod cloudflare;
mod cloudflare_d1;
mod code_scan;
mod conformance;
mod descriptions;
mod error_scrub;
mod example_cmd;
mod examples;
mod faults;
mod fingerprints;
mod functions_deploy;
mod gh_oracle;
mod github;
mod honest_inputs;
mod hostile;
mod import_all;
mod keychain;
mod migrations;
mod netlify;
mod netlify_cli_fake;
mod netlify_errors;
mod netlify_oracle;
mod redeploys;
mod render;
mod rules;
mod secrets;
mod supabase;
mod supabase_settings;
mod undeclared;
mod undeclared_functions;
mod value_rules;
mod vercel;
mod vercel_custom;
