//! `auth-url`: a project's Auth URLs (`auth.site_url`, `auth.redirect_urls`)
//! pointing at this machine or at another environment's host — the classic
//! staging-redirects-to-production mistake, where a sign-in or a password
//! reset started in one environment lands in another. Runbook 002 §"Issue:
//! Authentication Not Working" ends at "Verify Supabase project settings";
//! this rule checks them before they are written.
//!
//! In a protected environment any such URL is refused. Elsewhere a host of
//! a protected environment warns (staging redirecting to production); a
//! localhost `site_url` warns outside local environments, and localhost
//! redirect URLs pass there (a developer's app signing in against staging).

use std::collections::{BTreeMap, BTreeSet};

use crate::detect::{loopback_host, url_hosts};
use crate::diagnostic::Location;
use crate::model::Environment;
use crate::rules::{Facts, Finding, FindingKind, RuleId, Severity};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let env = facts.env();
    let Some(auth) = &env.settings.auth else {
        return Vec::new();
    };
    let own: BTreeSet<String> = env
        .targets
        .values()
        .flat_map(|t| t.settings.identity().hosts)
        .collect();
    let others: Vec<(&Environment, Severity, BTreeMap<String, String>)> = facts
        .ctx
        .environments
        .iter()
        .filter(|o| o.name != env.name)
        .filter_map(|o| {
            let severity = if env.protected {
                Severity::Error
            } else if o.protected {
                Severity::Warning
            } else {
                return None;
            };
            Some((*o, severity, hosts_of(o)))
        })
        .collect();
    let mut out = Vec::new();
    for (field, url, location) in auth.located_urls() {
        if let Some(host) = loopback_host(url) {
            if let Some(severity) = loopback_severity(env, field) {
                let kind = FindingKind::AuthUrlLocalhost {
                    field,
                    url: url.to_string(),
                    host,
                };
                out.push(finding(facts, severity, location, kind));
            }
            continue;
        }
        let Some(host) = url_hosts(url).into_iter().next() else {
            continue;
        };
        if own.contains(&host) {
            continue;
        }
        for (other, severity, hosts) in &others {
            let Some(owner) = hosts.get(&host) else {
                continue;
            };
            let kind = FindingKind::AuthUrlForeignHost {
                field,
                url: url.to_string(),
                host: host.clone(),
                other_environment: other.name.clone(),
                owner: owner.clone(),
            };
            out.push(finding(facts, *severity, location, kind));
        }
    }
    out
}

/// A localhost URL is refused where protected; outside local ones a
/// localhost `site_url` warns (sign-in emails would link to it).
fn loopback_severity(env: &Environment, field: &str) -> Option<Severity> {
    if env.protected {
        Some(Severity::Error)
    } else if env.local || field != "site_url" {
        None
    } else {
        Some(Severity::Warning)
    }
}

fn finding(facts: &Facts<'_>, severity: Severity, at: &Location, kind: FindingKind) -> Finding {
    facts.finding(RuleId::AuthUrl, severity, None, Some(at), kind)
}

/// The hosts that serve `other`, each with what ties it there: those its
/// targets name, then its own `site_url`'s. Its redirect URLs and
/// variables are not asked: allow lists and URLs of shared services name
/// hosts that are not its own. Wildcard and localhost hosts are no one's.
fn hosts_of(other: &Environment) -> BTreeMap<String, String> {
    let mut hosts = BTreeMap::new();
    for target in other.targets.values() {
        for host in target.settings.identity().hosts {
            hosts.insert(host, format!("target {}", target.name));
        }
    }
    let site = other
        .settings
        .auth
        .as_ref()
        .and_then(|a| a.site_url.as_ref());
    if let Some(url) = site.filter(|u| loopback_host(u).is_none()) {
        for host in url_hosts(url) {
            hosts.entry(host).or_insert_with(|| "its site_url".into());
        }
    }
    hosts.retain(|h, _| !h.contains('*'));
    hosts
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::diagnostic::Location;
    use crate::model::{Auth, Environment};
    use crate::rules::fixture::{Case, environment, target};
    use crate::rules::{FindingKind, RuleId::AuthUrl, Severity};

    /// `auth:` with `site` and `redirects`, the site URL at line 5 and
    /// each redirect URL on the lines after it.
    fn auth(site: &str, redirects: &[&str]) -> Auth {
        let at = |line| Location {
            file: PathBuf::from("environments/env.yaml"),
            line,
            column: 13,
        };
        Auth {
            site_url: Some(site.into()),
            redirect_urls: Some(redirects.iter().map(|u| u.to_string()).collect()),
            location: at(4),
            url_locations: (5..6 + redirects.len()).map(at).collect(),
        }
    }

    fn with_auth(mut case: Case, site: &str, redirects: &[&str]) -> Case {
        case.env.settings.auth = Some(auth(site, redirects));
        case
    }

    /// Production, served at app.huddle.test by its `site_url`, and
    /// staging, whose Cloudflare target serves staging.huddle.test.
    fn others() -> Vec<Environment> {
        let mut prod = environment("production");
        prod.settings.auth = Some(auth("https://app.huddle.test", &[]));
        let mut staging = environment("staging");
        let pages = target("web", "cloudflare", &[], &["staging.huddle.test"]);
        staging.targets.insert("web".into(), pages);
        vec![prod, staging]
    }

    fn beside(mut case: Case) -> Case {
        let name = case.env.name.clone();
        case.others = others().into_iter().filter(|o| o.name != name).collect();
        case
    }

    #[test]
    fn a_production_site_url_at_localhost_is_refused_at_its_line() {
        let case = with_auth(Case::protected(), "http://localhost:3000", &[]);
        let found = case.only(AuthUrl);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::AuthUrlLocalhost {
            field: "site_url",
            url: "http://localhost:3000".into(),
            host: "localhost".into(),
        };
        assert_eq!(found.kind, kind);
        assert_eq!(found.location.as_ref().map(|l| l.line), Some(5));
        assert!(found.message().contains("`auth.site_url`"), "{found}");
    }

    #[test]
    fn production_redirecting_to_stagings_host_or_127_is_refused() {
        let redirects = [
            "https://app.huddle.test/auth/callback",
            "https://staging.huddle.test/auth/callback",
            "http://127.0.0.1:5173/cb",
        ];
        let case = beside(with_auth(
            Case::protected(),
            "https://app.huddle.test",
            &redirects,
        ));
        let found = case.findings(AuthUrl);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|f| f.severity == Severity::Error));
        let lines: Vec<usize> = found
            .iter()
            .filter_map(|f| Some(f.location.as_ref()?.line))
            .collect();
        assert_eq!(lines, [7, 8]);
        let foreign = found
            .iter()
            .find(|f| f.location.as_ref().map(|l| l.line) == Some(7));
        let kind = FindingKind::AuthUrlForeignHost {
            field: "redirect_urls",
            url: redirects[1].into(),
            host: "staging.huddle.test".into(),
            other_environment: "staging".into(),
            owner: "target web".into(),
        };
        assert_eq!(foreign.map(|f| &f.kind), Some(&kind));
    }

    #[test]
    fn staging_redirecting_to_production_warns() {
        let case = beside(with_auth(
            Case::unprotected(),
            "https://app.huddle.test",
            &["http://localhost:3000/cb"],
        ));
        let found = case.only(AuthUrl);
        assert_eq!(found.severity, Severity::Warning);
        assert!(
            found.message().contains("production's (its site_url)"),
            "{found}"
        );
    }

    #[test]
    fn own_hosts_wildcards_and_localhost_in_local_pass() {
        let redirects = ["https://*.huddle.test/**", "myapp://callback"];
        let prod = beside(with_auth(
            Case::protected(),
            "https://app.huddle.test",
            &redirects,
        ));
        assert_eq!(prod.severities(AuthUrl), []);
        let staging = beside(with_auth(
            Case::unprotected(),
            "https://staging.huddle.test",
            &[
                "http://localhost:3000/cb",
                "https://app.huddle.test.example.org",
            ],
        ));
        assert_eq!(staging.severities(AuthUrl), []);
        let local = beside(with_auth(Case::local(), "http://localhost:3000", &[]));
        assert_eq!(local.severities(AuthUrl), []);
        // Staging's site_url at localhost is a warning, not a refusal.
        let staging = with_auth(Case::unprotected(), "http://0.0.0.0:3000", &[]);
        assert_eq!(staging.severities(AuthUrl), [Severity::Warning]);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = with_auth(Case::protected(), "http://localhost:3000", &[]).disable(AuthUrl);
        assert_eq!(case.severities(AuthUrl), []);
    }
}
