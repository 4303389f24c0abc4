//! action.yml, its scripts and docs/ci.md agree: every input the action
//! declares reaches its scripts through `env:` (never spliced into a
//! `run:`), docs/ci.md's table lists exactly those inputs, and the
//! workflows it shows use no other.

use std::collections::BTreeSet;
use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The input names under `inputs:` in action.yml (two-space keys).
fn declared() -> BTreeSet<String> {
    let text = read("action.yml");
    let start = text.find("\ninputs:\n").expect("action.yml has inputs");
    let end = text.find("\noutputs:\n").expect("action.yml has outputs");
    text[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|k| !k.starts_with(' '))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_input_reaches_the_scripts_through_env() {
    let inputs = declared();
    assert!(inputs.len() >= 5, "{inputs:?}");
    let action = read("action.yml");
    let run = read("action/run.sh");
    for input in &inputs {
        let expr = format!("${{{{ inputs.{input} }}}}");
        let uses: Vec<&str> = action.lines().filter(|l| l.contains(&expr)).collect();
        assert!(!uses.is_empty(), "input {input} is never used");
        for line in uses {
            let key = line.trim_start().split(':').next().unwrap();
            assert!(
                key.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{input} must reach a script as an environment variable, not in `{line}`"
            );
            assert!(
                run.contains(key) || read("action/install.sh").contains(key),
                "{key} ({input}) is read by no script"
            );
        }
    }
    for line in action
        .lines()
        .filter(|l| l.trim_start().starts_with("run:"))
    {
        assert!(!line.contains("${{"), "an expression inside run: {line}");
    }
}

#[test]
fn docs_list_exactly_the_inputs_and_use_no_other() {
    let inputs = declared();
    let docs = read("docs/ci.md");
    let table: BTreeSet<String> = docs
        .lines()
        .skip_while(|l| *l != "### Inputs")
        .take_while(|l| !l.starts_with("Outputs:"))
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .map(str::to_string)
        .collect();
    assert_eq!(table, inputs, "docs/ci.md's input table");
    let mut used = 0;
    let mut lines = docs.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("- uses: envctl-dev/envctl@") {
            continue;
        }
        let mut in_with = false;
        while let Some(next) = lines.next_if(|l| l.starts_with("        ")) {
            let trimmed = next.trim_start();
            let depth = next.len() - trimmed.len();
            if depth == 8 {
                in_with = trimmed == "with:";
            } else if in_with && depth == 10 && !trimmed.starts_with('#') {
                let key = trimmed.split(':').next().unwrap();
                assert!(inputs.contains(key), "docs/ci.md uses input `{key}`");
                used += 1;
            }
        }
    }
    assert!(used >= 3, "docs/ci.md shows the action with its inputs");
}
