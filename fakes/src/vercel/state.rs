//! The fake's state: accounts, projects, and the plumbing every request
//! goes through (auth, rate limits, team scope, dispatch).

use super::*;

pub(super) struct State {
    /// Token → what it may do.
    pub(super) accounts: HashMap<String, Account>,
    pub(super) projects: Vec<Project>,
    pub(super) clock: Clock,
    pub(super) page_size: usize,
    pub(super) string_targets: bool,
    pub(super) rate_limit: Option<RateLimit>,
    /// (token, endpoint) → the current fixed window.
    pub(super) windows: HashMap<(String, String), Window>,
}

pub(super) struct Account {
    pub(super) user_id: String,
    pub(super) teams: BTreeSet<String>,
}

pub(super) struct Project {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) team_id: Option<String>,
    pub(super) envs: Vec<Record>,
    pub(super) deployments: Vec<Deployment>,
    pub(super) custom_environments: Vec<CustomEnvironment>,
}

pub(super) struct RateLimit {
    pub(super) limit: u32,
    pub(super) window_ms: u64,
}

pub(super) struct Window {
    pub(super) start_ms: u64,
    pub(super) count: u32,
}

/// The authenticated caller and the team it acts for.
pub(super) struct Caller {
    pub(super) user_id: String,
    pub(super) team: Option<String>,
}

impl State {
    pub(super) fn new() -> State {
        State {
            accounts: HashMap::new(),
            projects: Vec::new(),
            clock: Clock::new(),
            page_size: 20,
            string_targets: false,
            rate_limit: None,
            windows: HashMap::new(),
        }
    }

    pub(super) fn register(&mut self, token: &str) -> &mut Account {
        let user_id = format!("usr_{}", &hex(&Sha256::digest(token.as_bytes()))[..16]);
        self.accounts
            .entry(token.to_string())
            .or_insert_with(|| Account {
                user_id,
                teams: BTreeSet::new(),
            })
    }

    /// A project by id or name regardless of team, for the test helpers.
    pub(super) fn project_any(&mut self, id_or_name: &str) -> &mut Project {
        find_project(&mut self.projects, id_or_name)
    }

    /// Auth, rate limit, team scope, then the endpoint.
    pub(super) fn serve(&mut self, request: &Request, route: Route) -> Result<Response, Error> {
        let token = request.bearer().filter(|t| !t.is_empty());
        let caller = self.authenticate(token, request.query("teamId"))?;
        let token = token.unwrap_or_default();
        self.throttle(token, &request.method, route.shape())?;
        match (request.method.as_str(), route) {
            ("GET", Route::Envs(p)) => self.list_envs(request, &caller, p),
            ("POST", Route::Envs(p)) => self.create_envs(request, &caller, p),
            ("DELETE", Route::Envs(p)) => self.delete_envs(request, &caller, p),
            ("GET", Route::Env(p, id)) => self.get_env(&caller, p, id),
            ("PATCH", Route::Env(p, id)) => self.edit_env(request, &caller, p, id),
            ("DELETE", Route::Env(p, id)) => self.delete_env(&caller, p, id),
            ("GET", Route::Deployments) => self.list_deployments(request, &caller),
            ("POST", Route::Deployments) => self.redeploy(request, &caller),
            ("GET", Route::CustomEnvironments(p)) => self.list_custom_environments(&caller, p),
            ("GET", Route::CustomEnvironment(p, e)) => self.get_custom_environment(&caller, p, e),
            ("GET", Route::Pull(p, t, b)) => self.pull_envs(&caller, p, t, b),
            // `handle` already answered methods the route does not have.
            _ => Err(Error::new(500, "internal_server_error", "unrouted")),
        }
    }

    /// Missing token → 403 `missingToken`; unknown → 403 `invalidToken`;
    /// a `teamId` the token may not act for → 403.
    pub(super) fn authenticate(
        &self,
        token: Option<&str>,
        team: Option<&str>,
    ) -> Result<Caller, Error> {
        let Some(token) = token else {
            return Err(Error::new(
                403,
                "forbidden",
                "The request is missing an authentication token",
            )
            .with("missingToken", true));
        };
        let Some(account) = self.accounts.get(token) else {
            return Err(Error::new(403, "forbidden", "Not authorized").with("invalidToken", true));
        };
        let team = team.filter(|t| !t.is_empty());
        if let Some(team) = team
            && !account.teams.contains(team)
        {
            return Err(Error::new(403, "forbidden", "Not authorized"));
        }
        Ok(Caller {
            user_id: account.user_id.clone(),
            team: team.map(str::to_string),
        })
    }

    /// Counts the request in its fixed window; a 429 once the window is full.
    pub(super) fn throttle(&mut self, token: &str, method: &str, shape: &str) -> Result<(), Error> {
        let Some(limit) = &self.rate_limit else {
            return Ok(());
        };
        let now = self.clock.now_ms();
        let window = self
            .windows
            .entry((token.to_string(), format!("{method} {shape}")))
            .or_insert(Window {
                start_ms: now,
                count: 0,
            });
        if now >= window.start_ms + limit.window_ms {
            *window = Window {
                start_ms: now,
                count: 0,
            };
        }
        if window.count >= limit.limit {
            let reset_ms = window.start_ms + limit.window_ms;
            let retry_after = (reset_ms - now).div_ceil(1000).max(1);
            return Err(Error::Ready(rate_limited(
                limit.limit,
                reset_ms,
                retry_after,
            )));
        }
        window.count += 1;
        Ok(())
    }

    /// The index of a project visible to `caller`: a team's project only
    /// under its `teamId`, a personal one only without `teamId`.
    pub(super) fn project_index(&self, caller: &Caller, id_or_name: &str) -> Result<usize, Error> {
        self.projects
            .iter()
            .position(|p| (p.id == id_or_name || p.name == id_or_name) && p.team_id == caller.team)
            .ok_or_else(|| Error::new(404, "not_found", "Project not found"))
    }
}
