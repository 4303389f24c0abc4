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
use crate::rules::{Facts, Finding, FindingKind, Item, RuleId, Severity};

/// This environment's URLs: each value that holds one, with those of its
/// hosts that its own targets do not serve. Found once, then compared with
/// every other environment.
type Urls<'a> = Vec<(&'a Item<'a>, Vec<String>)>;

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let env = facts.env();
    let own: BTreeSet<String> = env
        .targets
        .values()
        .flat_map(|t| t.settings.identity().hosts)
        .collect();
    let urls: Urls<'_> = facts
        .items
        .iter()
        .filter_map(|item| match item.value {
            Value::Text { text } if text.contains("://") => {
                let hosts: Vec<String> = url_hosts(text)
                    .into_iter()
                    .filter(|h| !own.contains(h))
                    .collect();
                (!hosts.is_empty()).then_some((item, hosts))
            }
            _ => None,
        })
        .collect();
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
        foreign_hosts(facts, &urls, other, severity, &mut out);
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
/// environment's own targets serve too is its own (and if `other`'s
/// target writes there as well, that is reported as a shared target).
fn foreign_hosts(
    facts: &Facts<'_>,
    urls: &Urls<'_>,
    other: &Environment,
    severity: Severity,
    out: &mut Vec<Finding>,
) {
    let theirs = hosts_of(other, urls);
    for (item, hosts) in urls {
        for host in hosts {
            let Some(owner) = theirs.get(host) else {
                continue;
            };
            out.push(facts.finding(
                RuleId::CrossEnvironmentTarget,
                severity,
                Some(*item),
                None,
                FindingKind::ForeignHost {
                    name: item.name.to_string(),
                    host: host.clone(),
                    other_environment: other.name.clone(),
                    owner: owner.clone(),
                },
            ));
        }
    }
}

/// Of the hosts in `urls`, those that serve `other`, each with what ties
/// it there: its targets' hosts, then the Supabase project hosts its own
/// URLs use. Its values are read only for a Supabase host this
/// environment's targets do not serve, which is rare: the check stays
/// linear in the variables for every pair of environments.
fn hosts_of(other: &Environment, urls: &Urls<'_>) -> BTreeMap<String, String> {
    let mut hosts = BTreeMap::new();
    for target in other.targets.values() {
        for host in target.settings.identity().hosts {
            hosts.insert(host, format!("target {}", target.name));
        }
    }
    let wanted: BTreeSet<&String> = urls
        .iter()
        .flat_map(|(_, h)| h)
        .filter(|h| !hosts.contains_key(*h) && supabase_host_project(h).is_some())
        .collect();
    if wanted.is_empty() {
        return hosts;
    }
    for var in other.variables.values() {
        let Some(text) = var.plain().filter(|t| t.contains(".supabase.")) else {
            continue;
        };
        for host in url_hosts(text) {
            if wanted.contains(&host) {
                hosts.entry(host).or_insert_with(|| var.name.clone());
            }
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
