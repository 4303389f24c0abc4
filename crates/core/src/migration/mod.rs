//! Migration statements: a file split the way the Supabase CLI splits it,
//! and whether a file still says what the history recorded for it.

pub mod kind;
pub mod split;

/// Whether a file's statements are what the history recorded for its
/// version: the same, or the same code — differing only in comments,
/// spacing, or where statements were split (an older CLI split a few
/// constructs its own way).
pub fn same_statements(local: &[String], recorded: &[String]) -> bool {
    if local == recorded {
        return true;
    }
    let code = |parts: &[String]| -> String { parts.iter().map(|p| split::code(p)).collect() };
    code(local) == code(recorded)
}

#[cfg(test)]
mod tests {
    use super::same_statements;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn statements_compare_up_to_spacing_and_boundaries() {
        assert!(same_statements(
            &v(&["select 1", "select 2"]),
            &v(&["select 1", "select 2"])
        ));
        assert!(same_statements(
            &v(&["select 1", "select 2"]),
            &v(&["select 1;\nselect 2"])
        ));
        assert!(same_statements(&v(&["select  1"]), &v(&["select 1"])));
        assert!(same_statements(
            &v(&["-- new comment\nselect 1"]),
            &v(&["select 1"])
        ));
        assert!(!same_statements(
            &v(&["select 'a  b'"]),
            &v(&["select 'a b'"])
        ));
        assert!(!same_statements(&v(&["select 1"]), &v(&["select 2"])));
        assert!(!same_statements(
            &v(&["select 1"]),
            &v(&["select 1", "select 2"])
        ));
    }
}
