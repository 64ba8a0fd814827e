//! kernsim-testkit: property testing of the kernel model, for kernsim itself and for
//! embedders.
//!
//! * [`calls`]: property testing over real `Call` values: an embedder's weighted call mix
//!   ([`calls::CallMix`]) builds each call from what exists ([`calls::Operands`]);
//!   [`calls::run_calls`] runs a drawn script and checks the invariants and the embedder's
//!   own [`Check`]s after every call.
//! * [`ops`]: abstract operations ([`Op`], [`RefOp`]) whose operands are drawn mostly from what
//!   exists when they run (rows, processes, names), sometimes garbage; and their proptest
//!   strategies ([`ops::ops`], [`ops::ref_op`]).
//! * [`driver`]: [`Driver`] applies operations and checks, after every step,
//!   `check_invariants` and the promises beyond it (pipe data, message boundaries, broken
//!   pipes, inheritance, environment isolation, no panics); [`run_sequence`] also tears
//!   everything down and checks that no object is left.
//! * [`reference`](mod@reference): [`RefModel`], a deliberately simple, separate model of handle tables and
//!   usage counts, compared with the kernel call by call by [`run_reference`].
//! * [`property`]: the named properties ([`Property`]), the typed [`PropertyFailure`], and
//!   [`Check`] for an embedder's own properties.
//! * [`record`]: a failing sequence prints as a scenario file whose steps carry the expected
//!   results, so `kernsim check` on it fails until the bug is fixed.
//! * [`workload`]: large generated scenarios and kernel-driving helpers for benchmarks.
//!
//! Case counts come from proptest's usual `PROPTEST_CASES` environment variable.
//!
//! ```
//! use kernsim_testkit::{ops, run_sequence};
//! use proptest::test_runner::{Config, TestRunner};
//!
//! let mut runner = TestRunner::new(Config { cases: 8, ..Config::default() });
//! runner
//!     .run(&ops::ops(40), |sequence| {
//!         run_sequence(&sequence).map_err(proptest::test_runner::TestCaseError::fail)?;
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Records and outcomes are moved once per step; boxing them would only add allocations.
#![allow(clippy::large_enum_variant)]

pub mod calls;
pub mod driver;
pub mod ops;
pub mod property;
pub mod record;
pub mod reference;
pub mod workload;

pub use driver::{run_sequence, run_sequence_on, Driver};
pub use ops::{Op, RefOp};
pub use property::{Check, Property, PropertyFailure};
pub use reference::{run_reference, run_reference_with, RefModel};
