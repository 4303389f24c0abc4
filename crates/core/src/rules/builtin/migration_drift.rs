//! `migration-drift`: a migration history that disagrees with the files —
//! the Supabase CLI's push guards, or a D1 history naming files that are
//! gone. Refused where protected, a warning elsewhere.

use crate::rules::{Facts, Finding, FindingKind, Item, RuleId};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let env = facts.env();
    let mut out = Vec::new();
    for target in &facts.plan.targets {
        let d1 = target.traits.migrations_by_file;
        // A D1 database is configured on its target; Supabase's head
        // under `migrations`.
        let location = if d1 {
            env.targets.get(&target.name).map(|t| &t.location)
        } else {
            env.migrations.as_ref().map(|m| &m.location)
        };
        for change in target.changes.iter().filter(|c| c.is_schema_drift()) {
            let detail = change.reason.to_string();
            let kind = if d1 {
                FindingKind::D1MigrationDrift { detail }
            } else if target.traits.runner_history {
                FindingKind::RunnerMigrationDrift {
                    detail,
                    tool: target.traits.migration_tool.unwrap_or_default().to_string(),
                }
            } else {
                FindingKind::MigrationDrift { detail }
            };
            out.push(facts.finding(
                RuleId::MigrationDrift,
                facts.ctx.policy(),
                Some(&Item::whole(target)),
                location,
                kind,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::plan::{Action, Change, Reason, Subject};
    use crate::rules::fixture::Case;
    use crate::rules::{FindingKind, RuleId::MigrationDrift, Severity};

    fn head(reason: Reason) -> Change {
        Change {
            subject: Subject::MigrationHead,
            action: Action::Unchanged,
            before: None,
            after: None,
            reason,
            location: None,
        }
    }

    fn drift(case: Case, kind: &'static str) -> Case {
        let versions = vec!["20240101000000".to_string()];
        case.change("db", kind, head(Reason::LiveAhead { versions }))
    }

    #[test]
    fn drift_is_refused_where_protected_and_warned_elsewhere() {
        let found = drift(Case::protected(), "supabase").only(MigrationDrift);
        assert_eq!(found.severity, Severity::Error);
        assert!(matches!(found.kind, FindingKind::MigrationDrift { .. }));
        assert_eq!(found.variable(), None);
        let case = drift(Case::unprotected(), "supabase");
        assert_eq!(case.severities(MigrationDrift), [Severity::Warning]);
    }

    #[test]
    fn a_d1_history_gets_its_own_kind() {
        let found = drift(Case::protected(), "cloudflare").only(MigrationDrift);
        assert!(matches!(found.kind, FindingKind::D1MigrationDrift { .. }));
    }

    #[test]
    fn pending_migrations_are_not_drift() {
        let case = Case::protected().change("db", "supabase", head(Reason::PendingMigrations));
        assert_eq!(case.severities(MigrationDrift), []);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = drift(Case::protected(), "supabase").disable(MigrationDrift);
        assert_eq!(case.severities(MigrationDrift), []);
    }
}
