//! `supabase-key-project`: a Supabase anon or service-role key is a JWT
//! whose payload names its project (`ref`). Pasted from the wrong
//! dashboard tab — staging's anon key under production's URL — every
//! request fails its signature check, or worse, a service-role key reaches
//! the other environment's data. Runbook 001 §3 (promotion from the
//! staging Supabase to production), runbook 002's "Verify
//! `NEXT_PUBLIC_SUPABASE_URL` and `NEXT_PUBLIC_SUPABASE_ANON_KEY`", and
//! runbook 003 §12's staging→prod promotion incident.

use crate::detect::{supabase_host_project, supabase_key_project, url_hosts};
use crate::plan::{SecretOrigin, Value};
use crate::rules::{Facts, Finding, FindingKind, Item, RuleId};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let projects = projects(facts);
    if projects.is_empty() {
        return Vec::new();
    }
    facts
        .items
        .iter()
        .filter_map(|item| {
            let key_project = key_project(facts, item)?;
            let (project, named_by) = projects.iter().find(|(p, _)| *p != key_project)?;
            Some(facts.finding(
                RuleId::SupabaseKeyProject,
                facts.ctx.policy(),
                Some(item),
                None,
                FindingKind::SupabaseKeyProject {
                    name: item.name.to_string(),
                    key_project,
                    project: project.clone(),
                    named_by: named_by.clone(),
                },
            ))
        })
        .collect()
}

/// The environment's Supabase projects and what names each: its targets'
/// hosts (`<ref>.supabase.co`), then the URLs in its plain values.
fn projects(facts: &Facts<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for target in facts.env().targets.values() {
        for host in target.settings.identity().hosts {
            if let Some(project) = supabase_host_project(&host) {
                out.push((project.to_string(), format!("target {}", target.name)));
            }
        }
    }
    for item in &facts.items {
        let Value::Text { text } = item.value else {
            continue;
        };
        if !text.contains(".supabase.") {
            continue;
        }
        for host in url_hosts(text) {
            if let Some(project) = supabase_host_project(&host) {
                out.push((project.to_string(), item.name.to_string()));
            }
        }
    }
    out
}

/// The project a key names, when its value is known: a plain value, a
/// literal that looks secret (its text is in the environment's file), or
/// a resolved reference. `validate` resolves nothing, so it judges only
/// the keys written in YAML (anon keys, which are public).
fn key_project(facts: &Facts<'_>, item: &Item<'_>) -> Option<String> {
    match item.value {
        Value::Text { text } => supabase_key_project(text),
        Value::Secret {
            origin: SecretOrigin::Literal,
            ..
        } => supabase_key_project(facts.env().variables.get(item.name)?.plain()?),
        Value::Secret {
            origin: SecretOrigin::Reference(_),
            ..
        } => facts.ctx.key_projects.get(item.name).cloned(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::SecretOrigin;
    use crate::rules::fixture::{Case, secret};
    use crate::rules::{FindingKind, RuleId::SupabaseKeyProject, Severity};

    const STAGING: &str = "rdkstagingprojectxyz";
    const PRODUCTION: &str = "rdkproductionprojabc";

    /// An anon key of `project`, as the dashboard shows it.
    fn anon(project: &str) -> String {
        let b64 = |s: &str| {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in s.as_bytes().chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
                for i in 0..=chunk.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        };
        let payload = format!(r#"{{"iss":"supabase","ref":"{project}","role":"anon"}}"#);
        format!("eyJhbGciOiJIUzI1NiJ9.{}.c2lnbmF0dXJl", b64(&payload))
    }

    fn production(case: Case) -> Case {
        let host = format!("{PRODUCTION}.supabase.co");
        case.target("db", "supabase", &[], &[host.as_str()])
            .text("NEXT_PUBLIC_SUPABASE_URL", &format!("https://{host}"))
    }

    #[test]
    fn the_staging_anon_key_under_the_production_url_is_refused_where_protected() {
        let case =
            production(Case::protected()).text("NEXT_PUBLIC_SUPABASE_ANON_KEY", &anon(STAGING));
        let found = case.only(SupabaseKeyProject);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::SupabaseKeyProject {
            name: "NEXT_PUBLIC_SUPABASE_ANON_KEY".into(),
            key_project: STAGING.into(),
            project: PRODUCTION.into(),
            named_by: "target db".into(),
        };
        assert_eq!(found.kind, kind);
        let staging = production(Case::unprotected()).text("KEY", &anon(STAGING));
        assert_eq!(staging.severities(SupabaseKeyProject), [Severity::Warning]);
    }

    #[test]
    fn a_url_alone_names_the_project_and_a_resolved_service_key_is_judged() {
        let url = format!("https://{PRODUCTION}.supabase.co/rest/v1");
        let mut case = Case::protected().text("SUPABASE_URL", &url).set(
            "SUPABASE_SERVICE_ROLE_KEY",
            secret(SecretOrigin::Reference("env:SRK".into()), None),
        );
        case.key_projects
            .insert("SUPABASE_SERVICE_ROLE_KEY".into(), STAGING.into());
        let found = case.only(SupabaseKeyProject);
        assert_eq!(found.variable(), Some("SUPABASE_SERVICE_ROLE_KEY"));
        assert!(
            found
                .message()
                .contains("while SUPABASE_URL puts production in project"),
            "{}",
            found.message()
        );
    }

    #[test]
    fn the_right_key_an_unknown_project_or_an_unresolved_key_pass() {
        let right = production(Case::protected()).text("ANON", &anon(PRODUCTION));
        assert_eq!(right.severities(SupabaseKeyProject), []);
        let no_project = Case::protected().text("ANON", &anon(STAGING));
        assert_eq!(no_project.severities(SupabaseKeyProject), []);
        let unresolved = production(Case::protected()).set(
            "SUPABASE_SERVICE_ROLE_KEY",
            secret(SecretOrigin::Reference("env:SRK".into()), None),
        );
        assert_eq!(unresolved.severities(SupabaseKeyProject), []);
    }

    #[test]
    fn a_url_and_a_target_that_disagree_refuse_any_key() {
        let case = production(Case::protected())
            .text(
                "VITE_SUPABASE_URL",
                &format!("https://{STAGING}.supabase.co"),
            )
            .text("ANON", &anon(PRODUCTION));
        let found = case.only(SupabaseKeyProject);
        assert!(found.message().contains(STAGING), "{}", found.message());
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = production(Case::protected()).text("ANON", &anon(STAGING));
        let case = case.disable(SupabaseKeyProject);
        assert_eq!(case.severities(SupabaseKeyProject), []);
    }
}
