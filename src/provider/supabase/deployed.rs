//! Whether a function's deployed code is the local source.
//!
//! Supabase keeps no record envctl could write a digest into, and the
//! `ezbr_sha256` it lists is the digest of the bundle its servers built
//! (an eszip), which only Deno's bundler could reproduce. What it does
//! give back is the source: `GET …/functions/{slug}/body` with
//! `Accept: multipart/form-data` answers with the deployed files (as
//! `supabase functions download` reads them). envctl compares those
//! file by file with the local folder, each named by its path from the
//! entrypoint's folder (the server keeps its own prefix in front of the
//! uploaded names): one request per function that exists live and has a
//! local folder.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::api::{Bundle, FunctionInfo};
use super::{DEPLOY_CONCURRENCY, SupabaseProvider, bundle};
use crate::provider::ProviderError;
use crate::provider::http::Failure;

impl SupabaseProvider {
    /// How many files differ between each listed function's deployed code
    /// and its local folder, for the functions that have one, a few at a
    /// time. A body that cannot be read or compared is a warning: that
    /// function's code is then not compared.
    pub(super) async fn changed_sources(
        &self,
        functions: &[FunctionInfo],
        warnings: &mut Vec<String>,
    ) -> Result<BTreeMap<String, usize>, ProviderError> {
        let dir = self.root.join(&self.functions_dir);
        let limit = Arc::new(Semaphore::new(DEPLOY_CONCURRENCY));
        let mut tasks = JoinSet::new();
        for f in functions {
            if f.status == "REMOVED" || !dir.join(&f.slug).is_dir() {
                continue;
            }
            let local = match bundle::read(&dir, &self.functions_dir, &f.slug) {
                Ok(b) => b,
                Err(why) => {
                    warnings.push(format!(
                        "the code of Edge Function {} was not compared: {why}",
                        f.slug
                    ));
                    continue;
                }
            };
            let (api, project, limit) = (self.api.clone(), self.project_ref.clone(), limit.clone());
            let (slug, entry) = (
                f.slug.clone(),
                f.entrypoint_path.clone().unwrap_or_default(),
            );
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("never closed");
                let body = api.function_body(&project, &slug).await;
                (slug, local, entry, body)
            });
        }
        let mut changed = BTreeMap::new();
        while let Some(joined) = tasks.join_next().await {
            let (slug, local, entry, body) = joined.expect("body reads do not panic");
            let body = match body {
                Ok(Some(body)) => body,
                Ok(None) => continue,
                // 120 reads a minute per endpoint: a plan is not refused
                // because code could not be compared, it says so.
                Err(e) if e.failure == Failure::RateLimited => {
                    warnings.push(format!(
                        "the code of Edge Function {slug} was not compared: Supabase's limit of 120 code reads a minute is spent; plan again in a minute"
                    ));
                    continue;
                }
                Err(e) if matches!(e.failure, Failure::Rejected | Failure::Server) => {
                    warnings.push(format!(
                        "the code of Edge Function {slug} was not compared: {}",
                        e.message
                    ));
                    continue;
                }
                Err(e) => return Err(self.error(e, "edge_functions:read")),
            };
            match parse(&body) {
                Ok(deployed) => {
                    changed.insert(slug, changed_files(&local, &deployed, &entry));
                }
                Err(why) => warnings.push(format!(
                    "the code of Edge Function {slug} was not compared: {why} (deployed by an old Supabase CLI? deploying it again makes it comparable)"
                )),
            }
        }
        Ok(changed)
    }
}

/// One part of the body endpoint's multipart answer.
#[derive(Debug)]
pub struct Part {
    pub name: String,
    /// The file's path: `Supabase-Path` when sent, else the
    /// `Content-Disposition` filename.
    pub path: Option<String>,
    pub data: Vec<u8>,
}

/// The deployed source as the body endpoint gave it.
#[derive(Debug)]
pub struct Deployed {
    /// The entrypoint's path as the server names it (`metadata`'s
    /// `deno2_entrypoint_path`), when sent.
    pub entrypoint: Option<String>,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Reads a multipart body; the boundary is its first line (RFC 2046: the
/// body opens with the first delimiter), so the `Content-Type` is not needed.
pub fn parse(body: &[u8]) -> Result<Deployed, String> {
    let not_multipart = || "the function body is not a multipart answer".to_string();
    let first = body
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or_else(not_multipart)?;
    let delimiter = &body[..first];
    if !delimiter.starts_with(b"--") || delimiter.len() < 3 {
        return Err(not_multipart());
    }
    let mut separator = b"\r\n".to_vec();
    separator.extend_from_slice(delimiter);
    let mut parts = Vec::new();
    let mut at = first + 2;
    loop {
        let end = find(&body[at..], &separator).ok_or("the function body ends early")? + at;
        parts.push(part(&body[at..end])?);
        at = end + separator.len();
        match body.get(at..at + 2) {
            Some(b"--") => break,
            Some(b"\r\n") => at += 2,
            _ => return Err("the function body is malformed".into()),
        }
    }
    let mut deployed = Deployed {
        entrypoint: None,
        files: Vec::new(),
    };
    for p in parts {
        match (p.name.as_str(), p.path) {
            ("metadata", _) => {
                let meta: serde_json::Value = serde_json::from_slice(&p.data)
                    .map_err(|e| format!("the function body's metadata is not JSON: {e}"))?;
                deployed.entrypoint = meta
                    .get("deno2_entrypoint_path")
                    .and_then(|v| v.as_str())
                    .map(str::to_string);
            }
            (_, Some(path)) => deployed.files.push((path, p.data)),
            _ => {}
        }
    }
    Ok(deployed)
}

fn part(raw: &[u8]) -> Result<Part, String> {
    let split = find(raw, b"\r\n\r\n").ok_or("a part of the function body has no headers")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut name = String::new();
    let mut filename = None;
    let mut supabase_path = None;
    for line in head.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("content-disposition") {
            for param in value.split(';').map(str::trim) {
                if let Some((k, v)) = param.split_once('=') {
                    let v = v.trim().trim_matches('"').to_string();
                    match k.trim() {
                        "name" => name = v,
                        "filename" => filename = Some(v),
                        _ => {}
                    }
                }
            }
        } else if key.trim().eq_ignore_ascii_case("supabase-path") {
            supabase_path = Some(value.trim().to_string());
        }
    }
    Ok(Part {
        name,
        path: supabase_path.or(filename).filter(|p| !p.is_empty()),
        data: raw[split + 4..].to_vec(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// How many files differ: a local file whose deployed copy has other
/// contents, and a deployed file the local folder no longer has. A local
/// file the deployed code lacks is not counted: Supabase keeps only what
/// the entrypoint imports, and a new file is imported from a file that
/// changes with it. `fallback_entrypoint` is the function's listed
/// `entrypoint_path`, for a body without metadata.
pub fn changed_files(local: &Bundle, deployed: &Deployed, fallback_entrypoint: &str) -> usize {
    let local_base = parent(&local.entrypoint_path);
    let local: BTreeMap<String, [u8; 32]> = local
        .files
        .iter()
        .map(|(p, bytes)| (relative(p, &local_base), digest(bytes)))
        .collect();
    let entry = deployed
        .entrypoint
        .as_deref()
        .unwrap_or(fallback_entrypoint);
    let live_base = parent(entry);
    let mut changed = 0;
    for (path, bytes) in &deployed.files {
        match local.get(&relative(path, &live_base)) {
            Some(d) if *d == digest(bytes) => {}
            _ => changed += 1,
        }
    }
    changed
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A path's segments, without a `file://` scheme, `.` or empty segments.
fn segments(path: &str) -> Vec<&str> {
    let path = path.strip_prefix("file://").unwrap_or(path);
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

fn parent(path: &str) -> Vec<&str> {
    let mut s = segments(path);
    s.pop();
    s
}

/// `path` from the folder `base`, with `..` where it leaves it.
fn relative(path: &str, base: &[&str]) -> String {
    let path = segments(path);
    let common = path.iter().zip(base).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; base.len() - common];
    out.extend(&path[common..]);
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(files: &[(&str, &str)]) -> Bundle {
        Bundle {
            entrypoint_path: "supabase/functions/hello/index.ts".into(),
            import_map_path: None,
            files: files
                .iter()
                .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn reads_the_multipart_answer_with_its_metadata_and_paths() {
        let body = "--b1\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"deno2_entrypoint_path\":\"source/index.ts\"}\r\n--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"source/index.ts\"\r\n\r\nA\r\n--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\nSupabase-Path: source/lib/u.ts\r\n\r\nB\r\n--b1--\r\n";
        let d = parse(body.as_bytes()).unwrap();
        assert_eq!(d.entrypoint.as_deref(), Some("source/index.ts"));
        assert_eq!(
            d.files,
            vec![
                ("source/index.ts".to_string(), b"A".to_vec()),
                ("source/lib/u.ts".to_string(), b"B".to_vec())
            ]
        );
        assert!(parse(b"\x1b\x00EZBR").is_err());
    }

    #[test]
    fn counts_changed_and_removed_files_from_the_entrypoint_folder() {
        let local = bundle(&[
            ("supabase/functions/_shared/cors.ts", "cors"),
            ("supabase/functions/hello/index.ts", "new"),
            ("supabase/functions/hello/lib.ts", "lib"),
            ("supabase/functions/hello/README.md", "not imported"),
        ]);
        let deployed = |files: &[(&str, &str)]| Deployed {
            entrypoint: Some("/tmp/x/source/index.ts".into()),
            files: files
                .iter()
                .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
                .collect(),
        };
        let same = deployed(&[
            ("/tmp/x/_shared/cors.ts", "cors"),
            ("/tmp/x/source/index.ts", "new"),
            ("/tmp/x/source/lib.ts", "lib"),
        ]);
        assert_eq!(changed_files(&local, &same, ""), 0);
        let other = deployed(&[
            ("/tmp/x/_shared/cors.ts", "old cors"),
            ("/tmp/x/source/index.ts", "old"),
            ("/tmp/x/source/gone.ts", "gone"),
            ("/tmp/x/source/lib.ts", "lib"),
        ]);
        assert_eq!(changed_files(&local, &other, ""), 3);
    }
}
