//! The integration tests, in one binary: each module drives the built
//! `envctl` (or the library) against the fake platforms in `envctl-fakes`.
//! One binary links once, where a binary per file linked each time.

mod common;

mod action;
mod action_docs;
mod action_install;
mod adopt;
mod architecture;
mod audit_ci;
mod auth_url;
mod canary;
mod canary_netlify;
mod ci;
mod cli;
mod cloudflare;
mod cloudflare_d1;
mod code_scan;
mod completions_man;
mod conformance;
mod connections;
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
mod init;
mod keychain;
mod migrations;
mod netlify;
mod netlify_cli_fake;
mod netlify_errors;
mod netlify_oracle;
mod readme;
mod redeploys;
mod render;
mod rules;
mod secret_sources;
mod secrets;
mod supabase;
mod supabase_settings;
mod undeclared;
mod undeclared_functions;
mod value_rules;
mod vercel;
mod vercel_custom;
mod vercel_tagging;
mod vercel_untagged;
