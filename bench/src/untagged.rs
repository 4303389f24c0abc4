//! Vercel records envctl did not write: `envctl-bench --untagged
//! [--variables N,…] [--latency L,…]`. Each shape is applied by envctl,
//! then envctl's tags are taken off every Vercel record (as if the
//! records had been made by hand with the same values), and `plan` is
//! measured against the naive strategy (one `GET` by id per record); then
//! `apply --yes` tags the records the plan verified (comment only), and
//! `plan` is measured again ("after apply tagged them"). N is the number of
//! Vercel records (the generated project also has N Supabase secrets).

use std::time::Duration;

use crate::{Bench, Config, Row, mib, ms};

pub fn run(config: &Config) -> Result<String, String> {
    let mut out = String::from(
        "| Vercel records | latency | strategy | wall | CPU | peak memory | requests | chain |\n| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for &n in &config.variables {
        let mut bench = Bench::new(config, n * 2, 1)?;
        bench.seed()?;
        for &latency in &config.latencies {
            bench.latency_ms = latency;
            untag(&bench);
            bench.platforms.set_latency(Duration::from_millis(latency));
            let env = bench.project.envs[0].name.clone();
            let envctl = bench.envctl("plan", &["plan", &env, "--detailed-exitcode"], 0, false)?;
            untag(&bench);
            let naive = bench.naive("plan", 0, None)?;
            // Tags them: only the first run writes; the others find nothing.
            let mut apply = bench.envctl("apply", &["apply", &env, "--yes"], 0, false)?;
            apply.strategy = "envctl apply (tags them)";
            let mut tagged =
                bench.envctl("plan", &["plan", &env, "--detailed-exitcode"], 0, false)?;
            tagged.strategy = "envctl, after apply tagged them";
            for row in [envctl, naive, apply, tagged] {
                out.push_str(&line(n, &row));
            }
        }
    }
    Ok(out)
}

/// Takes envctl's tag out of every Vercel record's comment.
fn untag(bench: &Bench) {
    let api = bench.platforms.vercel.api();
    let project = &bench.project.envs[0].vercel_project_id;
    for record in api.records(project) {
        if record.comment.contains("[envctl") {
            api.edit_record_behind_back(project, &record.id, Some(""), None);
        }
    }
}

fn line(n: usize, row: &Row) -> String {
    format!(
        "| {n} | {} ms | {} | {} | {} | {} | {} | {} |\n",
        row.latency_ms,
        row.strategy,
        ms(row.wall),
        ms(row.cpu),
        mib(row.peak_rss),
        row.requests.total(),
        row.requests.chain
    )
}
