//! A tight loop of kernel calls, for profiling (`perf record`, `valgrind --tool=callgrind`):
//! `cargo run --release --example hot_loop -- events|dup|pipe4k|pipe64k [iterations]`.

use kernsim::kernel::*;
use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "events".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let mut k = Kernel::new();
    k.set_event_log(false);
    let (_, t) = k.spawn("loop.exe", "", vec![]);
    let event = Call::CreateEvent {
        event_attributes: None,
        manual_reset: true,
        initial_state: false,
        name: None,
    };
    match what.as_str() {
        "events" => {
            for _ in 0..n {
                let r = k.call(t, &event).unwrap();
                let Some(Ret::Handle(h)) = r.result().map(|r| r.ret) else {
                    panic!()
                };
                black_box(k.call(t, &Call::CloseHandle { handle: h }).unwrap());
            }
        }
        "pipe4k" | "pipe64k" => {
            let chunk = if what == "pipe4k" { 4096 } else { 65536 };
            let r = k
                .call(
                    t,
                    &Call::CreatePipe {
                        pipe_attributes: None,
                        size: chunk,
                    },
                )
                .unwrap();
            let o = r.result().unwrap().outputs();
            let (rh, wh) = (o.read_handle.unwrap(), o.write_handle.unwrap());
            let write = Call::WriteFile {
                file: wh,
                data: Data(vec![1; chunk as usize]),
            };
            let read = Call::ReadFile {
                file: rh,
                bytes_to_read: chunk,
            };
            for _ in 0..n {
                black_box(k.call(t, &write).unwrap());
                black_box(k.call(t, &read).unwrap());
            }
        }
        other => panic!("unknown loop {other}"),
    }
}
