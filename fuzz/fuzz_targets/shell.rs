//! Fuzz target: any bytes as lines typed at `kernsim shell`; nothing may panic.
#![no_main]

use kernsim::shell::Shell;
use kernsim_scenario::Lang;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut shell = Shell::new(Lang::En);
    for line in data.split(|&b| b == b'\n').take(64) {
        let Ok(line) = std::str::from_utf8(line) else { continue };
        let (_, flow) = shell.execute(line);
        if flow == kernsim::shell::Flow::Exit {
            break;
        }
    }
    let _ = shell.scenario_json();
});
