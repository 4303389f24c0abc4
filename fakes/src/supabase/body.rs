//! `GET …/functions/{slug}/body` (`v1-get-a-function-body`): the deployed
//! code of a function, and the test helper that deploys "by hand".
//!
//! The spec documents only a `StreamableFile`. What the platform sends
//! depends on `Accept`, as the Supabase CLI's `functions download` relies
//! on: with `multipart/form-data` the server unbundles the code and
//! answers with a `metadata` part (`deno2_entrypoint_path`) and one `file`
//! part per source file, named by its path under the server's own
//! `source/` folder; otherwise it sends the compressed eszip (magic
//! `EZBR`), which only Deno's tools read. The fake sends every uploaded
//! file (the platform keeps those the entrypoint imports, plus static
//! files), and an opaque `EZBR` blob without the `Accept`.

use super::{FakeSupabase, files_digest, now_millis, project_mut};
use super::{Function, FunctionStatus, Project, Reply, check_path_slug, function_not_found};
use crate::server::{Request, Response};

/// The boundary of the fake's multipart answers.
const BOUNDARY: &str = "fake-supabase-function-body";

/// Where the server keeps a function's files.
const SOURCE: &str = "source";

pub(super) fn function_body(project: &Project, slug: &str, request: &Request) -> Reply {
    check_path_slug(slug)?;
    let function = project
        .functions
        .get(slug)
        .filter(|f| f.status != FunctionStatus::Removed)
        .ok_or_else(function_not_found)?;
    let multipart = request
        .header("accept")
        .is_some_and(|a| a.to_ascii_lowercase().contains("multipart/form-data"))
        && !project.legacy_bodies.contains(slug);
    if !multipart {
        let mut eszip = b"EZBR".to_vec();
        eszip.extend_from_slice(function.ezbr_sha256.as_deref().unwrap_or("").as_bytes());
        return Ok(Response {
            status: 200,
            headers: vec![("content-type".into(), "application/octet-stream".into())],
            body: Some(eszip),
        });
    }
    Ok(Response {
        status: 200,
        headers: vec![(
            "content-type".into(),
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )],
        body: Some(multipart_body(function)),
    })
}

fn multipart_body(function: &Function) -> Vec<u8> {
    let plain = |p: &str| {
        let p = p.strip_prefix("file://").unwrap_or(p);
        format!(
            "{SOURCE}/{}",
            p.trim_start_matches("./").trim_start_matches('/')
        )
    };
    let mut body = Vec::new();
    let mut part = |headers: String, data: &[u8]| {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    };
    let entry = plain(function.entrypoint_path.as_deref().unwrap_or("index.ts"));
    let metadata = serde_json::json!({ "deno2_entrypoint_path": entry });
    part(
        "Content-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json"
            .into(),
        metadata.to_string().as_bytes(),
    );
    for (path, data) in &function.files {
        part(
            format!(
                "Content-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream",
                plain(path)
            ),
            data,
        );
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

impl FakeSupabase {
    /// Marks a function as bundled by an old Supabase CLI: its body comes
    /// back as an eszip whatever the `Accept`.
    pub fn set_legacy_body(&self, project_ref: &str, slug: &str) {
        let mut state = self.lock();
        project_mut(&mut state, project_ref)
            .legacy_bodies
            .insert(slug.to_string());
    }

    /// Deploys new files for an existing function as someone else would
    /// (the dashboard, another machine's CLI): its files are replaced,
    /// its version goes up. Panics if the function does not exist.
    pub fn deploy_by_hand(&self, project_ref: &str, slug: &str, files: &[(&str, &[u8])]) {
        let mut state = self.lock();
        let function = project_mut(&mut state, project_ref)
            .functions
            .get_mut(slug)
            .unwrap_or_else(|| panic!("fake Supabase: no function {slug} in {project_ref}"));
        function.files = files
            .iter()
            .map(|(p, d)| (p.to_string(), d.to_vec()))
            .collect();
        function.ezbr_sha256 = Some(files_digest(&function.files));
        function.version += 1;
        function.updated_at = now_millis();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_multipart_answer_names_files_under_the_source_folder() {
        let f = Function {
            id: "x".into(),
            slug: "hello".into(),
            name: "hello".into(),
            status: FunctionStatus::Active,
            version: 1,
            created_at: 0,
            updated_at: 0,
            verify_jwt: true,
            entrypoint_path: Some("supabase/functions/hello/index.ts".into()),
            import_map_path: None,
            import_map: false,
            ezbr_sha256: None,
            files: vec![("supabase/functions/hello/index.ts".into(), b"A".to_vec())],
        };
        let body = String::from_utf8(multipart_body(&f)).unwrap();
        assert!(
            body.contains(
                r#"{"deno2_entrypoint_path":"source/supabase/functions/hello/index.ts"}"#
            ),
            "{body}"
        );
        assert!(body.contains("filename=\"source/supabase/functions/hello/index.ts\"\r\nContent-Type: application/octet-stream\r\n\r\nA\r\n"), "{body}");
        assert!(body.ends_with(&format!("--{BOUNDARY}--\r\n")));
    }
}
