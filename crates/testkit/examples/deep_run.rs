//! A deep property run outside the test harness, reporting how much it covered:
//! `PROPTEST_CASES=20000 PROPTEST_RNG_SEED=7 cargo run --release -p kernsim-testkit --example deep_run`.

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
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    };

    let steps = Cell::new(0usize);
    let mut runner = TestRunner::new(config.clone());
    let result = runner.run(&ops::ops(200), |sequence| {
        let driver = run_sequence(&sequence).map_err(TestCaseError::fail)?;
        steps.set(steps.get() + driver.steps());
        Ok(())
    });
    match result {
        Ok(()) => println!(
            "invariant suite: {cases} cases, {} steps, no failure (seed {seed})",
            steps.get()
        ),
        Err(e) => {
            println!("invariant suite FAILED: {e}");
            std::process::exit(1);
        }
    }

    let calls = Cell::new(0usize);
    let mut runner = TestRunner::new(config);
    let result = runner.run(&proptest::collection::vec(ops::ref_op(), 1..200), |sequence| {
        calls.set(calls.get() + run_reference(&sequence, None).map_err(TestCaseError::fail)?);
        Ok(())
    });
    match result {
        Ok(()) => println!(
            "reference model: {cases} cases, {} calls compared, no difference (seed {seed})",
            calls.get()
        ),
        Err(e) => {
            println!("reference model FAILED: {e}");
            std::process::exit(1);
        }
    }
}
