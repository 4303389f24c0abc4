//! `envctl-bench --across`: `apply` of one environment with two targets on
//! two platforms (Vercel and Supabase, every value changed), at each
//! `--latency`, beside the naive strategy; with `--baseline PATH`, a second
//! envctl binary is measured the same way in the same run. The number to
//! read is the wall time against one round trip: both targets' writes can
//! go out at once.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Bench, ms};

/// The value after `flag` in `args`, and the other arguments.
pub fn take(args: &[String], flag: &str) -> (Option<String>, Vec<String>) {
    let mut rest = Vec::new();
    let mut value = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == flag {
            value = it.next().cloned();
        } else {
            rest.push(arg.clone());
        }
    }
    (value, rest)
}

/// `--across [--variables LIST] [--latency LIST] [--runs K] [--envctl PATH]
/// [--baseline PATH]`.
pub fn main(args: &[String]) -> Result<i32, String> {
    let (baseline, args) = take(args, "--baseline");
    let args: Vec<String> = args.into_iter().filter(|a| a != "--across").collect();
    let config = crate::parse(args.clone())?;
    let mut binaries = vec![("envctl", config.envctl.clone())];
    binaries.extend(baseline.map(|b| ("baseline", PathBuf::from(b))));
    // One configuration per binary, each measuring its own.
    let configs = binaries
        .iter()
        .map(|(_, binary)| {
            let mut args = args.clone();
            args.extend(["--envctl".to_string(), binary.display().to_string()]);
            crate::parse(args)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut table = String::from(
        "| N | latency | strategy | wall | CPU | requests (writes) |\n| ---: | ---: | --- | ---: | ---: | ---: |\n",
    );
    for &n in &config.variables {
        eprintln!("apply across targets, N = {n}: generating and seeding…");
        let mut bench = Bench::new(&config, n, 1)?;
        bench.seed()?;
        let first = bench.project.envs[0].name.clone();
        for &latency in &config.latencies {
            bench.latency_ms = latency;
            bench.platforms.set_latency(Duration::from_millis(latency));
            let mut rows = Vec::new();
            for ((label, _), config) in binaries.iter().zip(&configs) {
                bench.config = config;
                let row = bench.envctl("apply", &["apply", &first, "--yes"], 0, true)?;
                rows.push((*label, row));
            }
            bench.config = &configs[0];
            rows.push(("naive", bench.naive("apply", 0, None)?));
            for (label, row) in rows {
                let r = row.requests;
                let _ = writeln!(
                    table,
                    "| {n} | {latency} ms | {label} | {} | {} | {} + {} ({}) |",
                    ms(row.wall),
                    ms(row.cpu),
                    r.supabase,
                    r.vercel,
                    r.supabase_writes + r.vercel_writes
                );
            }
        }
    }
    print!("{table}");
    Ok(0)
}
