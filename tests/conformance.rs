//! The provider conformance scenario against every provider available.

use envctl::provider::{Provider, conformance, dotenv::DotenvProvider, memory::MemoryProvider};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn memory_provider_conforms() {
    block_on(conformance::run(&Provider::Memory(MemoryProvider::new()))).unwrap();
}

#[test]
fn dotenv_provider_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Provider::Dotenv(DotenvProvider::new(
        "local",
        dir.path().join(".env.test"),
        ".env.test",
    ));
    block_on(conformance::run(&provider)).unwrap();
}

#[test]
fn conformance_catches_a_provider_that_drops_writes() {
    // A provider that fails its first write must not pass the scenario.
    let memory = MemoryProvider::new();
    memory.fail_at(0);
    assert!(block_on(conformance::run(&Provider::Memory(memory))).is_err());
}
