//! A tight loop of kernel calls, for profiling (`perf record`, `valgrind --tool=callgrind`):
//! `cargo run --release --example hot_loop -- events|events_big|dup|pipe4k|pipe64k [iterations]`.

use kernsim::kernel::*;
use kernsim_testkit::workload::{duplicate, handle_of, pipe_round_trip, world, EVENT};
use std::hint::black_box;

/// One call through the checked entry point itself (`Kernel::call`), as an embedder's loop
/// makes it: the result of a call that returned.
fn done(k: &mut Kernel, t: Tid, call: &Call) -> CallResult {
    match k.call(t, call) {
        Ok(CallOutcome::Done(r)) => r,
        other => panic!("{} did not return: {other:?}", call.name()),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "events".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let (mut k, t) = world("loop.exe");
    match what.as_str() {
        "events_big" => {
            // A million live rows, a low one freed and refilled: each pair then needs the
            // next lowest free slot, which a scan would find only past every row.
            let rows: Vec<HandleValue> = (0..1_000_000).map(|_| handle_of(&done(&mut k, t, &EVENT))).collect();
            done(&mut k, t, &Call::CloseHandle { handle: rows[0] });
            done(&mut k, t, &EVENT);
            for _ in 0..n {
                let h = handle_of(&done(&mut k, t, &EVENT));
                black_box(done(&mut k, t, &Call::CloseHandle { handle: h }));
            }
        }
        "events" => {
            for _ in 0..n {
                let h = handle_of(&done(&mut k, t, &EVENT));
                black_box(done(&mut k, t, &Call::CloseHandle { handle: h }));
            }
        }
        "dup" => {
            let e = handle_of(&done(&mut k, t, &EVENT));
            let d = duplicate(e, HandleValue::CURRENT_PROCESS, false);
            for _ in 0..n {
                let h = handle_of(&done(&mut k, t, &d));
                black_box(done(&mut k, t, &Call::CloseHandle { handle: h }));
            }
        }
        "pipe4k" | "pipe64k" => {
            let chunk = if what == "pipe4k" { 4096 } else { 65536 };
            let (write, read) = pipe_round_trip(&mut k, t, chunk);
            for _ in 0..n {
                black_box(done(&mut k, t, &write));
                black_box(done(&mut k, t, &read));
            }
        }
        other => {
            eprintln!("unknown loop {other:?}: expected events, dup, pipe4k or pipe64k");
            std::process::exit(2);
        }
    }
}
