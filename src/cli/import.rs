//! `envctl import`: an environment file from what is live. Plain values
//! are written inline; secrets become references, never plaintext.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{Exit, ImportArgs, Output};
use crate::config::{self, Environment, Target, TargetSpec};
use crate::diagnostic::Location;
use crate::keyring;
use crate::provider::{LiveValue, Provider, cloudflare, dotenv, supabase, vercel};
use crate::{Error, detect};

/// Parses `--from` values into targets named after their platform.
fn targets(args: &ImportArgs, file: &Path) -> Result<BTreeMap<String, Target>, Error> {
    let mut out = BTreeMap::new();
    for from in &args.from {
        let bad = || {
            Error::Usage(format!(
                "--from {from}: write `supabase:<project_ref>`, `vercel:<project>:<target>[:<git branch>]`, `cloudflare:<project>:<production|preview>` or `dotenv:<path>`"
            ))
        };
        let parts: Vec<&str> = from.split(':').collect();
        let spec = match parts.as_slice() {
            ["supabase", project_ref] if !project_ref.is_empty() => {
                TargetSpec::Supabase(supabase::Settings {
                    project_ref: project_ref.to_string(),
                    receives: None,
                    prune: false,
                })
            }
            ["vercel", project, target, rest @ ..] if rest.len() <= 1 && !project.is_empty() => {
                TargetSpec::Vercel(vercel::Settings {
                    project: project.to_string(),
                    team: args.team.clone(),
                    target: target.to_string(),
                    git_branch: rest.first().map(|b| b.to_string()),
                    receives: None,
                    prune: false,
                })
            }
            ["cloudflare", project, environment] if !project.is_empty() => {
                TargetSpec::Cloudflare(cloudflare::Settings {
                    project: project.to_string(),
                    environment: environment.to_string(),
                    account_id: None,
                    database_id: None,
                    migrations_dir: None,
                    migrations_table: None,
                    receives: None,
                    prune: false,
                })
            }
            ["dotenv", path] if !path.is_empty() => TargetSpec::Dotenv(dotenv::Settings {
                path: path.to_string(),
                receives: None,
                prune: false,
            }),
            _ => return Err(bad()),
        };
        let kind = parts[0];
        let base = match kind {
            "supabase" => "functions",
            "vercel" => "web",
            "cloudflare" => "pages",
            _ => "dotenv",
        };
        let mut name = base.to_string();
        let mut n = 2;
        while out.contains_key(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        out.insert(
            name.clone(),
            Target {
                name,
                spec,
                location: Location {
                    file: file.to_path_buf(),
                    line: 1,
                    column: 1,
                },
                migration_files: None,
            },
        );
    }
    Ok(out)
}

/// How one variable is written.
enum Imported {
    Plain(String),
    /// A reference with an optional note of what the user must do.
    Secret {
        reference: String,
        note: Option<String>,
    },
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

fn target_yaml(t: &Target) -> String {
    let mut s = format!("  {}:\n", t.name);
    match &t.spec {
        TargetSpec::Supabase(supabase::Settings { project_ref, .. }) => {
            let _ = write!(s, "    type: supabase\n    project_ref: {project_ref}\n");
        }
        TargetSpec::Vercel(vercel::Settings {
            project,
            team,
            target,
            git_branch,
            ..
        }) => {
            let _ = writeln!(s, "    type: vercel\n    project: {}", quoted(project));
            if let Some(team) = team {
                let _ = writeln!(s, "    team: {}", quoted(team));
            }
            let _ = writeln!(s, "    target: {target}");
            if let Some(branch) = git_branch {
                let _ = writeln!(s, "    git_branch: {}", quoted(branch));
            }
        }
        TargetSpec::Dotenv(dotenv::Settings { path, .. }) => {
            let _ = write!(s, "    type: dotenv\n    path: {}\n", quoted(path));
        }
        TargetSpec::Cloudflare(cloudflare::Settings {
            project,
            environment,
            account_id,
            ..
        }) => {
            let _ = write!(
                s,
                "    type: cloudflare\n    project: {}\n    environment: {environment}\n",
                quoted(project)
            );
            if let Some(account) = account_id {
                let _ = writeln!(s, "    account_id: {}", quoted(account));
            }
        }
    }
    s
}

pub(super) fn import(root: &Path, args: &ImportArgs, out: &Output) -> Result<Exit, Error> {
    let loaded = config::load(root)?;
    let ws = loaded.workspace;
    if !args
        .env
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::Usage(format!(
            "`{}` cannot be an environment name: use letters, digits, `-` and `_`",
            args.env
        )));
    }
    let rel = PathBuf::from("environments").join(format!("{}.yaml", args.env));
    let path = root.join(&rel);
    let existing = ws.environments.get(&args.env);
    if path.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} already exists; pass --force to overwrite it",
            rel.display()
        )));
    }
    let targets = if args.from.is_empty() {
        match existing {
            Some(env) => env.targets.clone(),
            None => {
                return Err(Error::Usage(
                    "name the live targets to read with --from (e.g. --from supabase:<project_ref>)"
                        .into(),
                ));
            }
        }
    } else {
        targets(args, &rel)?
    };
    let env = Environment {
        name: args.env.clone(),
        file: rel.clone(),
        protected: existing.is_some_and(|e| e.protected),
        local: existing.is_some_and(|e| e.local),
        targets,
        variables: BTreeMap::new(),
        functions: BTreeMap::new(),
        migrations: None,
    };
    let providers: Vec<Provider> = env
        .targets
        .values()
        .map(|t| Provider::for_target(&ws, &env, t).map(Provider::reading_values))
        .collect::<Result<_, _>>()?;
    let live = super::commands::runtime()?.block_on(crate::engine::read_all(&providers))?;

    // name → (how it is written, the targets holding it)
    let mut vars: BTreeMap<String, (Imported, Vec<String>)> = BTreeMap::new();
    let mut stored = 0;
    let prefixes = crate::rules::client_prefixes(&ws.rules);
    for (target, snapshot) in env.targets.values().zip(&live) {
        for (name, value) in &snapshot.variables {
            if let Some((_, holders)) = vars.get_mut(name) {
                holders.push(target.name.clone());
                continue;
            }
            let imported = match value {
                // Written inline: what the platform stores as plain text,
                // and what bundlers ship to every browser anyway (`VITE_*`),
                // unless it looks secret. Anything else kept encrypted was
                // meant to be secret, whatever it looks like.
                LiveValue::Plain(v) | LiveValue::Readable(v)
                    if (matches!(value, LiveValue::Plain(_))
                        || prefixes.iter().any(|p| name.starts_with(p)))
                        && !detect::classify(v.expose()).is_some_and(|c| c.is_secret()) =>
                {
                    Imported::Plain(v.expose().to_string())
                }
                LiveValue::Plain(v) | LiveValue::Readable(v) => {
                    if args.to_keyring {
                        let account = keyring::secret_account(&ws.project, &env.name, name);
                        keyring::set(&account, v).map_err(|e| Error::Usage(e.to_string()))?;
                        stored += 1;
                        Imported::Secret {
                            reference: "keyring".into(),
                            note: None,
                        }
                    } else {
                        Imported::Secret {
                            reference: format!("env:{name}"),
                            note: Some(
                                "needs a value (readable live; --to-keyring would store it)".into(),
                            ),
                        }
                    }
                }
                LiveValue::Digest(_) => Imported::Secret {
                    reference: format!("env:{name}"),
                    note: Some(format!(
                        "needs a value: {} keeps only a digest",
                        target.spec.kind()
                    )),
                },
                LiveValue::Unreadable | LiveValue::Stale { .. } => Imported::Secret {
                    reference: format!("env:{name}"),
                    note: Some(format!(
                        "needs a value: {} does not return it",
                        target.spec.kind()
                    )),
                },
            };
            vars.insert(name.clone(), (imported, vec![target.name.clone()]));
        }
    }

    let mut yaml = String::from(
        "# yaml-language-server: $schema=../schemas/environment.schema.json\n#\n# Written by `envctl import` from live state. Review it, give each\n# secret marked \"needs a value\" its source, then `envctl plan`.\n",
    );
    if env.protected {
        yaml.push_str("protected: true\n");
    }
    if env.local {
        yaml.push_str("local: true\n");
    }
    yaml.push_str("\ntargets:\n");
    for t in env.targets.values() {
        yaml.push_str(&target_yaml(t));
    }
    yaml.push_str("\nvariables:\n");
    let all = env.targets.len();
    for (name, (imported, holders)) in &vars {
        let only = (holders.len() < all).then(|| format!("targets: [{}]", holders.join(", ")));
        let line = match (imported, &only) {
            (Imported::Plain(text), None) => format!("  {name}: {}\n", quoted(text)),
            (Imported::Plain(text), Some(only)) => {
                format!("  {name}: {{ value: {}, {only} }}\n", quoted(text))
            }
            (Imported::Secret { reference, note }, only) => {
                let mut line = format!("  {name}: {{ secret: {reference}");
                if let Some(only) = only {
                    let _ = write!(line, ", {only}");
                }
                line.push_str(" }");
                if let Some(note) = note {
                    let _ = write!(line, " # {note}");
                }
                line.push('\n');
                line
            }
        };
        yaml.push_str(&line);
    }
    crate::provider::dotenv::write_atomically(&path, &yaml).map_err(|e| Error::Io {
        context: format!("writing {}", rel.display()),
        source: e,
    })?;
    let needs = vars
        .values()
        .filter(|(i, _)| matches!(i, Imported::Secret { note: Some(_), .. }))
        .count();
    out.note(&format!(
        "Wrote {} from {} target{}: {} variable{}, {needs} secret{} still needing a value{}.",
        rel.display(),
        all,
        if all == 1 { "" } else { "s" },
        vars.len(),
        if vars.len() == 1 { "" } else { "s" },
        if needs == 1 { "" } else { "s" },
        if stored > 0 {
            format!(", {stored} stored in the keychain")
        } else {
            String::new()
        }
    ));
    Ok(Exit::Ok)
}
