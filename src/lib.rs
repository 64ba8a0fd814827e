//! kernsim: a deterministic simulator of Windows-style kernel objects. This crate is the
//! command-line tool and a single import for embedders: it re-exports the model
//! ([`kernel`]) and the scenario layer ([`scenario`]), and holds the teaching modes
//! ([`quiz`], [`stepper`]) and, with the default `cli` feature, the virtual command prompt
//! (`shell`). `default-features = false` leaves out every command-line dependency.

#![forbid(unsafe_code)]

pub use kernsim_kernel as kernel;
pub use kernsim_scenario as scenario;

pub mod quiz;
#[cfg(feature = "cli")]
pub mod shell;

/// `--lang ID`: any embedded message catalog (`crates/scenario/i18n/ID.ftl`).
#[cfg(feature = "cli")]
pub fn parse_lang(id: &str) -> Result<scenario::Lang, String> {
    use scenario::Lang;
    Lang::from_id(id).ok_or_else(|| {
        let known: Vec<&str> = Lang::all().map(Lang::id).collect();
        format!("no message catalog {id:?}; the catalogs are: {}", known.join(", "))
    })
}
pub mod stepper;

/// The README's Rust examples, compiled and run as doctests so they cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
