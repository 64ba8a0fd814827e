//! Fuzz target: a sequence of calls decoded from the bytes (call by table index, arguments
//! as small numbers, handle values with tag bits, pseudo handles, short texts), made by any
//! live thread, with the kernel's invariants checked after each call and, for a failed call,
//! the rule that it changed nothing but the last error (ARCHITECTURE.md lists the Windows
//! exceptions, which are skipped).
#![no_main]

use kernsim_kernel::{Call, CallName, CallOutcome, Kernel, Tid};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

/// The values an argument can take: handle-like numbers (tag bits, pseudo and std values
/// included), flag words and sizes.
fn number(b: u8) -> Value {
    match b % 16 {
        0 => json!(-1),
        1 => json!(-2),
        2 => json!(-11),
        3 => json!(0),
        4..=11 => json!(u32::from(b / 16) * 4 + u32::from(b % 4)),
        12 => json!(0x0010_0000 | 0x001F_0FFF),
        13 => json!(u32::from(b)),
        14 => json!(4096),
        _ => json!(u32::from(b) << 8),
    }
}

fn text(b: u8) -> Value {
    const TEXTS: [&str; 8] = [
        "\\\\.\\pipe\\p",
        "\\\\.\\mailslot\\m",
        "ev",
        "child.exe 4",
        "A=1",
        "%A%x",
        "C:\\f.txt",
        "",
    ];
    json!(TEXTS[usize::from(b) % TEXTS.len()])
}

fn call(bytes: &[u8]) -> Option<Call> {
    let (&first, rest) = bytes.split_first()?;
    let kind = CallName::ALL[usize::from(first) % CallName::ALL.len()];
    let mut args = Map::new();
    for (i, arg) in kind.arguments().iter().enumerate() {
        let b = *rest.get(i)?;
        let v = if kind.text_arguments().contains(arg) {
            if *arg == "environment" {
                json!([text(b)])
            } else {
                text(b)
            }
        } else if matches!(*arg, "handles" | "handle_list") {
            json!([number(b), number(b.rotate_left(3))])
        } else {
            number(b)
        };
        args.insert((*arg).to_string(), v);
    }
    let value = if kind.arguments().is_empty() {
        json!({ "call": kind.as_str() })
    } else {
        json!({ "call": kind.as_str(), "args": args })
    };
    serde_json::from_value(value).ok()
}

fuzz_target!(|data: &[u8]| {
    let mut k = Kernel::new();
    k.set_event_log(false);
    let (_, first) = k.spawn("fuzz.exe", "", vec!["A=1".into()]);
    let mut threads: Vec<Tid> = vec![first];
    let calls = data.len().div_ceil(8);
    for (i, chunk) in data.chunks(8).enumerate() {
        let (&who, rest) = match chunk.split_first() {
            Some(v) => v,
            None => break,
        };
        if who == 0xFF {
            k.advance_time(u64::from(rest.first().copied().unwrap_or(1)) * 10);
            continue;
        }
        let Some(c) = call(rest) else { continue };
        threads.retain(|&t| k.process_of_thread(t).is_some());
        for pid in k.process_ids() {
            if let Some(t) = k.main_thread(pid) {
                if !threads.contains(&t) {
                    threads.push(t);
                }
            }
        }
        let Some(&tid) = threads.get(usize::from(who) % threads.len().max(1)) else {
            return;
        };
        let before = k.snapshot();
        let Ok(outcome) = k.call(tid, &c) else { continue };
        if let CallOutcome::Done(r) = &outcome {
            if r.error_set && r.last_error.code() != 0 && !kernsim_testkit::property::may_change_on_failure(&c, r.last_error) {
                let failed = c.kind().failure_ret() == Some(r.ret);
                let after = k.snapshot();
                if failed {
                    assert_eq!(
                        (&before.processes, &before.objects, &before.names),
                        (&after.processes, &after.objects, &after.names),
                        "a failed {c:?} changed the state"
                    );
                }
            }
        }
        k.take_completions();
        if let Err(v) = k.check_invariants() {
            panic!("invariants broken after {c:?}: {v:?}");
        }
        // The explanations agree with the state (the testkit's `check_explanations`): checked every
        // 8th call and after the last (each check scans every table for every object).
        if i % 8 != 7 && i + 1 != calls {
            continue;
        }
        let snap = k.snapshot();
        if let Err(e) = kernsim_testkit::driver::check_explanations(&k, &snap) {
            panic!("explanations disagree with the state after {c:?}: {e}");
        }
        let _ = k.leaks();
    }
});
