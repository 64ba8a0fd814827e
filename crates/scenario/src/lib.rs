//! kernsim-scenario: JSON scenario files that drive the kernel model, and their traces.
//!
//! The module list below is a map of the code:
//!
//! * [`format`]: the file format (`format_version` 1) as serde types.
//! * [`load`] reads a file and validates every step before anything runs; errors name file,
//!   line, column, JSON path and what was expected ([`LoadError`]).
//! * [`values`]: constants, bindings and `${name}` in arguments; matching expected values.
//! * [`runner`] runs a scenario on a fresh kernel and records a [`StepTrace`] per step.
//! * [`render`]: narrated text (English or Korean) and JSON lines.
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
pub use runner::{run, run_with, Discard, Names, Run, RunError, RunOptions, Sink, StepTrace, Summary};
