//! Planning: resolve an environment's secrets, judge its desired state
//! offline, connect a provider per target, read every target
//! concurrently, diff, and evaluate the rules. The result is data
//! ([`Planned`]); rendering it is the caller's business.

use std::collections::BTreeMap;

use tokio::task::JoinSet;

use super::Engine;
use crate::Error;
use crate::config::{Environment, SecretRef, VarValue, Workspace};
use crate::provider::{Provider, Snapshot, local_migrations};
use crate::secret::{self, EnvSource, ProcessEnv, Secret};
use envctl_core::code::CodeReads;
use envctl_core::plan::{self, DesiredTarget, Plan, Resolved, TargetPlan};
use envctl_core::rules::{self, RuleId, Severity, Verdict};

/// Secrets of one environment, resolved: what the plan may know (by name),
/// and the values apply will write.
pub struct Secrets {
    pub resolution: BTreeMap<String, Result<Resolved, String>>,
    pub values: BTreeMap<String, Secret>,
    /// Sources that resolved but deserve a look (a world-readable file).
    pub warnings: Vec<String>,
    /// Resolved values a target cannot hold (a dotenv file and a NUL), at
    /// the variable's line: nothing may be planned or written.
    pub invalid: Vec<envctl_core::diagnostic::Diagnostic>,
    /// For a protected environment: the other environments' values its
    /// secrets must not equal, as digests (`reused-secret`).
    pub elsewhere: Vec<rules::SecretElsewhere>,
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
            elsewhere: Vec::new(),
        }
    }

    /// The resolved secrets too guessable for a published digest.
    pub fn weak(&self) -> BTreeMap<String, &'static str> {
        self.resolution
            .iter()
            .filter_map(|(k, r)| Some((k.clone(), r.as_ref().ok()?.weakness?)))
            .collect()
    }

    /// The resolved secrets that are Supabase keys, with the project each
    /// names.
    pub fn key_projects(&self) -> BTreeMap<String, String> {
        self.resolution
            .iter()
            .filter_map(|(k, r)| Some((k.clone(), r.as_ref().ok()?.project.clone()?)))
            .collect()
    }

    /// What the rules know of the resolved values, over `ctx`.
    fn judged<'a>(&self, ctx: rules::Context<'a>) -> rules::Context<'a> {
        rules::Context {
            weak_secrets: self.weak(),
            key_projects: self.key_projects(),
            elsewhere: self.elsewhere.clone(),
            ..ctx
        }
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
    // Checked at start-up (crate::settings::check): invalid is an error there.
    let from_env = crate::settings::secrets_from_env()
        .unwrap_or_default()
        .contains(&env.name);
    for var in env.variables.values() {
        if let VarValue::Secret(declared) = &var.value {
            let own_name = SecretRef::Env(var.name.clone());
            let reference = if from_env { &own_name } else { declared };
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
        elsewhere: super::reuse::elsewhere(ws, env, source),
    }
}

/// A plan with everything apply needs to carry it out.
///
/// `plan.targets`, `desired`, `providers` and `live` are one list each,
/// index for index (the plan type is shared with renderers, so its targets
/// cannot hold providers). Join them with [`Planned::runs`], which checks
/// the lengths, never with `zip`, which would drop a target silently.
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

/// One target of a [`Planned`]: its changes, desired state, provider and
/// the snapshot read from it.
#[derive(Clone, Copy)]
pub struct TargetRun<'a> {
    pub plan: &'a TargetPlan,
    pub desired: &'a DesiredTarget,
    pub provider: &'a Provider,
    pub live: &'a Snapshot,
}

impl Planned {
    /// Every target's parts together, in plan order; an error (a bug, not
    /// a user mistake) when the lists disagree in length.
    pub fn runs(&self) -> Result<Vec<TargetRun<'_>>, Error> {
        let n = self.plan.targets.len();
        if [self.desired.len(), self.providers.len(), self.live.len()] != [n; 3] {
            return Err(Error::Usage(format!(
                "internal error: a plan of {n} targets with {} desired states, {} providers and {} snapshots; nothing was written",
                self.desired.len(),
                self.providers.len(),
                self.live.len()
            )));
        }
        Ok((0..n)
            .map(|i| TargetRun {
                plan: &self.plan.targets[i],
                desired: &self.desired[i],
                provider: &self.providers[i],
                live: &self.live[i],
            })
            .collect())
    }
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
        now_ms: crate::clock::now_ms(),
        weak_secrets: BTreeMap::new(),
        key_projects: BTreeMap::new(),
        elsewhere: Vec::new(),
        code: None,
    }
}

/// The rules over the desired state alone (no live state): what `validate`
/// checks, with the code each target serves, and what `plan` checks before
/// it reads anything.
pub fn offline(
    ws: &Workspace,
    env: &Environment,
    secrets: &Secrets,
    code: Option<&CodeReads>,
) -> (Plan, Verdict) {
    let desired = plan::desired_targets(env, &secrets.resolution);
    let empty = vec![Snapshot::default(); desired.len()];
    let plan = plan::diff(&ws.project, env, &desired, &empty);
    let ctx = rules::Context {
        code,
        ..secrets.judged(rules_context(ws, env, true))
    };
    let verdict = rules::evaluate(&plan, &ctx);
    (plan, verdict)
}

/// An environment's secrets, resolved, and its desired state judged
/// before anything live is read.
pub struct Prepared {
    /// Holds the unresolved names and source warnings the caller shows.
    pub secrets: Secrets,
    /// Set when the desired state breaks a rule that nothing live can
    /// fix: then nothing is read.
    pub refusal: Option<Verdict>,
}

/// Resolves an environment's secrets and judges its desired state: a
/// refusal there cannot be fixed by anything live, so it comes first.
/// With `require_secrets`, a secret that cannot be resolved is an error.
pub fn prepare(
    ws: &Workspace,
    env: &Environment,
    require_secrets: bool,
) -> Result<Prepared, Error> {
    let secrets = resolve_secrets(ws, env, &ProcessEnv);
    if !secrets.invalid.is_empty() {
        return Err(Error::Invalid(secrets.invalid));
    }
    let unresolved = secrets.unresolved_names();
    if require_secrets && !unresolved.is_empty() {
        let list: Vec<String> = unresolved
            .iter()
            .map(|(k, why)| format!("{k} ({why})"))
            .collect();
        return Err(Error::Usage(format!(
            "--require-secrets: cannot resolve {}",
            list.join(", ")
        )));
    }
    // A required variable may exist live, undeclared: only the plan can
    // tell, so `required` waits for live state; every other refusal of the
    // desired state stands whatever is live.
    let (_, verdict) = offline(ws, env, &secrets, None);
    let final_refusal = verdict
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.rule != RuleId::Required);
    Ok(Prepared {
        refusal: final_refusal.then_some(verdict),
        secrets,
    })
}

/// [`plan`] on the engine's runtime; with `adopt`, every secret whose
/// live value cannot be known is planned to be written.
pub fn live(
    engine: &Engine,
    ws: &Workspace,
    env: &Environment,
    secrets: Secrets,
    allow_delete: bool,
    adopt: bool,
) -> Result<Planned, Error> {
    let mut planned = engine.block_on(plan(ws, env, secrets, allow_delete))??;
    if adopt {
        planned.plan.adopt();
    }
    Ok(planned)
}

/// Reads every target of the environment concurrently and plans.
pub async fn plan(
    ws: &Workspace,
    env: &Environment,
    secrets: Secrets,
    allow_delete: bool,
) -> Result<Planned, Error> {
    let providers = connect(ws, env)?;
    let live = read_all(&providers).await?;
    judge(ws, env, secrets, allow_delete, providers, live)
}

/// A provider per target of the environment, in order.
pub fn connect(ws: &Workspace, env: &Environment) -> Result<Vec<Provider>, Error> {
    let providers = env.targets.values();
    let providers = providers.map(|t| Provider::for_target(&ws.place(), env, t));
    Ok(providers.collect::<Result<_, _>>()?)
}

/// The plan and its verdict from what was read.
pub fn judge(
    ws: &Workspace,
    env: &Environment,
    secrets: Secrets,
    allow_delete: bool,
    providers: Vec<Provider>,
    live: Vec<Snapshot>,
) -> Result<Planned, Error> {
    let mut desired = plan::desired_targets(env, &secrets.resolution);
    attach_local(ws, &mut desired, &live)?;
    let plan = plan::diff(&ws.project, env, &desired, &live);
    let ctx = secrets.judged(rules_context(ws, env, allow_delete));
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
    // Every task reports or the loop above returned early.
    out.into_iter()
        .map(|s| {
            s.ok_or_else(|| Error::Usage("reading live state failed: a read did not report".into()))
        })
        .collect()
}

/// Gives each desired target the statements of its local files whose
/// versions the live history recorded statements for, so the plan can tell
/// a file edited after it was applied. Reads files only when some history
/// carries statements (a direct database connection).
pub fn attach_local(
    ws: &Workspace,
    desired: &mut [DesiredTarget],
    live: &[Snapshot],
) -> Result<(), Error> {
    let mut files: Option<Vec<local_migrations::LocalFile>> = None;
    for (target, snapshot) in desired.iter_mut().zip(live) {
        let (Some(want), Some(applied)) = (target.migrations.as_mut(), &snapshot.migrations) else {
            continue;
        };
        for row in applied.iter().filter(|a| a.statements.is_some()) {
            let list = match &files {
                Some(list) => list,
                None => files.insert(
                    local_migrations::list(&ws.root.join(&ws.paths.migrations))
                        .map_err(Error::Usage)?,
                ),
            };
            if let Some(file) = list.iter().find(|f| f.version == row.version) {
                let statements = file.statements().map_err(Error::Usage)?;
                want.statements.insert(
                    row.version.clone(),
                    statements.into_iter().map(|s| s.text).collect(),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(targets: usize) -> Planned {
        let target = |i: usize| TargetPlan {
            name: format!("t{i}"),
            kind: "dotenv",
            traits: Default::default(),
            description: String::new(),
            changes: Vec::new(),
            warnings: Vec::new(),
            updated_ms: BTreeMap::new(),
            tag: Vec::new(),
        };
        Planned {
            plan: Plan {
                format_version: plan::FORMAT_VERSION,
                project: "p".into(),
                environment: "e".into(),
                protected: false,
                targets: (0..targets).map(target).collect(),
            },
            verdict: Verdict::default(),
            desired: Vec::new(),
            providers: Vec::new(),
            secrets: Secrets {
                resolution: BTreeMap::new(),
                values: BTreeMap::new(),
                warnings: Vec::new(),
                invalid: Vec::new(),
                elsewhere: Vec::new(),
            },
            live: Vec::new(),
        }
    }

    #[test]
    fn runs_refuse_lists_of_different_lengths_instead_of_dropping_targets() {
        assert!(planned(0).runs().is_ok_and(|runs| runs.is_empty()));
        let Err(e) = planned(1).runs() else {
            panic!("a target without a provider must not be skipped");
        };
        assert!(e.to_string().contains("a plan of 1 targets with 0"), "{e}");
    }
}
