use super::*;

fn ordered(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    names.sort();
    wrangler_order(&mut names);
    names
}

#[test]
fn parse_int_reads_as_javascript_does() {
    assert_eq!(parse_int(" 12abc"), Some(12.0));
    assert_eq!(parse_int("-3"), Some(-3.0));
    assert_eq!(parse_int("0x1F"), Some(31.0));
    assert_eq!(parse_int("0001"), Some(1.0));
    assert_eq!(parse_int("abc"), None);
    assert_eq!(parse_int(""), None);
}

/// Each expectation is what node (V8) gives for wrangler's sort of the
/// same names.
#[test]
fn pending_files_follow_wranglers_sort() {
    assert_eq!(
        ordered(&[
            "0010_c.sql",
            "0002_b.sql",
            "10_a.sql",
            "1_x.sql",
            "abc.sql",
            "0x1F_hex.sql",
            "9_z.sql"
        ]),
        [
            "1_x.sql",
            "0002_b.sql",
            "9_z.sql",
            "0010_c.sql",
            "10_a.sql",
            "0x1F_hex.sql",
            "abc.sql"
        ]
    );
    assert_eq!(
        ordered(&["b.sql", "0003_c.sql", "a.sql", "0001_a.sql", "0002_b.sql"]),
        ["0001_a.sql", "0002_b.sql", "0003_c.sql", "a.sql", "b.sql"]
    );
    assert_eq!(
        ordered(&["3_a.sql", "2_a.sql", "1_a.sql", "x.sql", "0_a.sql"]),
        ["0_a.sql", "1_a.sql", "2_a.sql", "3_a.sql", "x.sql"]
    );
    // A descending run at the start, reversed; a NaN name after it.
    assert_eq!(
        ordered(&["10_b.sql", "9_a.sql", "a.sql", "1_c.sql"]),
        ["1_c.sql", "9_a.sql", "10_b.sql", "a.sql"]
    );
    assert_eq!(
        ordered(&["30_x.sql", "200_y.sql", "1000_z.sql", "b_.sql", "4_q.sql"]),
        ["4_q.sql", "30_x.sql", "200_y.sql", "1000_z.sql", "b_.sql"]
    );
}

#[test]
fn statements_are_wranglers_byte_for_byte() {
    assert_eq!(
        create_table("d1_migrations"),
        "CREATE TABLE IF NOT EXISTS d1_migrations(\n\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,\n\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);"
    );
    assert_eq!(list_applied("m"), "SELECT *\n\t\tFROM m\n\t\tORDER BY id");
    assert_eq!(
        record("d1_migrations", "0001_init.sql"),
        "\n\t\t\t\t\t\t\t\tINSERT INTO d1_migrations (name)\n\t\t\t\t\t\t\t\tvalues ('0001_init.sql');\n\t\t\t\t\t\t"
    );
}
