//! `envctl completions SHELL` and `envctl man`, generated from the clap
//! definitions: they name every command, and the bash script parses.

use std::process::Command;

use crate::common::Workspace;

/// Every top-level command `envctl --help` lists.
fn commands() -> Vec<String> {
    let ws = Workspace::example();
    let help = ws.run(&["--help"], &[]).expect(0).stdout();
    let listed: Vec<String> = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands section")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   ")) // a wrapped description
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(listed.len() >= 12, "{help}");
    listed
}

#[test]
fn the_bash_script_parses_and_completes_every_command() {
    let ws = Workspace::example();
    let run = ws.run(&["completions", "bash"], &[]);
    let script = run.expect(0).stdout();
    for command in commands() {
        assert!(
            script.contains(&format!("envctl,{command})")),
            "no `{command}` in the bash completions"
        );
    }
    // A subcommand's flags are offered too.
    assert!(script.contains("--audit"), "apply's --audit");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("envctl.bash");
    std::fs::write(&path, &script).unwrap();
    let parsed = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        parsed.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&parsed.stderr)
    );
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_one_is_refused() {
    let ws = Workspace::example();
    for (shell, marker) in [
        ("zsh", "#compdef envctl"),
        ("fish", "complete -c envctl"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        ws.run(&["completions", shell], &[])
            .expect(0)
            .expect_output(marker);
    }
    ws.run(&["completions", "tcsh"], &[])
        .expect(1)
        .expect_output("invalid value 'tcsh'");
}

#[test]
fn man_prints_roff_naming_every_command() {
    let ws = Workspace::example();
    let page = ws.run(&["man"], &[]).expect(0).stdout();
    assert!(page.contains(".TH envctl 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for command in commands() {
        assert!(
            page.contains(&format!("envctl\\-{command}(1)")),
            "no `{command}` in the manual page"
        );
    }
}

#[test]
fn man_out_writes_a_page_per_command() {
    let ws = Workspace::example();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    ws.run(&["man", "--out", out.to_str().unwrap()], &[])
        .expect(0)
        .expect_output("Wrote envctl.1");
    let top = std::fs::read_to_string(out.join("envctl.1")).unwrap();
    assert!(top.contains(".TH envctl 1"));
    for command in commands() {
        let page = std::fs::read_to_string(out.join(format!("envctl-{command}.1")))
            .unwrap_or_else(|e| panic!("envctl-{command}.1: {e}"));
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{page}");
    }
    let apply = std::fs::read_to_string(out.join("envctl-apply.1")).unwrap();
    assert!(apply.contains("\\-\\-audit"), "{apply}");
}
