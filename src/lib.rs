//! kernsim: a deterministic simulator of Windows-style kernel objects. This crate is the
//! command-line tool and a single import for embedders: it re-exports the model
//! ([`kernel`]) and the scenario layer ([`scenario`]), and holds the virtual command
//! prompt ([`shell`]).

#![forbid(unsafe_code)]

pub use kernsim_kernel as kernel;
pub use kernsim_scenario as scenario;

pub mod quiz;
pub mod shell;
pub mod stepper;

/// The README's Rust examples, compiled and run as doctests so they cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
