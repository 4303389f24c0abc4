//! The naive strategy envctl is compared with: what a tool that manages
//! one resource per variable does (Terraform's Vercel provider refreshes
//! every `vercel_project_environment_variable` on its own).
//!
//! - Reading: Supabase secrets in one list (its API has no per-secret
//!   read), Vercel records listed once for their ids, then one `GET` per
//!   variable.
//! - Writing: one request per variable (a one-item Supabase upsert, a
//!   Vercel `PATCH` per record).
//! - Everything one after another, environments included.
//!
//! It runs as its own process (`envctl-bench --naive COMMAND SPEC`) so it is
//! measured exactly as envctl is.

use envctl_fakes::supabase::sha256_hex;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

struct Naive {
    http: reqwest::Client,
    spec: Value,
    supabase_token: String,
    vercel_token: String,
}

/// Runs `command` (`plan`, `drift` or `apply`) on the spec file; returns
/// the exit code envctl would give (2: drift found).
pub fn main(command: &str, spec: &str) -> Result<i32, String> {
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{spec}: {e}"))?;
    let spec: Value = serde_json::from_str(&text).map_err(|e| format!("{spec}: {e}"))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let naive = Naive {
        http: reqwest::Client::builder()
            .build()
            .map_err(|e| e.to_string())?,
        spec,
        supabase_token: std::env::var("SUPABASE_ACCESS_TOKEN").map_err(|e| e.to_string())?,
        vercel_token: std::env::var("VERCEL_TOKEN").map_err(|e| e.to_string())?,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let envs = naive.spec["envs"].as_array().cloned().unwrap_or_default();
        match command {
            "plan" => {
                let changes = naive.plan(&envs[0]).await?;
                println!("{changes} to change");
                Ok(if changes > 0 { 2 } else { 0 })
            }
            "drift" => {
                let mut total = 0;
                for env in &envs {
                    total += naive.plan(env).await?;
                }
                println!("{total} drifted");
                Ok(if total > 0 { 2 } else { 0 })
            }
            "apply" => {
                let written = naive.apply(&envs[0]).await?;
                println!("{written} written");
                Ok(0)
            }
            other => Err(format!("unknown naive command {other}")),
        }
    })
}

impl Naive {
    fn supabase(&self, path: &str) -> String {
        format!("{}{path}", self.spec["supabase_url"].as_str().unwrap_or(""))
    }

    fn vercel(&self, path: &str) -> String {
        format!("{}{path}", self.spec["vercel_url"].as_str().unwrap_or(""))
    }

    fn team(&self) -> &str {
        self.spec["team"].as_str().unwrap_or("")
    }

    async fn get(&self, url: String, token: &str) -> Result<Value, String> {
        let reply = self
            .http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let status = reply.status();
        let body = reply.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("GET {url}: {status} {body}"));
        }
        serde_json::from_str(&body).map_err(|e| format!("GET {url}: {e}"))
    }

    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> Result<(), String> {
        let reply = request.send().await.map_err(|e| format!("{what}: {e}"))?;
        if !reply.status().is_success() {
            let status = reply.status();
            return Err(format!(
                "{what}: {status} {}",
                reply.text().await.unwrap_or_default()
            ));
        }
        Ok(())
    }

    /// Name → id of every production record of the environment's project.
    async fn vercel_ids(&self, env: &Value) -> Result<Vec<(String, String)>, String> {
        let project = env["vercel_project"].as_str().unwrap_or("");
        let mut out = Vec::new();
        let mut until: Option<i64> = None;
        loop {
            let mut url = self.vercel(&format!(
                "/v10/projects/{project}/env?teamId={}&target=production&limit=100",
                self.team()
            ));
            if let Some(u) = until {
                url.push_str(&format!("&until={u}"));
            }
            let page = self.get(url, &self.vercel_token).await?;
            for record in page["envs"].as_array().into_iter().flatten() {
                if let (Some(key), Some(id)) = (record["key"].as_str(), record["id"].as_str()) {
                    out.push((key.to_string(), id.to_string()));
                }
            }
            match page["pagination"]["next"].as_i64() {
                Some(next) if Some(next) != until => until = Some(next),
                _ => return Ok(out),
            }
        }
    }

    /// Variables of `env` whose live value differs (or is missing).
    async fn plan(&self, env: &Value) -> Result<usize, String> {
        let reference = env["supabase_ref"].as_str().unwrap_or("");
        let secrets = self
            .get(
                self.supabase(&format!("/v1/projects/{reference}/secrets")),
                &self.supabase_token,
            )
            .await?;
        let digests: std::collections::HashMap<&str, &str> = secrets
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| Some((s["name"].as_str()?, s["value"].as_str()?)))
            .collect();
        let ids: std::collections::HashMap<String, String> =
            self.vercel_ids(env).await?.into_iter().collect();
        let project = env["vercel_project"].as_str().unwrap_or("");
        let mut changes = 0;
        for var in env["vars"].as_array().into_iter().flatten() {
            let name = var["name"].as_str().unwrap_or("");
            let value = var["value"].as_str().unwrap_or("");
            if var["vercel"].as_bool() == Some(true) {
                let Some(id) = ids.get(name) else {
                    changes += 1;
                    continue;
                };
                let record = self
                    .get(
                        self.vercel(&format!(
                            "/v1/projects/{project}/env/{id}?teamId={}",
                            self.team()
                        )),
                        &self.vercel_token,
                    )
                    .await?;
                // A sensitive record never returns its value: unknown, not a change.
                if record["decrypted"].as_bool() == Some(true)
                    && record["value"].as_str() != Some(value)
                {
                    changes += 1;
                }
            } else if digests.get(name) != Some(&sha256_hex(value.as_bytes()).as_str()) {
                changes += 1;
            }
        }
        Ok(changes)
    }

    /// Writes every variable of `env`, one request each.
    async fn apply(&self, env: &Value) -> Result<usize, String> {
        let reference = env["supabase_ref"].as_str().unwrap_or("");
        let project = env["vercel_project"].as_str().unwrap_or("");
        let ids: std::collections::HashMap<String, String> =
            self.vercel_ids(env).await?.into_iter().collect();
        let mut written = 0;
        for var in env["vars"].as_array().into_iter().flatten() {
            let name = var["name"].as_str().unwrap_or("");
            let value = var["value"].as_str().unwrap_or("");
            if var["vercel"].as_bool() == Some(true) {
                let id = ids.get(name).ok_or_else(|| {
                    format!("{name} is not on Vercel yet; seed with envctl first")
                })?;
                let url = self.vercel(&format!(
                    "/v9/projects/{project}/env/{id}?teamId={}",
                    self.team()
                ));
                let request = self
                    .http
                    .patch(&url)
                    .bearer_auth(&self.vercel_token)
                    .header(CONTENT_TYPE, "application/json")
                    .body(json!({ "value": value }).to_string());
                self.send(request, &format!("PATCH {url}")).await?;
            } else {
                let url = self.supabase(&format!("/v1/projects/{reference}/secrets"));
                let request = self
                    .http
                    .post(&url)
                    .bearer_auth(&self.supabase_token)
                    .header(CONTENT_TYPE, "application/json")
                    .body(json!([{ "name": name, "value": value }]).to_string());
                self.send(request, &format!("POST {url}")).await?;
            }
            written += 1;
        }
        Ok(written)
    }
}
