//! The `envctl` binary: run, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    envctl::cli::main()
}
