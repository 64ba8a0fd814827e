//! kernsim-scenario: JSON scenario files that drive the kernel model, and their traces.
//!
//! The module list below is a map of the code:
//!
//! * [`format`](mod@format): the file format (`format_version` 1) as serde types.
//! * [`load`] reads a file once and compiles every step into the typed [`plan`] before
//!   anything runs; errors name file, line, column, JSON path and what was expected
//!   ([`LoadError`]).
//! * [`plan`]: the compiled scenario: step kinds, call templates, typed expectations.
//! * [`runner`] runs a plan on a fresh kernel and hands a [`StepTrace`] per step to a [`Sink`].
//! * [`check`]: check results, object labels and run errors as data.
//! * [`render`]: the only place facts become words: narrated text (English or Korean) and
//!   JSON lines, both as sinks.
//! * [`values`]: constants, bindings and `${name}` for the shell's free-form calls.
//! * [`schema`]: the JSON Schema of scenario files.
//! * [`locate`]: JSON path → line and column.
//!
//! ```
//! let text = r#"{
//!   "format_version": 1,
//!   "title": "One event",
//!   "processes": [{"name": "p", "image": "p.exe"}],
//!   "steps": [
//!     {"by": "p", "call": "CreateEvent", "args": {"manual_reset": true}, "bind": {"ret": "hEvent"},
//!      "expect": {"ret": {"not": "NULL"}, "object": {"ref": "hEvent", "usage_count": 1}}}
//!   ]
//! }"#;
//! let scenario = kernsim_scenario::load_str(text, "inline.json").unwrap();
//! let run = kernsim_scenario::run(&scenario);
//! assert!(run.passed(), "{:?}", run.failures());
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(clippy::result_large_err)]

pub mod check;
pub mod format;
pub mod i18n;
pub mod lesson;
pub mod load;
pub mod locate;
pub mod plan;
pub mod render;
pub mod runner;
pub mod schema;
pub mod values;

pub use check::{Check, Checked, Label, Mismatch, RunProblem};
pub use load::{load_file, load_str, LoadError, Scenario};
pub use render::{render_json, render_shown, render_text, JsonRenderer, Lang, TextRenderer};
pub use runner::{
    run, run_with, CallLine, Discard, MemoryBudget, Names, Run, RunError, RunOptions, Sink, StepTrace, Summary,
};

/// The crate README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
