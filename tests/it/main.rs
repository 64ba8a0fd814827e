//! kernsim's integration tests, one binary:
//!
//! * `scenarios`: every file in `scenarios/` passes, matches its golden traces (en, ko, JSON)
//!   and renders byte-identically twice;
//! * `cli`: the `kernsim` command's outputs, exit codes and located errors;
//! * `invariants`: `check_invariants` catches deliberately corrupted states;
//! * `properties`: property tests over random call sequences and a reference model;
//! * `shell`: `kernsim shell` driven through stdin.

mod browser;
mod cli;
mod invariants;
mod lesson;
mod properties;
mod quiz;
mod scenarios;
mod schema;
mod shell;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every scenario file, sorted.
pub fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}
