//! `cross-environment-target`: an environment that writes to, or points
//! its URLs at, another environment's project. Staging configured with
//! production's Supabase project migrates and seeds production; a preview
//! that writes Vercel's production variables changes what production runs.
//! Runbook 000 §2 ("Local", "Preview", "Production" as separate
//! environments), runbook 001 §3 (staging Supabase, then production),
//! runbook 003 §0 (staging "mirrors prod schema", not prod itself) and
//! §5.1–5.2 (a restore goes "to an isolated Supabase instance"), runbook
//! 004 §1 (`klubz-production` and `klubz-staging`, two Pages projects).
//!
//! Either direction is refused once a protected environment is involved;
//! between two non-protected ones it warns, and a local environment may
//! share what staging serves (a developer's app on the staging backend).

use std::collections::{BTreeMap, BTreeSet};

use crate::detect::{supabase_host_project, url_hosts};
use crate::model::Environment;
use crate::plan::Value;
use crate::rules::{Facts, Finding, FindingKind, RuleId, Severity};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let env = facts.env();
    let mut out = Vec::new();
    for other in facts.ctx.environments.iter().filter(|o| o.name != env.name) {
        let severity = if env.protected || other.protected {
            Severity::Error
        } else if env.local || other.local {
            continue;
        } else {
            Severity::Warning
        };
        shared_targets(facts, other, severity, &mut out);
        foreign_hosts(facts, other, severity, &mut out);
    }
    out
}

/// This environment's targets that write where one of `other`'s does.
fn shared_targets(
    facts: &Facts<'_>,
    other: &Environment,
    severity: Severity,
    out: &mut Vec<Finding>,
) {
    for target in facts.env().targets.values() {
        let kind = target.settings.kind();
        for place in target.settings.identity().places {
            let theirs = other.targets.values().find(|t| {
                t.settings.kind() == kind && t.settings.identity().places.contains(&place)
            });
            let Some(theirs) = theirs else {
                continue;
            };
            let mut finding = facts.finding(
                RuleId::CrossEnvironmentTarget,
                severity,
                None,
                Some(&target.location),
                FindingKind::SharedTarget {
                    target: target.name.clone(),
                    place: format!("{kind} {place}"),
                    other_environment: other.name.clone(),
                    other_target: theirs.name.clone(),
                },
            );
            finding.target = Some(target.name.clone());
            out.push(finding);
        }
    }
}

/// This environment's URLs at a host that serves `other`: a host its
/// targets name, or a Supabase project host its URLs use. A host this
/// environment's own targets name too is reported as a shared target.
fn foreign_hosts(
    facts: &Facts<'_>,
    other: &Environment,
    severity: Severity,
    out: &mut Vec<Finding>,
) {
    let own: BTreeSet<String> = facts
        .env()
        .targets
        .values()
        .flat_map(|t| t.settings.identity().hosts)
        .collect();
    let theirs = hosts_of(other);
    for item in &facts.items {
        let Value::Text { text } = item.value else {
            continue;
        };
        for host in url_hosts(text) {
            let Some(owner) = theirs.get(&host).filter(|_| !own.contains(&host)) else {
                continue;
            };
            out.push(facts.finding(
                RuleId::CrossEnvironmentTarget,
                severity,
                Some(item),
                None,
                FindingKind::ForeignHost {
                    name: item.name.to_string(),
                    host,
                    other_environment: other.name.clone(),
                    owner: owner.clone(),
                },
            ));
        }
    }
}

/// The hosts that serve `env`, each with what ties it there.
fn hosts_of(env: &Environment) -> BTreeMap<String, String> {
    let mut hosts = BTreeMap::new();
    for var in env.variables.values() {
        let Some(text) = var.plain() else {
            continue;
        };
        for host in url_hosts(text) {
            if supabase_host_project(&host).is_some() {
                hosts.insert(host, var.name.clone());
            }
        }
    }
    // A target's word wins over a variable's.
    for target in env.targets.values() {
        for host in target.settings.identity().hosts {
            hosts.insert(host, format!("target {}", target.name));
        }
    }
    hosts
}

#[cfg(test)]
mod tests {
    use crate::rules::fixture::{Case, environment, target, variable};
    use crate::rules::{FindingKind, RuleId::CrossEnvironmentTarget, Severity};

    const PROD_HOST: &str = "rdkproductionprojabc.supabase.co";

    /// `case` beside production, whose Supabase target is served at
    /// PROD_HOST and whose Vercel target is the project's production.
    fn beside_production(mut case: Case) -> Case {
        let mut prod = environment("production");
        let db = target(
            "db",
            "supabase",
            &["project rdkproductionprojabc"],
            &[PROD_HOST],
        );
        let app = target("app", "vercel", &["project rdk, target production"], &[]);
        prod.targets.insert("db".into(), db);
        prod.targets.insert("app".into(), app);
        case.others.push(prod);
        case
    }

    #[test]
    fn staging_writing_to_the_production_project_is_refused() {
        let case = beside_production(Case::unprotected()).target(
            "db",
            "supabase",
            &["project rdkproductionprojabc"],
            &[PROD_HOST],
        );
        let found = case.only(CrossEnvironmentTarget);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::SharedTarget {
            target: "db".into(),
            place: "supabase project rdkproductionprojabc".into(),
            other_environment: "production".into(),
            other_target: "db".into(),
        };
        assert_eq!(found.kind, kind);
        assert_eq!(found.target.as_deref(), Some("db"));
        assert_eq!(found.location.as_ref().map(|l| l.line), Some(3));
    }

    #[test]
    fn a_url_at_the_other_environments_host_is_refused_in_either_direction() {
        let url = format!("https://{PROD_HOST}");
        let staging = beside_production(Case::unprotected()).text("NEXT_PUBLIC_SUPABASE_URL", &url);
        let found = staging.only(CrossEnvironmentTarget);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::ForeignHost {
            name: "NEXT_PUBLIC_SUPABASE_URL".into(),
            host: PROD_HOST.into(),
            other_environment: "production".into(),
            owner: "target db".into(),
        };
        assert_eq!(found.kind, kind);
        // Production pointing at staging's project, named by its URL only.
        let mut prod = Case::protected().text("SUPABASE_URL", "https://stagingref.supabase.co");
        let mut staging = environment("staging");
        let url = variable(&staging, "SUPABASE_URL", "https://stagingref.supabase.co/");
        staging.variables.insert("SUPABASE_URL".into(), url);
        prod.others.push(staging);
        assert_eq!(prod.severities(CrossEnvironmentTarget), [Severity::Error]);
    }

    #[test]
    fn own_targets_other_places_and_local_on_staging_pass() {
        let own = beside_production(Case::unprotected())
            .target(
                "db",
                "supabase",
                &["project rdkstaging"],
                &["rdkstaging.supabase.co"],
            )
            .target("app", "vercel", &["project rdk, target preview"], &[])
            .text("URL", "https://rdkstaging.supabase.co")
            .text("SENTRY_DSN", "https://k@o1.ingest.sentry.io/2");
        assert_eq!(own.severities(CrossEnvironmentTarget), []);
        // The same place on another platform is another place.
        let other_kind = beside_production(Case::unprotected()).target(
            "x",
            "github",
            &["project rdk, target production"],
            &[],
        );
        assert_eq!(other_kind.severities(CrossEnvironmentTarget), []);
        let mut local = Case::local().text("URL", "https://stagingref.supabase.co");
        let mut staging = environment("staging");
        let db = target(
            "db",
            "supabase",
            &["project stagingref"],
            &["stagingref.supabase.co"],
        );
        staging.targets.insert("db".into(), db);
        local.others.push(staging);
        assert_eq!(local.severities(CrossEnvironmentTarget), []);
    }

    #[test]
    fn two_unprotected_environments_sharing_a_place_warn() {
        let mut case =
            Case::unprotected().target("app", "vercel", &["project rdk, target preview"], &[]);
        let mut preview = environment("preview");
        let app = target("app", "vercel", &["project rdk, target preview"], &[]);
        preview.targets.insert("app".into(), app);
        case.others.push(preview);
        assert_eq!(case.severities(CrossEnvironmentTarget), [Severity::Warning]);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = beside_production(Case::unprotected())
            .target("db", "supabase", &["project rdkproductionprojabc"], &[])
            .disable(CrossEnvironmentTarget);
        assert_eq!(case.severities(CrossEnvironmentTarget), []);
    }
}
