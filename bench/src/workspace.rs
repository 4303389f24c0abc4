//! Generated projects: M environments of N variables each, every
//! environment with a Vercel project and a Supabase project of its own.
//!
//! Even-numbered variables go to Vercel (`WEB_*`), odd-numbered ones to
//! Supabase (`FN_*`); every fifth is a secret read from an environment
//! variable. Values carry a generation number, so an apply run can change
//! every variable of an environment by moving it to the next generation.

use std::fmt::Write as _;
use std::path::Path;

pub const TEAM: &str = "team_bench";

/// One generated variable.
pub struct Var {
    pub name: String,
    /// Set on Vercel (else Supabase).
    pub vercel: bool,
    /// `Some(env var name)`: a `{ secret: env:NAME }` reference.
    pub secret_env: Option<String>,
    index: usize,
}

pub struct Env {
    pub name: String,
    pub supabase_ref: String,
    pub vercel_project: String,
    pub vercel_project_id: String,
    pub vars: Vec<Var>,
    /// The generation of the values in the YAML and in the secrets'
    /// environment variables.
    pub generation: u32,
}

impl Env {
    pub fn value(&self, var: &Var) -> String {
        if var.secret_env.is_some() {
            format!(
                "sk_bench_{}_{:05}_g{}_7f3a9c",
                self.name, var.index, self.generation
            )
        } else {
            format!(
                "https://{}.example.com/v{}/{:05}",
                self.name, self.generation, var.index
            )
        }
    }
}

pub struct Project {
    pub dir: tempfile::TempDir,
    pub envs: Vec<Env>,
}

/// A 20-letter lowercase Supabase project ref for environment `i`.
fn project_ref(i: usize) -> String {
    let mut out = String::from("benchproject");
    let mut n = i;
    for _ in 0..8 {
        out.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    out
}

impl Project {
    pub fn generate(variables: usize, environments: usize) -> Result<Project, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let envs = (0..environments)
            .map(|e| {
                let name = format!("env{:02}", e + 1);
                let vars = (0..variables)
                    .map(|i| {
                        let vercel = i % 2 == 0;
                        let name = format!("{}_VAR_{i:05}", if vercel { "WEB" } else { "FN" });
                        let secret_env =
                            (i % 5 == 0).then(|| format!("BENCH_{}_{i:05}", name_upper(e)));
                        Var {
                            name,
                            vercel,
                            secret_env,
                            index: i,
                        }
                    })
                    .collect();
                Env {
                    supabase_ref: project_ref(e),
                    vercel_project: format!("bench-{name}"),
                    vercel_project_id: format!("prj_bench_{name}"),
                    name,
                    vars,
                    generation: 1,
                }
            })
            .collect();
        let project = Project { dir, envs };
        std::fs::write(
            project.dir.path().join("envctl.yaml"),
            "version: 1\nproject: bench\nroutes:\n  web: [\"WEB_*\"]\n  functions: [\"FN_*\"]\n",
        )
        .map_err(|e| e.to_string())?;
        std::fs::create_dir_all(project.dir.path().join("environments"))
            .map_err(|e| e.to_string())?;
        for i in 0..project.envs.len() {
            project.write_env(i)?;
        }
        Ok(project)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Rewrites environment `i`'s YAML at its current generation.
    pub fn write_env(&self, i: usize) -> Result<(), String> {
        let env = &self.envs[i];
        let mut y = String::with_capacity(env.vars.len() * 64 + 256);
        let _ = write!(
            y,
            "targets:\n  web: {{ type: vercel, project: {}, team: {TEAM}, target: production }}\n  functions: {{ type: supabase, project_ref: {} }}\nvariables:\n",
            env.vercel_project, env.supabase_ref
        );
        for var in &env.vars {
            match &var.secret_env {
                Some(source) => {
                    let _ = writeln!(y, "  {}: {{ secret: env:{source} }}", var.name);
                }
                None => {
                    let _ = writeln!(y, "  {}: \"{}\"", var.name, env.value(var));
                }
            }
        }
        let file = self
            .path()
            .join("environments")
            .join(format!("{}.yaml", env.name));
        std::fs::write(file, y).map_err(|e| e.to_string())
    }

    /// Moves environment `i` to the next generation: every value changes.
    pub fn bump(&mut self, i: usize) -> Result<(), String> {
        self.envs[i].generation += 1;
        self.write_env(i)
    }

    /// Every secret's environment variable, at each environment's current
    /// generation.
    pub fn secret_env(&self) -> Vec<(String, String)> {
        self.envs
            .iter()
            .flat_map(|env| {
                env.vars.iter().filter_map(move |v| {
                    v.secret_env
                        .as_ref()
                        .map(|name| (name.clone(), env.value(v)))
                })
            })
            .collect()
    }

    /// The desired state as the naive strategy reads it.
    pub fn naive_spec(&self, supabase: &str, vercel: &str) -> serde_json::Value {
        let envs: Vec<serde_json::Value> = self
            .envs
            .iter()
            .map(|env| {
                let vars: Vec<serde_json::Value> = env
                    .vars
                    .iter()
                    .map(|v| {
                        serde_json::json!({
                            "name": v.name, "value": env.value(v), "vercel": v.vercel,
                            "sensitive": v.secret_env.is_some(),
                        })
                    })
                    .collect();
                serde_json::json!({
                    "supabase_ref": env.supabase_ref,
                    "vercel_project": env.vercel_project,
                    "vars": vars,
                })
            })
            .collect();
        serde_json::json!({
            "supabase_url": supabase, "vercel_url": vercel, "team": TEAM, "envs": envs,
        })
    }
}

fn name_upper(e: usize) -> String {
    format!("ENV{:02}", e + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_project_has_every_environment_and_variable() {
        let mut project = Project::generate(10, 3).unwrap();
        let refs: std::collections::BTreeSet<&str> = project
            .envs
            .iter()
            .map(|e| e.supabase_ref.as_str())
            .collect();
        assert_eq!(refs.len(), 3);
        assert!(
            refs.iter()
                .all(|r| r.len() == 20 && r.bytes().all(|b| b.is_ascii_lowercase()))
        );

        let yaml = std::fs::read_to_string(project.path().join("environments/env02.yaml")).unwrap();
        assert_eq!(yaml.matches("_VAR_").count(), 10);
        assert!(yaml.contains("WEB_VAR_00000: { secret: env:BENCH_ENV02_00000 }"));
        assert!(yaml.contains("FN_VAR_00001: \"https://env02.example.com/v1/00001\""));
        // Every fifth variable is a secret, with its value in the environment.
        let secrets = project.secret_env();
        assert_eq!(secrets.len(), 3 * 2);
        assert!(secrets.contains(&(
            "BENCH_ENV02_00005".into(),
            "sk_bench_env02_00005_g1_7f3a9c".into()
        )));

        project.bump(1).unwrap();
        let yaml = std::fs::read_to_string(project.path().join("environments/env02.yaml")).unwrap();
        assert!(yaml.contains("FN_VAR_00001: \"https://env02.example.com/v2/00001\""));
        assert!(project.secret_env().contains(&(
            "BENCH_ENV02_00005".into(),
            "sk_bench_env02_00005_g2_7f3a9c".into()
        )));
    }
}
