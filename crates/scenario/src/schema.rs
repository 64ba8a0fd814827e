//! The JSON Schema of scenario files (`kernsim schema`), generated from the same serde types
//! the loader reads, so it cannot drift from the format.

use crate::format::ScenarioFile;

/// The schema as pretty JSON.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(ScenarioFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}
