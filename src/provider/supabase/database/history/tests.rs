use std::path::Path;

use super::local::{Key, scan};
use super::read::{matched, query};
use super::{Runner, Source};

fn write(dir: &Path, names: &[&str]) {
    for name in names {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "select 1;\n").unwrap();
    }
}

fn ids(runner: Runner, dir: &Path) -> Vec<String> {
    scan(runner, dir)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

fn source(runner: Runner, dir: &Path) -> Source {
    Source {
        runner,
        table: None,
        schema: None,
        folder: dir.to_path_buf(),
    }
}

fn row(cells: &[Option<&str>]) -> Vec<Option<String>> {
    cells.iter().map(|c| c.map(str::to_string)).collect()
}

#[test]
fn node_pg_migrate_orders_by_number_then_name_and_records_stems() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            "010_b.sql",
            "9_a.js",
            "001_x.sql",
            ".hidden",
            "1700000000000_t.ts",
        ],
    );
    assert_eq!(
        ids(Runner::NodePgMigrate, dir.path()),
        ["001_x", "9_a", "010_b", "1700000000000_t"]
    );
    let rows = [row(&[Some("001_x")]), row(&[Some("9_a")])];
    let applied = matched(&source(Runner::NodePgMigrate, dir.path()), &rows, &[]);
    assert_eq!(applied.ids, ["001_x", "9_a"]);
}

#[test]
fn knex_takes_its_extensions_in_name_order_and_records_file_names() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &["20240102_b.ts", "20240101_a.js", "notes.md", "x.sql"],
    );
    assert_eq!(
        ids(Runner::Knex, dir.path()),
        ["20240101_a.js", "20240102_b.ts"]
    );
}

#[test]
fn prisma_reads_folders_and_skips_failed_and_rolled_back_rows() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            "20240101000000_init/migration.sql",
            "20240102000000_two/migration.sql",
            "migration_lock.toml",
        ],
    );
    std::fs::create_dir(dir.path().join("20240103000000_empty")).unwrap();
    assert_eq!(
        ids(Runner::Prisma, dir.path()),
        ["20240101000000_init", "20240102000000_two"]
    );
    let rows = [
        row(&[Some("20240101000000_init"), Some("t"), Some("f")]),
        row(&[Some("20240102000000_two"), Some("f"), Some("t")]),
        row(&[Some("20240102000000_two"), Some("f"), Some("f")]),
    ];
    let applied = matched(&source(Runner::Prisma, dir.path()), &rows, &[]);
    assert_eq!(applied.ids, ["20240101000000_init"]);
    assert!(
        applied.warnings[0].contains("P3009"),
        "{:?}",
        applied.warnings
    );
}

#[test]
fn drizzle_matches_created_at_to_the_journals_when_then_the_hash() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["0000_init.sql", "0001_two.sql"]);
    std::fs::create_dir(dir.path().join("meta")).unwrap();
    std::fs::write(
        dir.path().join("meta/_journal.json"),
        r#"{"version":"7","dialect":"postgresql","entries":[
            {"idx":0,"version":"7","when":1700000000000,"tag":"0000_init","breakpoints":true},
            {"idx":1,"version":"7","when":1700000001000,"tag":"0001_two","breakpoints":true}]}"#,
    )
    .unwrap();
    let local = scan(Runner::Drizzle, dir.path()).unwrap();
    assert_eq!(local[1].key, Key::When(1_700_000_001_000));
    // sha256("select 1;\n")
    let hash = "4a45092ccf992ea92250053a80b931b787924ba61648f420555511b84f10ab6c";
    let rows = [
        row(&[Some(hash), Some("1700000000000")]),
        row(&[Some("ffff00001111"), Some("1600000000000")]),
    ];
    let applied = matched(&source(Runner::Drizzle, dir.path()), &rows, &local);
    assert_eq!(applied.ids[0], "0000_init");
    assert!(
        applied.ids[1].starts_with("created_at 1600000000000"),
        "{:?}",
        applied.ids
    );
}

#[test]
fn golang_migrate_applies_everything_up_to_its_one_version() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            "1_init.up.sql",
            "1_init.down.sql",
            "2_two.up.sql",
            "10_ten.up.sql",
            "3_x.down.up.sql",
            "4_y.up.down.sql",
        ],
    );
    assert_eq!(
        ids(Runner::GolangMigrate, dir.path()),
        ["1", "2", "3", "10"]
    );
    let local = scan(Runner::GolangMigrate, dir.path()).unwrap();
    let src = source(Runner::GolangMigrate, dir.path());
    let clean = matched(&src, &[row(&[Some("3"), Some("f")])], &local);
    assert_eq!(clean.ids, ["1", "2", "3"]);
    assert!(clean.warnings.is_empty());
    let dirty = matched(&src, &[row(&[Some("3"), Some("t")])], &local);
    assert_eq!(dirty.ids, ["1", "2"]);
    assert!(dirty.warnings[0].contains("dirty at version 3"));
    let ahead = matched(&src, &[row(&[Some("11"), Some("f")])], &local);
    assert_eq!(ahead.ids, ["1", "2", "3", "10", "11"]);
    assert!(matched(&src, &[], &local).ids.is_empty());
}

#[test]
fn flyway_versions_are_numeric_parts_and_baselines_cover_older_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            "V1__init.sql",
            "V1_1__two.sql",
            "V2__three.sql",
            "V10__ten.sql",
            "R__view.sql",
            "U2__undo.sql",
        ],
    );
    assert_eq!(ids(Runner::Flyway, dir.path()), ["1", "1.1", "2", "10"]);
    let local = scan(Runner::Flyway, dir.path()).unwrap();
    let src = source(Runner::Flyway, dir.path());
    let rows = [
        row(&[None, Some("SCHEMA"), Some("t")]),
        row(&[Some("1"), Some("SQL"), Some("t")]),
        row(&[Some("1.1"), Some("SQL"), Some("t")]),
        row(&[Some("2"), Some("SQL"), Some("f")]),
        row(&[None, Some("SQL"), Some("t")]),
    ];
    let applied = matched(&src, &rows, &local);
    assert_eq!(applied.ids, ["1", "1.1"]);
    assert!(applied.warnings[0].contains("version 2 as failed"));
    let baseline = [row(&[Some("2"), Some("BASELINE"), Some("t")])];
    assert_eq!(matched(&src, &baseline, &local).ids, ["1", "1.1", "2"]);
    let undone = [
        row(&[Some("1"), Some("SQL"), Some("t")]),
        row(&[Some("1"), Some("UNDO_SQL"), Some("t")]),
        row(&[Some("3.0"), Some("SQL"), Some("t")]),
    ];
    assert_eq!(matched(&src, &undone, &local).ids, ["3"]);
    std::fs::write(dir.path().join("V1.x__bad.sql"), "").unwrap();
    assert!(
        scan(Runner::Flyway, dir.path())
            .unwrap_err()
            .contains("V1.x__bad.sql")
    );
}

#[test]
fn queries_quote_the_table_and_use_each_runners_default_schema() {
    let dir = Path::new("/nowhere");
    assert_eq!(
        query(&source(Runner::NodePgMigrate, dir)),
        r#"SELECT name FROM "public"."pgmigrations" ORDER BY run_on, id"#
    );
    assert_eq!(
        query(&source(Runner::Knex, dir)),
        r#"SELECT name FROM "knex_migrations" ORDER BY id"#
    );
    let custom = Source {
        table: Some("my\"table".into()),
        schema: Some("app".into()),
        ..source(Runner::Drizzle, dir)
    };
    assert!(query(&custom).contains(r#"FROM "app"."my""table" ORDER"#));
}

#[test]
fn the_schemas_offer_every_runner_and_no_other() {
    fn history_enum(value: &serde_json::Value) -> Option<Vec<String>> {
        match value {
            serde_json::Value::Object(map) => map
                .get("history")
                .and_then(|h| h.get("examples"))
                .and_then(|e| serde_json::from_value(e.clone()).ok())
                .or_else(|| map.values().find_map(history_enum)),
            serde_json::Value::Array(items) => items.iter().find_map(history_enum),
            _ => None,
        }
    }
    let names: Vec<String> = Runner::ALL.iter().map(|r| r.name().to_string()).collect();
    for file in ["envctl.schema.json", "environment.schema.json"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(file);
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(history_enum(&schema).as_ref(), Some(&names), "{file}");
    }
    assert_eq!(Runner::parse("liquibase"), None);
}
