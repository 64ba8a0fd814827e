//! A deep property run outside the test harness, reporting how much it covered and how fast:
//! `PROPTEST_CASES=20000 PROPTEST_RNG_SEED=7 cargo run --release -p kernsim-testkit --example deep_run`.
//! Sharded across cores or machines: `SHARD=i/N` runs shard i (0-based) of N, with its own
//! seed (`PROPTEST_RNG_SEED + i`) and `PROPTEST_CASES / N` cases, so N shards together cover
//! as many cases as one run and never repeat one another's sequences, e.g.
//! `for i in 0 1; do SHARD=$i/2 cargo run --release -p kernsim-testkit --example deep_run & done; wait`.

use kernsim_testkit::{ops, run_reference, run_sequence};
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
    let started = std::time::Instant::now();
    let steps = Cell::new(0usize);
    let mut runner = TestRunner::new(config.clone());
    let result = runner.run(&ops::ops(200), |sequence| {
        let driver = run_sequence(&sequence).map_err(TestCaseError::fail)?;
        steps.set(steps.get() + driver.steps());
        Ok(())
    });
    match result {
        Ok(()) => println!(
            "invariant suite: {cases} cases, {} steps, no failure (seed {seed}, shard {shard}/{shards}); {:.0} checked steps/s",
            steps.get(),
            steps.get() as f64 / started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            println!("invariant suite FAILED: {e}");
            std::process::exit(1);
        }
    }

    let started = std::time::Instant::now();
    let calls = Cell::new(0usize);
    let mut runner = TestRunner::new(config);
    let result = runner.run(&proptest::collection::vec(ops::ref_op(), 1..200), |sequence| {
        calls.set(calls.get() + run_reference(&sequence, None).map_err(TestCaseError::fail)?);
        Ok(())
    });
    match result {
        Ok(()) => println!(
            "reference model: {cases} cases, {} calls compared, no difference (seed {seed}, shard {shard}/{shards}); {:.0} compared calls/s",
            calls.get(),
            calls.get() as f64 / started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            println!("reference model FAILED: {e}");
            std::process::exit(1);
        }
    }
}
