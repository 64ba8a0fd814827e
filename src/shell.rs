//! The virtual command prompt (in progress).

use kernsim_scenario::Lang;
use std::path::Path;

/// Runs the prompt.
pub fn main(_lang: Lang, _save: Option<&Path>) -> u8 {
    eprintln!("kernsim shell: not built yet");
    2
}
