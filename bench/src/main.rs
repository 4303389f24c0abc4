//! envctl's benchmark harness. See docs/benchmarks.md.
//!
//! For each shape (N variables × M environments) it generates a project,
//! starts the fake Supabase and Vercel on loopback, brings them to the
//! desired state with `envctl apply`, and then, at each injected latency,
//! measures `validate`, `plan`, `drift` and `apply` (wall time, CPU time,
//! peak memory, requests) beside the naive strategy of `naive.rs`.

mod across;
mod code;
mod dotenv;
mod github;
mod measure;
mod naive;
mod platforms;
mod untagged;
mod workspace;

use std::path::{Path, PathBuf};
use std::time::Duration;

use measure::Cost;
use platforms::{Platforms, Requests};
use workspace::Project;

const USAGE: &str = "\
envctl-bench: what validate, plan, drift and apply cost as variables,
environments and latency grow, beside a naive one-request-per-variable
strategy. Build envctl first: cargo build --release --workspace

Usage: envctl-bench [--quick | --full] [OPTIONS]

  --quick               N = 10, 1000; M = 1, 10; latency 0, 100 ms; 1 run (default)
  --full                N = 10, 100, 1000, 5000; M = 1, 3, 10; latency 0, 20, 100 ms; 3 runs
  --variables LIST      e.g. 10,100,1000,5000
  --environments LIST   e.g. 1,3,10
  --latency LIST        injected per-request latency in ms, e.g. 0,20,100
  --runs K              runs per measurement; the table shows medians
  --code-files LIST     source files in the code-scanning row of `validate`
                        (default 5000; 0 skips it)
  --naive-budget SECS   skip a naive run whose requests x latency exceed this
                        (20); its wall time is then estimated, marked ≈
  --envctl PATH         the binary to measure (default: beside this one)
  --out FILE            also write the results as Markdown to FILE

  --github-requests     requests per plan of a GitHub Actions target at each
                        N of --variables (half secrets, half plain values)

  --untagged            plan of N untagged Vercel records (N from --variables)
                        against the naive strategy, as a Markdown table
  --across              apply of one environment with targets on two platforms
                        (with --baseline PATH: a second envctl beside it)
  --dotenv LIST         apply of a dotenv file of each N variables (--baseline too)
  --serve N M           generate and seed one shape, print the folder and the
                        environment to run envctl under a profiler, and serve
                        the fakes until interrupted
";

struct Config {
    variables: Vec<usize>,
    environments: Vec<usize>,
    latencies: Vec<u64>,
    runs: usize,
    naive_budget: Duration,
    envctl: PathBuf,
    out: Option<PathBuf>,
    /// Source files for the code-scanning row, one row each.
    code_files: Vec<usize>,
}

fn list<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<Vec<T>, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .map_err(|_| format!("{flag}: `{s}` is not a number"))
        })
        .collect()
}

fn parse(args: Vec<String>) -> Result<Config, String> {
    let beside = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .with_file_name("envctl");
    let mut config = Config {
        variables: vec![10, 1000],
        environments: vec![1, 10],
        latencies: vec![0, 100],
        runs: 1,
        naive_budget: Duration::from_secs(20),
        envctl: beside,
        out: None,
        code_files: vec![5000],
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {}
            "--full" => {
                config.variables = vec![10, 100, 1000, 5000];
                config.environments = vec![1, 3, 10];
                config.latencies = vec![0, 20, 100];
                config.runs = 3;
            }
            "--variables" => config.variables = list(&arg, args.next())?,
            "--environments" => config.environments = list(&arg, args.next())?,
            "--latency" => config.latencies = list(&arg, args.next())?,
            "--runs" => config.runs = list::<usize>(&arg, args.next())?[0].max(1),
            "--naive-budget" => {
                config.naive_budget = Duration::from_secs(list::<u64>(&arg, args.next())?[0])
            }
            "--envctl" => config.envctl = args.next().ok_or("--envctl needs a path")?.into(),
            "--code-files" => {
                config.code_files = list::<usize>(&arg, args.next())?;
                config.code_files.retain(|n| *n > 0);
            }
            "--out" => config.out = Some(args.next().ok_or("--out needs a path")?.into()),
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    if config.environments.contains(&0) || config.variables.contains(&0) {
        return Err("--variables and --environments must be at least 1".into());
    }
    if !config.envctl.is_file() {
        return Err(format!(
            "no envctl binary at {}; run `cargo build --release --workspace` first, or pass --envctl PATH",
            config.envctl.display()
        ));
    }
    Ok(config)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The wrapper (measure.rs) and the naive strategy run as processes of
    // this same binary.
    let result = match args.first().map(String::as_str) {
        Some("--measure") if args.len() >= 4 && args[2] == "--" => {
            measure::wrapper(Path::new(&args[1]), &args[3], &args[4..]).map(|()| 0)
        }
        Some("--naive") if args.len() == 3 => naive::main(&args[1], &args[2]),
        Some("--across") => across::main(&args),
        Some("--dotenv") => dotenv::main(&args),
        Some("--github-requests") => parse(args[1..].to_vec()).and_then(|config| {
            let counts = config
                .variables
                .iter()
                .map(|n| github::count(&config.envctl, *n))
                .collect::<Result<Vec<_>, String>>()?;
            print!("{}", github::report(&counts));
            Ok(0)
        }),
        Some("--untagged") => parse(args[1..].to_vec()).and_then(|config| {
            print!("{}", untagged::run(&config)?);
            Ok(0)
        }),
        Some("--serve") => parse(args[3..].to_vec()).and_then(|config| {
            let number = |i: usize| {
                args.get(i)
                    .and_then(|s| s.parse::<usize>().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--serve needs N and M, e.g. --serve 5000 10")
            };
            serve(&config, number(1)?, number(2)?).map(|()| 0)
        }),
        _ => parse(args).and_then(|config| run(&config).map(|()| 0)),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(message) => {
            eprintln!("envctl-bench: {message}");
            std::process::exit(1);
        }
    }
}

/// One line of the results.
#[derive(Clone, Copy)]
struct Row {
    command: &'static str,
    strategy: &'static str,
    variables: usize,
    environments: usize,
    latency_ms: u64,
    wall: Duration,
    cpu: Duration,
    peak_rss: u64,
    requests: Requests,
    /// Not run: wall time estimated from the run at lower latency.
    estimated: bool,
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// One shape's fakes, project and log folder.
struct Bench<'a> {
    config: &'a Config,
    project: Project,
    platforms: Platforms,
    logs: tempfile::TempDir,
    latency_ms: u64,
}

impl<'a> Bench<'a> {
    /// A generated project of `n` variables × `m` environments and the
    /// fakes with its (still empty) projects.
    fn new(config: &'a Config, n: usize, m: usize) -> Result<Bench<'a>, String> {
        let project = Project::generate(n, m)?;
        let platforms = Platforms::start(&project);
        Ok(Bench {
            config,
            project,
            platforms,
            logs: tempfile::tempdir().map_err(|e| e.to_string())?,
            latency_ms: 0,
        })
    }

    /// Brings every environment's projects to the desired state.
    fn seed(&mut self) -> Result<(), String> {
        (0..self.project.envs.len()).try_for_each(|i| self.seed_env(i))
    }

    fn env(&self) -> Vec<(String, String)> {
        let mut env = self.platforms.env();
        env.extend(self.project.secret_env());
        env
    }

    /// Runs `program args` `runs` times (calling `before` ahead of each
    /// run) and checks every exit code.
    fn measure(
        &mut self,
        program: &Path,
        args: &[String],
        expect: i32,
        runs: usize,
        mut before: impl FnMut(&mut Bench) -> Result<(), String>,
    ) -> Result<(Vec<Cost>, Requests), String> {
        let mut costs = Vec::new();
        let mut requests = Requests::default();
        for _ in 0..runs {
            before(self)?;
            self.platforms.clear_logs();
            let log = self.logs.path().join("last.log");
            let cost = measure::run(self.project.path(), &self.env(), program, args, &log)?;
            requests = self.platforms.requests();
            if cost.code != expect {
                let output = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: String = output
                    .chars()
                    .rev()
                    .take(2000)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                return Err(format!(
                    "`{} {}` exited {} (expected {expect}):\n{tail}",
                    program.display(),
                    args.join(" "),
                    cost.code
                ));
            }
            costs.push(cost);
        }
        Ok((costs, requests))
    }

    fn row(
        &self,
        command: &'static str,
        strategy: &'static str,
        costs: &[Cost],
        requests: Requests,
    ) -> Row {
        Row {
            command,
            strategy,
            variables: self.project.envs[0].vars.len(),
            environments: self.project.envs.len(),
            latency_ms: self.latency_ms,
            wall: median(costs.iter().map(|c| c.wall).collect()),
            cpu: median(costs.iter().map(|c| c.cpu).collect()),
            peak_rss: costs.iter().map(|c| c.peak_rss).max().unwrap_or(0),
            requests,
            estimated: false,
        }
    }

    fn envctl(
        &mut self,
        command: &'static str,
        args: &[&str],
        expect: i32,
        bump: bool,
    ) -> Result<Row, String> {
        let program = self.config.envctl.clone();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (costs, requests) = self.measure(&program, &args, expect, self.config.runs, |b| {
            if bump { b.project.bump(0) } else { Ok(()) }
        })?;
        Ok(self.row(command, "envctl", &costs, requests))
    }

    /// The naive strategy's `command`, or its estimate when `at_zero`
    /// (its run without latency) says it would exceed the budget.
    fn naive(
        &mut self,
        command: &'static str,
        expect: i32,
        at_zero: Option<&Row>,
    ) -> Result<Row, String> {
        let latency = Duration::from_millis(self.latency_ms);
        if let Some(zero) = at_zero {
            let sequential = latency * zero.requests.total() as u32;
            if sequential > self.config.naive_budget {
                return Ok(Row {
                    latency_ms: self.latency_ms,
                    wall: zero.wall + sequential,
                    estimated: true,
                    ..*zero
                });
            }
        }
        let spec = self.logs.path().join("naive.json");
        let program = std::env::current_exe().map_err(|e| e.to_string())?;
        let args = vec![
            "--naive".to_string(),
            command.to_string(),
            spec.display().to_string(),
        ];
        let bump = command == "apply";
        let (costs, requests) = self.measure(&program, &args, expect, self.config.runs, |b| {
            if bump {
                b.project.bump(0)?;
            }
            let spec_json = b
                .project
                .naive_spec(&b.platforms.supabase.url(), &b.platforms.vercel.url());
            std::fs::write(&spec, spec_json.to_string()).map_err(|e| e.to_string())
        })?;
        if bump {
            // Its writes left Vercel records without envctl's tags; give
            // every record a fresh value through envctl again, so the next
            // envctl plan measures the steady state.
            self.seed_env(0)?;
        }
        Ok(self.row(command, "naive", &costs, requests))
    }

    /// `envctl apply ENV --yes` for environment `i` at a new generation,
    /// without latency and unmeasured.
    fn seed_env(&mut self, i: usize) -> Result<(), String> {
        self.platforms.set_latency(Duration::ZERO);
        self.project.bump(i)?;
        let program = self.config.envctl.clone();
        let args = vec![
            "apply".to_string(),
            self.project.envs[i].name.clone(),
            "--yes".to_string(),
        ];
        self.measure(&program, &args, 0, 1, |_| Ok(()))?;
        self.platforms
            .set_latency(Duration::from_millis(self.latency_ms));
        Ok(())
    }
}

/// Seeds one shape and keeps its fakes up for profiling by hand.
fn serve(config: &Config, n: usize, m: usize) -> Result<(), String> {
    let mut bench = Bench::new(config, n, m)?;
    bench.seed()?;
    let latency = config.latencies.last().copied().unwrap_or(0);
    bench.latency_ms = latency;
    bench.platforms.set_latency(Duration::from_millis(latency));
    // Kept: the folder outlives this process's interruption.
    let dir = bench.project.path().display().to_string();
    println!("cd {dir}");
    for (k, v) in bench.env() {
        println!("export {k}={v}");
    }
    eprintln!("serving with {latency} ms latency; interrupt to stop");
    loop {
        std::thread::park();
    }
}

fn run(config: &Config) -> Result<(), String> {
    let machine = machine();
    eprintln!("envctl-bench on {machine}");
    let mut rows = Vec::new();

    // --version: no project, no network.
    {
        let mut bench = Bench::new(config, 1, 1)?;
        let program = config.envctl.clone();
        let (costs, requests) = bench.measure(
            &program,
            &["--version".to_string()],
            0,
            config.runs.max(20),
            |_| Ok(()),
        )?;
        let mut row = bench.row("--version", "envctl", &costs, requests);
        row.variables = 0;
        row.environments = 0;
        rows.push(row);
    }

    for &files in &config.code_files {
        eprintln!("validate scanning {files} source files…");
        rows.push(code_row(config, files)?);
    }

    for &m in &config.environments {
        for &n in &config.variables {
            eprintln!("N = {n} variables, M = {m} environments: generating and seeding…");
            let mut bench = Bench::new(config, n, m)?;
            bench.seed()?;
            rows.push(bench.envctl("validate", &["validate"], 0, false)?);
            let mut naive_zero: Vec<Row> = Vec::new();
            let mut latencies = config.latencies.clone();
            latencies.sort_unstable();
            for &latency in &latencies {
                eprintln!("  latency {latency} ms");
                bench.latency_ms = latency;
                bench.platforms.set_latency(Duration::from_millis(latency));
                let first = bench.project.envs[0].name.clone();
                rows.push(bench.envctl(
                    "plan",
                    &["plan", &first, "--detailed-exitcode"],
                    0,
                    false,
                )?);
                rows.push(bench.envctl("drift", &["drift"], 0, false)?);
                rows.push(bench.envctl("apply", &["apply", &first, "--yes"], 0, true)?);
                for (command, expect) in [("plan", 0), ("drift", 0), ("apply", 0)] {
                    let zero = naive_zero.iter().find(|r| r.command == command);
                    let row = bench.naive(command, expect, zero)?;
                    if latency == 0 {
                        naive_zero.push(row);
                    }
                    rows.push(row);
                }
            }
        }
    }
    let report = report(config, &machine, &rows);
    println!("{report}");
    if let Some(out) = &config.out {
        std::fs::write(out, &report).map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!("written to {}", out.display());
    }
    Ok(())
}

/// `validate` of a project whose targets serve `files` generated source
/// files (N is the number of files in this row).
fn code_row(config: &Config, files: usize) -> Result<Row, String> {
    let project = code::CodeProject::generate(files)?;
    let logs = tempfile::tempdir().map_err(|e| e.to_string())?;
    let log = logs.path().join("validate.log");
    let args = vec!["validate".to_string()];
    let mut costs = Vec::new();
    for _ in 0..config.runs.max(3) {
        let cost = measure::run(project.path(), &[], &config.envctl, &args, &log)?;
        if cost.code != 0 {
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!(
                "validate of {files} source files exited {}:\n{output}",
                cost.code
            ));
        }
        costs.push(cost);
    }
    Ok(Row {
        command: "validate, code",
        strategy: "envctl",
        variables: files,
        environments: 1,
        latency_ms: 0,
        wall: median(costs.iter().map(|c| c.wall).collect()),
        cpu: median(costs.iter().map(|c| c.cpu).collect()),
        peak_rss: costs.iter().map(|c| c.peak_rss).max().unwrap_or(0),
        requests: Requests::default(),
        estimated: false,
    })
}

/// The machine the numbers were taken on.
fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|r| r.trim().to_string()))
        .and_then(|kb| kb.trim_end_matches(" kB").parse::<u64>().ok())
        .map_or_else(
            || "? GiB".into(),
            |kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0),
        );
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    format!("{cpu}, {cores} cores, {memory}, Linux {kernel}")
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// One line of the targets table per row, or one "not measured" line for
/// `target` when no row of this run measures it.
fn targets<'r>(
    out: &mut String,
    target: &str,
    rows: impl Iterator<Item = &'r Row>,
    each: impl Fn(&Row) -> (String, String, bool),
) {
    use std::fmt::Write as _;
    let mut any = false;
    for row in rows {
        any = true;
        let (target, measured, met) = each(row);
        let _ = writeln!(out, "| {target} | {measured} | {} |", verdict(met));
    }
    if !any {
        let _ = writeln!(out, "| {target} | - | not measured |");
    }
}

/// The Markdown report: the targets of docs/benchmarks.md, then every row.
fn report(config: &Config, machine: &str, rows: &[Row]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Machine: {machine}. Runs per measurement: {} (medians; peak memory is the largest run).\n",
        config.runs
    );
    let envctl = |command: &'static str| {
        rows.iter()
            .filter(move |r| r.strategy == "envctl" && r.command == command)
    };

    let _ = writeln!(
        out,
        "### Targets\n\n| target | measured | |\n| --- | --- | --- |"
    );
    // Requests per plan against N: Supabase's, and Vercel's beside its list pages.
    let plans: Vec<&Row> = envctl("plan")
        .filter(|r| r.latency_ms == 0 && r.environments == config.environments[0])
        .collect();
    let shape: Vec<String> = plans
        .iter()
        .map(|r| {
            let q = r.requests;
            format!(
                "N={}: {} + {} (list pages: {})",
                r.variables, q.supabase, q.vercel, q.vercel_pages
            )
        })
        .collect();
    let other = |r: &Row| {
        (
            r.requests.supabase,
            r.requests.vercel - r.requests.vercel_pages,
        )
    };
    targets(
        &mut out,
        "plan: requests do not grow with N, except Vercel list pages",
        plans.first().copied().into_iter(),
        |first| {
            (
                "plan: requests do not grow with N, except Vercel list pages (Supabase + Vercel)"
                    .into(),
                shape.join("; "),
                plans.iter().all(|r| other(r) == other(first)),
            )
        },
    );
    targets(
        &mut out,
        "plan at 100 ms ≤ 1.5 × chain + 50 ms",
        envctl("plan").filter(|r| r.latency_ms == 100),
        |r| {
            let bound = Duration::from_millis(100) * r.requests.chain as u32 * 3 / 2
                + Duration::from_millis(50);
            (
                format!(
                    "plan, N={} M={}, 100 ms: ≤ 1.5 × chain of {} + 50 ms = {}",
                    r.variables,
                    r.environments,
                    r.requests.chain,
                    ms(bound)
                ),
                ms(r.wall),
                r.wall <= bound,
            )
        },
    );
    targets(
        &mut out,
        "drift of 10 environments at 100 ms < 500 ms",
        envctl("drift").filter(|r| r.latency_ms == 100 && r.environments == 10),
        |r| {
            (
                format!(
                    "drift of 10 environments, N={}, 100 ms: < 500 ms (chain {})",
                    r.variables, r.requests.chain
                ),
                ms(r.wall),
                r.wall < Duration::from_millis(500),
            )
        },
    );
    targets(
        &mut out,
        "`envctl --version` < 5 ms",
        envctl("--version"),
        |r| {
            (
                "`envctl --version` < 5 ms".into(),
                ms(r.wall),
                r.wall < Duration::from_millis(5),
            )
        },
    );
    targets(
        &mut out,
        "validate of 5,000 variables < 100 ms",
        envctl("validate").filter(|r| r.variables == 5000 && r.environments == 1),
        |r| {
            (
                "validate of 5,000 variables (1 environment) < 100 ms".into(),
                ms(r.wall),
                r.wall < Duration::from_millis(100),
            )
        },
    );
    targets(
        &mut out,
        "validate scanning 5,000 source files < 1 s",
        envctl("validate, code").filter(|r| r.variables == 5000),
        |r| {
            (
                "validate scanning 5,000 source files (one environment) < 1 s".into(),
                ms(r.wall),
                r.wall < Duration::from_secs(1),
            )
        },
    );
    // The largest peak of any envctl command at N = 5,000, per M.
    let largest = config.environments.iter().filter_map(|m| {
        rows.iter()
            .filter(|r| r.strategy == "envctl" && r.variables == 5000 && r.environments == *m)
            // N counts source files there, not variables.
            .filter(|r| r.command != "validate, code")
            .max_by_key(|r| r.peak_rss)
    });
    targets(&mut out, "peak memory < 50 MB at N = 5,000", largest, |r| {
        (
            format!(
                "peak memory < 50 MB (47.7 MiB), N = 5,000, M = {} (largest: {})",
                r.environments, r.command
            ),
            mib(r.peak_rss),
            r.peak_rss < 50_000_000,
        )
    });
    targets(
        &mut out,
        "apply of 1,000 changed variables: requests per target bounded by batching",
        envctl("apply").filter(|r| r.variables == 1000),
        |r| {
            let q = r.requests;
            (
                format!(
                    "apply of 1,000 changed variables (M={}, {} ms): requests per target bounded by batching",
                    r.environments, r.latency_ms
                ),
                format!(
                    "Supabase {} requests (writes: {}), Vercel {} requests (writes: {})",
                    q.supabase, q.supabase_writes, q.vercel, q.vercel_writes
                ),
                // Supabase: an upsert and a delete; Vercel: a batch create,
                // a split of shared records and a delete.
                q.supabase_writes <= 2 && q.vercel_writes <= 3,
            )
        },
    );

    let _ = writeln!(
        out,
        "\n### Every measurement\n\nRequests are Supabase + Vercel (writes in brackets); chain is the longest run of requests that must follow one another. `naive ×` is the naive strategy's wall time and requests over envctl's in the same run.\n\n| command | strategy | N | M | latency | wall | CPU | peak memory | requests | chain | naive × |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for r in rows {
        let ratio = if r.strategy == "naive" {
            rows.iter()
                .find(|e| {
                    e.strategy == "envctl"
                        && e.command == r.command
                        && e.variables == r.variables
                        && e.environments == r.environments
                        && e.latency_ms == r.latency_ms
                })
                .map(|e| {
                    format!(
                        "{:.1}× time, {:.0}× requests",
                        r.wall.as_secs_f64() / e.wall.as_secs_f64(),
                        r.requests.total() as f64 / e.requests.total().max(1) as f64
                    )
                })
                .unwrap_or_default()
        } else {
            String::new()
        };
        let q = r.requests;
        let (wall, cpu, rss) = if r.estimated {
            (
                format!("≈ {}", ms(r.wall)),
                "-".to_string(),
                "-".to_string(),
            )
        } else {
            (ms(r.wall), ms(r.cpu), mib(r.peak_rss))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} ms | {wall} | {cpu} | {rss} | {} + {} ({}) | {} | {ratio} |",
            r.command,
            r.strategy,
            r.variables,
            r.environments,
            r.latency_ms,
            q.supabase,
            q.vercel,
            q.supabase_writes + q.vercel_writes,
            q.chain,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(command: &'static str, variables: usize, latency_ms: u64, wall_ms: u64) -> Row {
        Row {
            command,
            strategy: "envctl",
            variables,
            environments: 1,
            latency_ms,
            wall: Duration::from_millis(wall_ms),
            cpu: Duration::ZERO,
            peak_rss: 20 << 20,
            requests: Requests {
                supabase: 2,
                vercel: variables.div_ceil(200),
                vercel_pages: variables.div_ceil(200),
                chain: variables.div_ceil(200),
                ..Requests::default()
            },
            estimated: false,
        }
    }

    fn config() -> Config {
        Config {
            variables: vec![10, 1000],
            environments: vec![1],
            latencies: vec![0, 100],
            runs: 1,
            naive_budget: Duration::from_secs(20),
            envctl: PathBuf::from("envctl"),
            out: None,
            code_files: vec![5000],
        }
    }

    #[test]
    fn the_report_judges_each_target_and_says_what_was_not_measured() {
        let rows = [
            row("plan", 10, 0, 20),
            row("plan", 1000, 0, 40),
            row("plan", 10, 100, 150),
            // Chain of 5 at 100 ms: the bound is 800 ms.
            row("plan", 1000, 100, 900),
        ];
        let report = report(&config(), "test machine", &rows);
        let line = |needle: &str| {
            report
                .lines()
                .find(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("no line with {needle}:\n{report}"))
                .to_string()
        };
        assert!(line("do not grow with N").ends_with("| met |"));
        assert!(line("N=10 M=1, 100 ms").ends_with("| met |"));
        assert!(
            line("N=1000 M=1, 100 ms: ≤ 1.5 × chain of 5 + 50 ms = 800 ms").contains("**missed**")
        );
        assert!(line("validate of 5,000 variables").ends_with("| - | not measured |"));
        assert!(line("validate scanning 5,000 source files").ends_with("| - | not measured |"));
        assert!(line("drift of 10 environments").ends_with("not measured |"));
        assert!(report.contains("Machine: test machine."));
    }

    #[test]
    fn requests_that_grow_with_n_beyond_list_pages_are_a_missed_target() {
        let mut grown = row("plan", 1000, 0, 40);
        // One read by id per record: 500 more requests.
        grown.requests.vercel += 500;
        let rows = [row("plan", 10, 0, 20), grown];
        let report = report(&config(), "m", &rows);
        let line = report
            .lines()
            .find(|l| l.contains("do not grow with N"))
            .unwrap();
        assert!(line.contains("**missed**"), "{line}");
    }
}
