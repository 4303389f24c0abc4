//! The source files of one Edge Function, as the deploy endpoint takes them:
//! every file under `<functions>/<slug>/` (and the shared `_shared/` folder
//! the Supabase CLI bundles too), named by their path from the project
//! root, with the entrypoint and import map named in the metadata.

use std::path::Path;

use super::api::Bundle;

const ENTRYPOINTS: [&str; 5] = [
    "index.ts",
    "index.tsx",
    "index.js",
    "index.jsx",
    "index.mjs",
];
const IMPORT_MAPS: [&str; 3] = ["deno.json", "deno.jsonc", "import_map.json"];
/// Supabase's own limit on a function's source is 20 MB after bundling;
/// uploading more than this is certainly a mistake (a `node_modules`).
const MAX_BYTES: u64 = 20 * 1024 * 1024;

/// Reads `<dir>/<slug>/` (and `<dir>/_shared/`). `shown_dir` is `dir` as
/// written in the project file, used to name the files.
pub fn read(dir: &Path, shown_dir: &str, slug: &str) -> Result<Bundle, String> {
    let folder = dir.join(slug);
    if !folder.is_dir() {
        return Err(format!(
            "no source folder {shown_dir}/{slug}; create it (with an index.ts) or fix the function's name"
        ));
    }
    let prefix = shown_dir.trim_end_matches('/');
    let mut files = Vec::new();
    let mut total = 0;
    collect(&folder, &format!("{prefix}/{slug}"), &mut files, &mut total)?;
    let shared = dir.join("_shared");
    if shared.is_dir() {
        collect(
            &shared,
            &format!("{prefix}/_shared"),
            &mut files,
            &mut total,
        )?;
    }
    if total > MAX_BYTES {
        return Err(format!(
            "{shown_dir}/{slug} holds {} MB of files; Edge Functions are limited to 20 MB",
            total / (1024 * 1024)
        ));
    }
    let entry = ENTRYPOINTS
        .iter()
        .find(|e| folder.join(e).is_file())
        .ok_or_else(|| {
            format!("{shown_dir}/{slug} has no entrypoint; create {shown_dir}/{slug}/index.ts")
        })?;
    let import_map = IMPORT_MAPS
        .iter()
        .find(|m| folder.join(m).is_file())
        .map(|m| format!("{prefix}/{slug}/{m}"));
    files.sort();
    Ok(Bundle {
        entrypoint_path: format!("{prefix}/{slug}/{entry}"),
        import_map_path: import_map,
        files,
    })
}

/// Every regular file under `folder`, skipping dot-files and `node_modules`.
fn collect(
    folder: &Path,
    shown: &str,
    files: &mut Vec<(String, Vec<u8>)>,
    total: &mut u64,
) -> Result<(), String> {
    let entries = std::fs::read_dir(folder).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "node_modules" {
            continue;
        }
        let path = entry.path();
        let shown_path = format!("{shown}/{name}");
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read {shown_path}: {e}"))?;
        if kind.is_dir() {
            collect(&path, &shown_path, files, total)?;
        } else if kind.is_file() {
            let bytes =
                std::fs::read(&path).map_err(|e| format!("cannot read {shown_path}: {e}"))?;
            *total += bytes.len() as u64;
            if *total > MAX_BYTES {
                return Err(format!(
                    "{shown} holds more than 20 MB of files; Edge Functions are limited to 20 MB"
                ));
            }
            files.push((shown_path, bytes));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_files_from_the_project_root_with_entrypoint_and_import_map() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("hello");
        std::fs::create_dir_all(f.join("lib")).unwrap();
        std::fs::create_dir_all(dir.path().join("_shared")).unwrap();
        std::fs::create_dir_all(f.join("node_modules/x")).unwrap();
        std::fs::write(f.join("index.ts"), "export {}").unwrap();
        std::fs::write(f.join("deno.json"), "{}").unwrap();
        std::fs::write(f.join("lib/util.ts"), "1").unwrap();
        std::fs::write(f.join(".env"), "SECRET=1").unwrap();
        std::fs::write(f.join("node_modules/x/a.js"), "1").unwrap();
        std::fs::write(dir.path().join("_shared/cors.ts"), "2").unwrap();
        let b = read(dir.path(), "supabase/functions", "hello").unwrap();
        assert_eq!(b.entrypoint_path, "supabase/functions/hello/index.ts");
        assert_eq!(
            b.import_map_path.as_deref(),
            Some("supabase/functions/hello/deno.json")
        );
        let names: Vec<&str> = b.files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "supabase/functions/_shared/cors.ts",
                "supabase/functions/hello/deno.json",
                "supabase/functions/hello/index.ts",
                "supabase/functions/hello/lib/util.ts",
            ]
        );
    }

    #[test]
    fn a_missing_folder_or_entrypoint_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), "supabase/functions", "nope").unwrap_err();
        assert!(
            err.contains("no source folder supabase/functions/nope"),
            "{err}"
        );
        std::fs::create_dir_all(dir.path().join("empty")).unwrap();
        let err = read(dir.path(), "supabase/functions", "empty").unwrap_err();
        assert!(err.contains("no entrypoint"), "{err}");
    }
}
