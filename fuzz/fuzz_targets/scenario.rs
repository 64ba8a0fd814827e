//! Fuzz target: any bytes as a scenario file: load (errors must be located), run, and render
//! in every language and as JSON. Nothing may panic or abort.
#![no_main]

use kernsim_scenario::{load_str, render_json, render_text, run, Lang};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match load_str(text, "fuzz.json") {
        Ok(scenario) => {
            let result = run(&scenario);
            for lang in [Lang::En, Lang::Ko] {
                let _ = render_text(&scenario, &result, lang);
            }
            let _ = render_json(&scenario, &result);
        }
        Err(e) => {
            // Every error that is about the text names a place in it.
            assert!(e.line >= 1 && e.column >= 1, "an unlocated error: {e}");
        }
    }
});
