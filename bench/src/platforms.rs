//! The fake Supabase and Vercel with a generated project's environments,
//! and what their request logs say about a run.

use std::collections::BTreeMap;
use std::time::Duration;

use envctl_fakes::Server;
use envctl_fakes::supabase::FakeSupabase;
use envctl_fakes::vercel::FakeVercel;

use crate::workspace::{Project, TEAM};

const SUPABASE_TOKEN: &str = "sbp_bench0123456789abcdef0123456789abcdef";
const VERCEL_TOKEN: &str = "vercel_tok_bench_5f1e2d";

pub struct Platforms {
    pub supabase: Server<FakeSupabase>,
    pub vercel: Server<FakeVercel>,
}

/// Requests one run made, from the fakes' logs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Requests {
    pub supabase: usize,
    pub vercel: usize,
    /// Requests that are not `GET`, per platform.
    pub supabase_writes: usize,
    pub vercel_writes: usize,
    /// The most list pages read from one Vercel project: each page needs
    /// the previous page's cursor, so they follow one another.
    pub vercel_pages: usize,
    /// The longest chain of requests that must follow one another: those
    /// pages, plus one round when records are read by id or pulled. Supabase's
    /// reads are independent, so a Supabase project is a chain of 1.
    pub chain: usize,
}

impl Requests {
    pub fn total(&self) -> usize {
        self.supabase + self.vercel
    }
}

impl Platforms {
    pub fn start(project: &Project) -> Platforms {
        let supabase = FakeSupabase::new(SUPABASE_TOKEN);
        // The documented 120 requests a minute would stop the naive
        // strategy within seconds; both strategies run unthrottled, so the
        // ratios are lower bounds of what real quotas give.
        supabase.set_rate_limit(u32::MAX, Duration::from_secs(60));
        let vercel = FakeVercel::new(VERCEL_TOKEN);
        vercel.grant_team(VERCEL_TOKEN, TEAM);
        for env in &project.envs {
            supabase.add_project(&env.supabase_ref);
            vercel.add_project(&env.vercel_project_id, &env.vercel_project, Some(TEAM));
        }
        Platforms {
            supabase: Server::start(supabase),
            vercel: Server::start(vercel),
        }
    }

    /// Tokens and API URLs for envctl and the naive strategy.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("SUPABASE_ACCESS_TOKEN".into(), SUPABASE_TOKEN.into()),
            ("ENVCTL_SUPABASE_API_URL".into(), self.supabase.url()),
            ("VERCEL_TOKEN".into(), VERCEL_TOKEN.into()),
            ("ENVCTL_VERCEL_API_URL".into(), self.vercel.url()),
        ]
    }

    pub fn set_latency(&self, latency: Duration) {
        self.supabase.faults().set_latency(latency);
        self.vercel.faults().set_latency(latency);
    }

    pub fn clear_logs(&self) {
        self.supabase.clear_log();
        self.vercel.clear_log();
    }

    /// What the logs hold since the last [`Platforms::clear_logs`].
    pub fn requests(&self) -> Requests {
        let supabase = self.supabase.requests();
        let vercel = self.vercel.requests();
        let writes =
            |log: &[envctl_fakes::Logged]| log.iter().filter(|l| l.request.method != "GET").count();
        // Per Vercel project: list pages, and whether any record was read by id.
        let mut per_project: BTreeMap<String, (usize, bool)> = BTreeMap::new();
        for logged in &vercel {
            let r = &logged.request;
            let segments = r.segments();
            if r.method != "GET" {
                continue;
            }
            // `vN/env/pull/{project}/…`: one more round after the list.
            if let [_, "env", "pull", project, ..] = segments.as_slice() {
                per_project.entry(project.to_string()).or_default().1 = true;
                continue;
            }
            if let Some(at) = segments.iter().position(|s| *s == "env") {
                let project = segments.get(at.wrapping_sub(1)).unwrap_or(&"").to_string();
                let entry = per_project.entry(project).or_default();
                if at + 1 == segments.len() {
                    entry.0 += 1;
                } else {
                    entry.1 = true;
                }
            }
        }
        let vercel_pages = per_project
            .values()
            .map(|(pages, _)| *pages)
            .max()
            .unwrap_or(0);
        let vercel_chain = per_project
            .values()
            .map(|(pages, by_id)| pages + usize::from(*by_id))
            .max()
            .unwrap_or(0);
        let supabase_chain = usize::from(supabase.iter().any(|l| l.request.method == "GET"));
        Requests {
            supabase: supabase.len(),
            vercel: vercel.len(),
            supabase_writes: writes(&supabase),
            vercel_writes: writes(&vercel),
            vercel_pages,
            chain: vercel_chain.max(supabase_chain),
        }
    }
}
