//! The slug rule at its edges, and a missing function folder: an error
//! only where a target would deploy it.

use super::*;

#[test]
fn a_slug_starts_with_a_letter_then_letters_digits_dash_and_underscore() {
    for good in ["a", "hello-world", "stripe_webhook", "Fn2"] {
        assert!(valid_slug(good), "{good}");
    }
    for bad in ["", "2fast", "-x", "_x", "a.b", "a b", "é"] {
        assert!(!valid_slug(bad), "{bad}");
    }
    assert!(function_name("ok", Path::new("f.yaml"), None).is_none());
    assert!(function_name("2fast", Path::new("f.yaml"), None).is_some_and(|d| d.is_error()));
}

#[test]
fn a_missing_folder_is_an_error_only_where_the_function_is_deployed() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join(FUNCTIONS_DIR).join("here")).expect("a folder");
    let check = |slug: &str, deploys: bool| {
        function_folder(
            dir.path(),
            FUNCTIONS_DIR,
            slug,
            deploys,
            Path::new("f.yaml"),
            None,
        )
    };
    assert!(check("here", true).is_none());
    assert!(check("gone", true).is_some_and(|d| d.is_error()));
    assert!(check("gone", false).is_some_and(|d| !d.is_error()));
}
