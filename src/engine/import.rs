//! `import`: an environment file from what is live. Plain values are
//! written inline; secrets become references, never plaintext (with
//! `to_keyring`, readable ones are stored in the OS keychain).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{Engine, read_all};
use crate::Error;
use crate::config::{Environment, SpecOf, Target, TargetSpec, Workspace};
use crate::keyring;
use crate::provider::quoted;
use crate::provider::{LiveValue, Provider, Snapshot};
use envctl_core::detect;
use envctl_core::diagnostic::Location;

/// What to import, as the command line gave it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The environment to write (`environments/<env>.yaml`).
    pub env: String,
    /// Live targets (`supabase:<ref>`, `vercel:<project>:<target>`, …);
    /// empty: the targets the existing file declares.
    pub from: Vec<String>,
    /// Team for Vercel projects owned by a team.
    pub team: Option<String>,
    /// Overwrite an existing environment file.
    pub force: bool,
    /// Store readable secret values in the OS keychain.
    pub to_keyring: bool,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The file written, relative to the workspace root.
    pub file: PathBuf,
    pub targets: usize,
    pub variables: usize,
    /// Secrets written as references still needing a value.
    pub needing_value: usize,
    /// Values stored in the keychain.
    pub stored: usize,
    /// The keychain stores they went to (each once): an entry is replaced
    /// where it already is, so one import can write to two stores.
    pub stored_in: Vec<keyring::Store>,
}

/// Reads the live targets and writes the environment file.
pub fn import(
    engine: &Engine,
    ws: &Workspace,
    root: &Path,
    request: &Request,
) -> Result<Imported, Error> {
    if !request
        .env
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::Usage(format!(
            "`{}` cannot be an environment name: use letters, digits, `-` and `_`",
            request.env
        )));
    }
    let rel = PathBuf::from("environments").join(format!("{}.yaml", request.env));
    let path = root.join(&rel);
    if path.exists() && !request.force {
        return Err(Error::Usage(format!(
            "{} already exists; pass --force to overwrite it",
            rel.display()
        )));
    }
    let env = environment(ws, request, &rel)?;
    let providers: Vec<Provider> = env
        .targets
        .values()
        .map(|t| Provider::for_target(&ws.place(), &env, t).map(Provider::reading_values))
        .collect::<Result<_, _>>()?;
    let live = engine.block_on(read_all(&providers))??;
    let (vars, stored, stored_in) = variables(ws, &env, &live, request.to_keyring)?;
    crate::fs::write_atomically(
        &path,
        &(yaml(&env, &vars) + &held(&live, root.join(&ws.paths.migrations).is_dir())),
    )
    .map_err(|e| Error::Io {
        context: format!("writing {}", rel.display()),
        source: e,
    })?;
    Ok(Imported {
        file: rel,
        targets: env.targets.len(),
        variables: vars.len(),
        needing_value: vars
            .values()
            .filter(|(i, _)| matches!(i, Value::Secret { note: Some(_), .. }))
            .count(),
        stored,
        stored_in,
    })
}

/// Creates what a first import needs and the folder lacks: `envctl.yaml`
/// (`version: 1`, the folder's name as the project) and `environments/`.
/// An existing file is never touched. Returns what it created, relative
/// to `root`, for the caller to report, or to [`unscaffold`] when the
/// import fails.
pub fn scaffold(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut created = Vec::new();
    let project = Path::new("envctl.yaml");
    if !root.join(project).exists() {
        let name = crate::init::project_name(root);
        let text = format!(
            "# yaml-language-server: $schema=./schemas/envctl.schema.json\n#\n# Written by `envctl import`. See docs/configuration.md for every key.\nversion: 1\nproject: {}\n",
            quoted(&name)
        );
        let io = |e| Error::Io {
            context: format!("creating {}", project.display()),
            source: e,
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(root.join(project))
            .map_err(io)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
        created.push(project.to_path_buf());
    }
    let dir = Path::new("environments");
    if !root.join(dir).is_dir() {
        std::fs::create_dir(root.join(dir)).map_err(|e| Error::Io {
            context: format!("creating {}/", dir.display()),
            source: e,
        })?;
        created.push(dir.to_path_buf());
    }
    Ok(created)
}

/// Removes what [`scaffold`] created, after a failed import: the folder
/// only if it is still empty.
pub fn unscaffold(root: &Path, created: &[PathBuf]) {
    for path in created.iter().rev() {
        let full = root.join(path);
        let _ = if full.is_dir() {
            std::fs::remove_dir(full)
        } else {
            std::fs::remove_file(full)
        };
    }
}

/// The environment to import into: the targets named with `--from`, or
/// those the existing file declares; `protected` and `local` kept.
fn environment(ws: &Workspace, request: &Request, rel: &Path) -> Result<Environment, Error> {
    let existing = ws.environments.get(&request.env);
    let targets = if request.from.is_empty() {
        match existing {
            Some(env) => env.targets.clone(),
            None => {
                let example = crate::provider::IMPORTS.first().map_or("", |i| i.syntax);
                return Err(Error::Usage(format!(
                    "name the live targets to read with --from (e.g. --from {example})"
                )));
            }
        }
    } else {
        targets(request, rel)?
    };
    Ok(Environment {
        name: request.env.clone(),
        file: rel.to_path_buf(),
        protected: existing.is_some_and(|e| e.protected),
        local: existing.is_some_and(|e| e.local),
        targets,
        variables: BTreeMap::new(),
        unset: Default::default(),
        functions: BTreeMap::new(),
        migrations: None,
        settings: Default::default(),
    })
}

/// Parses `--from` values into targets named after their platform.
fn targets(request: &Request, file: &Path) -> Result<BTreeMap<String, Target>, Error> {
    let mut out = BTreeMap::new();
    for from in &request.from {
        let (spec, base) =
            TargetSpec::from_import(from, request.team.as_deref()).ok_or_else(|| {
                Error::Usage(format!(
                    "--from {from}: write {}",
                    TargetSpec::import_forms()
                ))
            })?;
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
                settings: std::sync::Arc::new(spec),
                location: Location {
                    file: file.to_path_buf(),
                    line: 1,
                    column: 1,
                },
                migration_files: None,
                code: None,
            },
        );
    }
    Ok(out)
}

/// How one variable is written.
enum Value {
    Plain(String),
    /// A reference with an optional note of what the user must do.
    Secret {
        reference: String,
        note: Option<String>,
    },
}

/// name → (how it is written, the targets holding it)
type Variables = BTreeMap<String, (Value, Vec<String>)>;

/// Every live variable, once, with the targets holding it; how many
/// values were stored in the keychain, and the stores they went to.
fn variables(
    ws: &Workspace,
    env: &Environment,
    live: &[Snapshot],
    to_keyring: bool,
) -> Result<(Variables, usize, Vec<keyring::Store>), Error> {
    let mut vars = Variables::new();
    let mut stored = 0;
    let mut stored_in = Vec::new();
    let prefixes = envctl_core::rules::client_prefixes(&ws.rules);
    // read_all returns one snapshot per target, in order.
    for (target, snapshot) in env.targets.values().zip(live) {
        for (name, value) in &snapshot.variables {
            if let Some((_, holders)) = vars.get_mut(name) {
                holders.push(target.name.clone());
                continue;
            }
            let needs = |why: String| Value::Secret {
                reference: format!("env:{name}"),
                note: Some(why),
            };
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
                    Value::Plain(v.expose().to_string())
                }
                LiveValue::Plain(v) | LiveValue::Readable(v) if to_keyring => {
                    let account = keyring::secret_account(&ws.project, &env.name, name);
                    let store =
                        keyring::set(&account, v).map_err(|e| Error::Usage(e.to_string()))?;
                    if !stored_in.contains(&store) {
                        stored_in.push(store);
                    }
                    stored += 1;
                    Value::Secret {
                        reference: "keyring".into(),
                        note: None,
                    }
                }
                LiveValue::Plain(_) | LiveValue::Readable(_) => {
                    needs("needs a value (readable live; --to-keyring would store it)".into())
                }
                LiveValue::Digest(_) => needs(format!(
                    "needs a value: {} keeps only a digest",
                    target.settings.kind()
                )),
                LiveValue::Unreadable | LiveValue::Stale { .. } => needs(format!(
                    "needs a value: {} does not return it",
                    target.settings.kind()
                )),
            };
            vars.insert(name.clone(), (imported, vec![target.name.clone()]));
        }
    }
    Ok((vars, stored, stored_in))
}

/// The environment file.
fn yaml(env: &Environment, vars: &Variables) -> String {
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
    yaml.push_str(if vars.is_empty() {
        "\nvariables: {}\n"
    } else {
        "\nvariables:\n"
    });
    let all = env.targets.len();
    for (name, (imported, holders)) in vars {
        let only = (holders.len() < all).then(|| format!("targets: [{}]", holders.join(", ")));
        let line = match (imported, &only) {
            (Value::Plain(text), None) => format!("  {name}: {}\n", quoted(text)),
            (Value::Plain(text), Some(only)) => {
                format!("  {name}: {{ value: {}, {only} }}\n", quoted(text))
            }
            (Value::Secret { reference, note }, only) => {
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
    yaml
}

/// What the target holding the environment's functions has besides
/// variables: its Edge Functions (with `verify_jwt`), its migration head,
/// its Auth URLs and its Storage buckets.
fn held(live: &[Snapshot], migrations_here: bool) -> String {
    let mut yaml = String::new();
    for snapshot in live {
        if let Some(functions) = snapshot.functions.as_ref().filter(|f| !f.is_empty()) {
            yaml.push_str("\nfunctions:\n");
            for (slug, f) in functions {
                let _ = writeln!(yaml, "  {slug}: {{ verify_jwt: {} }}", f.verify_jwt);
            }
        }
        if let Some(head) = snapshot.migrations.as_ref().and_then(|m| m.last()) {
            let head = quoted(&head.version);
            if migrations_here {
                let _ = write!(yaml, "\nmigrations:\n  head: {head}\n");
            } else {
                // `head:` is checked against the folder, which is not here.
                let _ = write!(
                    yaml,
                    "\n# migrations:\n#   head: {head}   # once the migrations folder is in this repository\n"
                );
            }
        }
        if let Some(auth) = &snapshot.settings.auth {
            yaml.push_str("\nauth:\n");
            if let Some(url) = &auth.site_url {
                let _ = writeln!(yaml, "  site_url: {}", quoted(url));
            }
            if !auth.redirect_urls.is_empty() {
                yaml.push_str("  redirect_urls:\n");
                for url in &auth.redirect_urls {
                    let _ = writeln!(yaml, "    - {}", quoted(url));
                }
            }
        }
        if let Some(buckets) = snapshot.settings.buckets.as_ref().filter(|b| !b.is_empty()) {
            yaml.push_str("\nbuckets:\n");
            for (name, public) in buckets {
                let _ = writeln!(yaml, "  {name}: {{ public: {public} }}");
            }
        }
    }
    yaml
}

fn target_yaml(t: &Target) -> String {
    let mut s = format!("  {}:\n    type: {}\n", t.name, t.settings.kind());
    if let Some(spec) = t.spec() {
        s.push_str(&spec.settings().yaml());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_values_name_targets_after_their_platform() {
        let request = Request {
            env: "dev".into(),
            from: [
                "supabase:abc",
                "supabase:def",
                "vercel:web:preview:main",
                "dotenv:.env",
            ]
            .map(String::from)
            .to_vec(),
            team: Some("team".into()),
            ..Request::default()
        };
        let targets =
            targets(&request, Path::new("environments/dev.yaml")).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = targets.keys().map(String::as_str).collect();
        assert_eq!(names, ["dotenv", "functions", "functions-2", "web"]);
        assert!(matches!(
            targets["web"].spec(),
            Some(TargetSpec::Vercel(s)) if s.team.as_deref() == Some("team") && s.git_branch.as_deref() == Some("main")
        ));
    }

    #[test]
    fn malformed_from_values_are_refused() {
        for bad in [
            "supabase:",
            "vercel:web",
            "cloudflare:p",
            "dotenv:",
            "heroku:x",
            "a:b:c:d:e",
        ] {
            assert!(TargetSpec::from_import(bad, None).is_none(), "{bad}");
        }
    }
}
