//! A deep property run outside the test harness, reporting how much it covered and how fast:
//! `PROPTEST_CASES=20000 PROPTEST_RNG_SEED=7 cargo run --release -p kernsim-testkit --example deep_run`.
//! Sharded across cores or machines: `SHARD=i/N` runs shard i (0-based) of N, with its own
//! seed (`PROPTEST_RNG_SEED + i`) and `PROPTEST_CASES / N` cases, so N shards together cover
//! as many cases as one run and never repeat one another's sequences, e.g.
//! `for i in 0 1; do SHARD=$i/2 cargo run --release -p kernsim-testkit --example deep_run & done; wait`.

use kernsim_testkit::{ops, run_reference, run_sequence};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use std::cell::Cell;

fn main() {
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let seed: u64 = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let (shard, shards) = std::env::var("SHARD")
        .ok()
        .and_then(|v| {
            let (i, n) = v.split_once('/')?;
            Some((i.parse::<u64>().ok()?, n.parse::<u64>().ok()?))
        })
        .filter(|&(i, n)| n > 0 && i < n)
        .unwrap_or((0, 1));
    let seed = seed + shard;
    let cases = (cases / shards as u32).max(1);
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    };

    // Throughput is this tool's report, not part of any model output.
    let at = format!("seed {seed}, shard {shard}/{shards}");
    deep(
        "invariant suite",
        "checked steps",
        &at,
        &config,
        ops::ops(200),
        |sequence| run_sequence(sequence).map(|d| d.steps()),
    );
    deep(
        "waits and wakes",
        "checked steps",
        &at,
        &config,
        ops::sync_ops(150),
        |sequence| run_sequence(sequence).map(|d| d.steps()),
    );
    deep(
        "reference model",
        "compared calls",
        &at,
        &config,
        proptest::collection::vec(ops::ref_op(), 1..200),
        |sequence| run_reference(sequence, None),
    );
}

/// Runs one suite for `config.cases` cases, each counting its `unit`s, and reports the rate;
/// exits with 1 on a failure.
fn deep<S: Strategy, E: std::fmt::Display>(
    suite: &str,
    unit: &str,
    at: &str,
    config: &Config,
    strategy: S,
    run: impl Fn(&S::Value) -> Result<usize, E>,
) {
    let started = std::time::Instant::now();
    let counted = Cell::new(0usize);
    let mut runner = TestRunner::new(config.clone());
    let result = runner.run(&strategy, |case| {
        counted.set(counted.get() + run(&case).map_err(|e| TestCaseError::fail(e.to_string()))?);
        Ok(())
    });
    match result {
        Ok(()) => println!(
            "{suite}: {} cases, {} {unit}, no failure ({at}); {:.0} {unit}/s",
            config.cases,
            counted.get(),
            counted.get() as f64 / started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            println!("{suite} FAILED: {e}");
            std::process::exit(1);
        }
    }
}
