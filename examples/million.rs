//! Times a generated 1,000,000-step scenario: load (parse + validate) and run, with the event
//! log on and off, and the peak of live heap: `cargo run --release --example million [steps]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// The system allocator, counting live and peak bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let text = kernsim_testkit::workload::event_cycles(steps);
    println!("{steps} steps, {:.1} MB of JSON", text.len() as f64 / 1e6);
    for event_log in [false, true] {
        PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
        let t = Instant::now();
        let scenario = kernsim::scenario::load_str(&text, "generated.json").expect("valid");
        let loaded = t.elapsed();
        let scenario_heap = LIVE.load(Ordering::Relaxed) - text.len();
        let run = kernsim::scenario::run_with(
            &scenario,
            kernsim::scenario::RunOptions {
                event_log,
                ..Default::default()
            },
            &mut kernsim::scenario::Discard,
        );
        let total = t.elapsed();
        assert!(run.passed());
        println!(
            "event log {}: load {:.2?}, run {:.2?}, total {:.2?}; heap: scenario {} MB, peak {} MB",
            if event_log { "on " } else { "off" },
            loaded,
            total - loaded,
            total,
            scenario_heap / 1_000_000,
            (PEAK.load(Ordering::Relaxed) - text.len()) / 1_000_000
        );
    }
}
