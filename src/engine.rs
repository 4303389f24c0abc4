//! The I/O edge around the pure core: resolve secrets, read every target
//! concurrently, diff, evaluate; and apply a plan target by target.

use std::collections::BTreeMap;

use tokio::task::JoinSet;

use crate::Error;
use crate::config::{Environment, VarValue, Workspace};
use crate::plan::Subject;
use crate::plan::{self, DesiredTarget, Plan, Resolved};
use crate::provider::{ApplyFailure, Provider, Snapshot, Stop, Write};
use crate::rules::{self, Verdict};
use crate::secret::{self, EnvSource, Secret};

/// Secrets of one environment, resolved: what the plan may know (by name),
/// and the values apply will write.
pub struct Secrets {
    pub resolution: BTreeMap<String, Result<Resolved, String>>,
    pub values: BTreeMap<String, Secret>,
    /// Sources that resolved but deserve a look (a world-readable file).
    pub warnings: Vec<String>,
    /// Resolved values a target cannot hold (a dotenv file and a NUL), at
    /// the variable's line: nothing may be planned or written.
    pub invalid: Vec<crate::diagnostic::Diagnostic>,
}

impl Secrets {
    /// Nothing resolved: for `validate`, which runs no programs and reads
    /// no secret files.
    pub fn unresolved(env: &Environment) -> Secrets {
        let resolution = env
            .variables
            .values()
            .filter(|v| v.is_secret())
            .map(|v| (v.name.clone(), Err("not resolved by validate".to_string())))
            .collect();
        Secrets {
            resolution,
            values: BTreeMap::new(),
            warnings: Vec::new(),
            invalid: Vec::new(),
        }
    }

    /// The resolved secrets too guessable for a published digest.
    pub fn weak(&self) -> BTreeMap<String, &'static str> {
        self.resolution
            .iter()
            .filter_map(|(k, r)| Some((k.clone(), r.as_ref().ok()?.weakness?)))
            .collect()
    }

    pub fn unresolved_names(&self) -> Vec<(&str, &str)> {
        self.resolution
            .iter()
            .filter_map(|(k, r)| r.as_ref().err().map(|why| (k.as_str(), why.as_str())))
            .collect()
    }
}

/// Resolves every secret reference of an environment.
pub fn resolve_secrets(ws: &Workspace, env: &Environment, source: &dyn EnvSource) -> Secrets {
    let mut resolution = BTreeMap::new();
    let mut values = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut invalid = Vec::new();
    for var in env.variables.values() {
        if let VarValue::Secret(reference) = &var.value {
            let account = crate::keyring::secret_account(&ws.project, &env.name, &var.name);
            match secret::resolve(reference, &ws.root, source, &account) {
                Ok(value) => match secret::blank(&value).filter(|_| !var.allow_empty) {
                    Some(what) => {
                        resolution.insert(
                            var.name.clone(),
                            Err(format!(
                                "{reference}: the value {what} (an unset CI secret arrives as \"\"); give it a value, or write `allow_empty: true` next to `secret:` if empty is meant"
                            )),
                        );
                    }
                    None => {
                        if let Some(w) = secret::file_warning(reference, &ws.root) {
                            warnings.push(format!("{}: {w}", var.name));
                        }
                        invalid.extend(crate::provider::dotenv::unrepresentable(
                            &env.targets,
                            var,
                            value.expose(),
                        ));
                        resolution.insert(var.name.clone(), Ok(Resolved::of(&value)));
                        values.insert(var.name.clone(), value);
                    }
                },
                Err(why) => {
                    resolution.insert(var.name.clone(), Err(format!("{reference}: {why}")));
                }
            }
        }
    }
    #[cfg(debug_assertions)]
    if std::env::var_os("ENVCTL_TEST_PANIC").is_some() {
        let all: Vec<&str> = values.values().map(Secret::expose).collect();
        panic!("forced panic holding {}", all.join(","));
    }
    Secrets {
        resolution,
        values,
        warnings,
        invalid,
    }
}

/// A plan with everything apply needs to carry it out.
pub struct Planned {
    pub plan: Plan,
    pub verdict: Verdict,
    pub desired: Vec<DesiredTarget>,
    pub providers: Vec<Provider>,
    pub secrets: Secrets,
    /// What was read, target by target (saved plans keep its versions;
    /// apply gives each provider its own, with the handles it needs).
    pub live: Vec<Snapshot>,
}

/// The rules' view of an environment within its workspace.
pub fn rules_context<'a>(
    ws: &'a Workspace,
    env: &'a Environment,
    allow_delete: bool,
) -> rules::Context<'a> {
    rules::Context {
        environment: env,
        environments: ws.environments.values().collect(),
        config: &ws.rules,
        project_file: &ws.project_file,
        allow_delete,
        now_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default(),
        weak_secrets: BTreeMap::new(),
    }
}

/// The rules over the desired state alone (no live state): what `validate`
/// checks, and what `plan` checks before it reads anything.
pub fn offline(ws: &Workspace, env: &Environment, secrets: &Secrets) -> (Plan, Verdict) {
    let desired = plan::desired_targets(env, &secrets.resolution);
    let empty = vec![Snapshot::default(); desired.len()];
    let plan = plan::diff(&ws.project, env, &desired, &empty);
    let ctx = rules::Context {
        weak_secrets: secrets.weak(),
        ..rules_context(ws, env, true)
    };
    let verdict = rules::evaluate(&plan, &ctx);
    (plan, verdict)
}

/// Reads every target of the environment concurrently and plans.
pub async fn plan(
    ws: &Workspace,
    env: &Environment,
    secrets: Secrets,
    allow_delete: bool,
) -> Result<Planned, Error> {
    let providers: Vec<Provider> = env
        .targets
        .values()
        .map(|t| Provider::for_target(ws, env, t))
        .collect::<Result<_, _>>()?;
    let live = read_all(&providers).await?;
    let mut desired = plan::desired_targets(env, &secrets.resolution);
    crate::migrate::attach_local(ws, &mut desired, &live)?;
    let plan = plan::diff(&ws.project, env, &desired, &live);
    let ctx = rules::Context {
        weak_secrets: secrets.weak(),
        ..rules_context(ws, env, allow_delete)
    };
    let verdict = rules::evaluate(&plan, &ctx);
    Ok(Planned {
        plan,
        verdict,
        desired,
        providers,
        secrets,
        live,
    })
}

/// One snapshot per provider, in order; all read at once.
pub async fn read_all(providers: &[Provider]) -> Result<Vec<Snapshot>, Error> {
    let mut set = JoinSet::new();
    for (i, provider) in providers.iter().cloned().enumerate() {
        set.spawn(async move { (i, provider.read().await) });
    }
    let mut out: Vec<Option<Snapshot>> = vec![None; providers.len()];
    while let Some(joined) = set.join_next().await {
        let (i, result) =
            joined.map_err(|e| Error::Usage(format!("reading live state failed: {e}")))?;
        out[i] = Some(result.map_err(Error::Provider)?);
    }
    Ok(out
        .into_iter()
        .map(|s| s.expect("every task reports"))
        .collect())
}

/// What apply did, per target.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Each target's writes, described (`set X`, `deploy function f`).
    pub applied: Vec<(String, Vec<String>)>,
    /// What was written, per target, for the audit log.
    pub written: Vec<(String, Subject)>,
}

/// Applies a plan target by target. All writes are derived (and every secret
/// checked) before the first one is sent, so a bad value writes nothing.
pub async fn apply(planned: &Planned) -> Result<ApplyReport, Error> {
    apply_until(planned, &Stop::new()).await
}

/// [`apply`], stopping between requests once `stop` is requested (Ctrl-C).
/// A failure or a stop is an [`Error::Partial`] that says what was done,
/// what was not, and which keys a target was left without.
pub async fn apply_until(planned: &Planned, stop: &Stop) -> Result<ApplyReport, Error> {
    debug_assert_eq!(
        planned.live.len(),
        planned.providers.len(),
        "a snapshot per target"
    );
    let mut batches = Vec::new();
    for (((target_plan, desired), provider), live) in planned
        .plan
        .targets
        .iter()
        .zip(&planned.desired)
        .zip(&planned.providers)
        .zip(&planned.live)
    {
        let writes = crate::apply::writes(target_plan, desired, &planned.secrets.values)
            .map_err(Error::Apply)?;
        batches.push((target_plan, provider, live, writes));
    }
    // Every dotenv file is written in full to a temporary file before the
    // first write of all; each is renamed into place in its turn. A file
    // that cannot be edited or written stops the apply with nothing changed.
    let mut staged = BTreeMap::new();
    for (index, (_, provider, _, writes)) in batches.iter().enumerate() {
        if let (Provider::Dotenv(dotenv), false) = (provider, writes.is_empty()) {
            staged.insert(index, dotenv.stage(writes).map_err(Error::Provider)?);
        }
    }
    let mut report = ApplyReport::default();
    let mut written: Vec<(String, Subject)> = Vec::new();
    for (index, (target_plan, provider, live, writes)) in batches.iter().enumerate() {
        if writes.is_empty() {
            continue;
        }
        let result = match (provider, staged.remove(&index)) {
            _ if stop.requested() => Err(ApplyFailure::stopped(&target_plan.name, &[])),
            (Provider::Dotenv(dotenv), Some(file)) => {
                dotenv.commit(file).map_err(ApplyFailure::nothing)
            }
            _ => provider.apply_until(live, writes, stop).await,
        };
        if let Err(failure) = result {
            let mut done: Vec<String> = report
                .applied
                .iter()
                .flat_map(|(t, w)| w.iter().map(move |w| format!("{t}: {w}")))
                .collect();
            let shown = |w: &Write| format!("{}: {}", target_plan.name, w.describe());
            done.extend(failure.done.iter().map(|&i| shown(&writes[i])));
            written.extend(
                failure
                    .done
                    .iter()
                    .map(|&i| (target_plan.name.clone(), writes[i].subject())),
            );
            let not_done = (0..writes.len())
                .filter(|i| !failure.done.contains(i))
                .map(|i| shown(&writes[i]))
                .chain(batches[index + 1..].iter().flat_map(|(t, _, _, ws)| {
                    ws.iter()
                        .map(move |w| format!("{}: {}", t.name, w.describe()))
                }))
                .collect();
            let left_without = failure
                .left_without
                .iter()
                .map(|k| format!("{}: {k}", target_plan.name))
                .collect();
            return Err(Error::Partial(Box::new(crate::error::Partial {
                target: target_plan.name.clone(),
                done,
                not_done,
                left_without,
                interrupted: failure.interrupted,
                written,
                cause: failure.error,
            })));
        }
        written.extend(
            writes
                .iter()
                .map(|w| (target_plan.name.clone(), w.subject())),
        );
        report.applied.push((
            target_plan.name.clone(),
            writes.iter().map(|w| w.describe()).collect(),
        ));
    }
    report.written = written;
    Ok(report)
}
