//! Environment blocks through the kernel: inheritance as a copy, explicit blocks, the
//! return-value rules (spec §3 environment, §8; the pure rules are tested in `env.rs`).

use super::*;
use crate::ids::Tid;

fn set(name: &str, value: Option<&str>) -> Call {
    Call::SetEnvironmentVariable {
        name: name.into(),
        value: value.map(str::to_string),
    }
}

fn get(name: &str, size: u32) -> Call {
    Call::GetEnvironmentVariable {
        name: name.into(),
        size,
        null_buffer: false,
    }
}

#[test]
fn the_child_gets_a_copy_at_create_process_time() {
    // spec §3, [Oracle] 3h: later changes on either side are not shared.
    let mut w = World::new();
    for (n, v) in [("Good", "morning"), ("Hey", "Ho!"), ("Big", "Boy")] {
        succeeds(&w.run(w.tid, set(n, Some(v))));
    }
    let (_cpid, ctid, _, _) = w.child(w.tid, "EnvChild.exe", false);
    succeeds(&w.run(w.tid, set("Good", Some("evening"))));
    succeeds(&w.run(w.tid, set("Late", Some("1"))));
    let r = w.run(ctid, get("Good", 100));
    assert_eq!((r.ret, r.outputs().text.as_deref()), (Ret::Dword(7), Some("morning")));
    assert_eq!(w.run(ctid, get("Late", 100)).last_error, Win32Error::EnvvarNotFound);
    succeeds(&w.run(ctid, set("Hey", Some("child"))));
    assert_eq!(w.run(w.tid, get("Hey", 100)).outputs().text.as_deref(), Some("Ho!"));
    let block = w
        .run(ctid, Call::GetEnvironmentStrings)
        .outputs()
        .environment
        .clone()
        .unwrap();
    assert_eq!(block, vec!["Big=Boy", "Good=morning", "Hey=child", "PATH=C:\\Windows"]);
}

#[test]
fn an_explicit_block_is_used_exactly_as_given() {
    // spec §3, §10 row 9: as given, unsorted blocks kept; nothing added.
    let mut w = World::new();
    let r = w.run(
        w.tid,
        Call::CreateProcess(Box::new(CreateProcessArgs {
            command_line: Some("c.exe".into()),
            environment: Some(vec!["Z=last".into(), "B=two".into(), "A=1".into()]),
            ..Default::default()
        })),
    );
    let ctid = Tid(r.outputs().thread_id.unwrap());
    assert_eq!(w.run(ctid, get("PATH", 100)).last_error, Win32Error::EnvvarNotFound);
    assert_eq!(w.run(ctid, get("b", 100)).outputs().text.as_deref(), Some("two"));
    let block = w
        .run(ctid, Call::GetEnvironmentStrings)
        .outputs()
        .environment
        .clone()
        .unwrap();
    assert_eq!(block, vec!["Z=last", "B=two", "A=1"]);
}

#[test]
fn get_environment_variable_return_values() {
    // spec §8: L when it fits; L+1 with the error untouched when too small; 0/203 missing.
    let mut w = World::new();
    succeeds(&w.run(w.tid, set("ORACLE_FOO", Some("bar"))));
    w.run(
        w.tid,
        Call::SetLastError {
            error: Win32Error::IoPending,
        },
    );
    let r = w.run(w.tid, get("oracle_foo", 3));
    assert_eq!(
        (r.ret, r.last_error, r.outputs().text.clone()),
        (Ret::Dword(4), Win32Error::IoPending, None)
    );
    let r = w.run(w.tid, get("ORACLE_FOO", 4));
    assert_eq!((r.ret, r.outputs().text.as_deref()), (Ret::Dword(3), Some("bar")));
    let r = w.run(w.tid, get("ORACLE_MISSING", 100));
    assert_eq!((r.ret, r.last_error), (Ret::Dword(0), Win32Error::EnvvarNotFound));
    succeeds(&w.run(w.tid, set("EMPTY", Some(""))));
    w.run(
        w.tid,
        Call::SetLastError {
            error: Win32Error::IoPending,
        },
    );
    let r = w.run(w.tid, get("EMPTY", 10));
    assert_eq!((r.ret, r.last_error), (Ret::Dword(0), Win32Error::IoPending));
    assert_eq!(w.run(w.tid, get("EMPTY", 0)).ret, Ret::Dword(1));
}

#[test]
fn set_environment_variable_errors_change_nothing() {
    // spec §8: '=' inside a name or an empty name → 87.
    let mut w = World::new();
    let before = w.run(w.tid, Call::GetEnvironmentStrings).outputs().environment.clone();
    fails(&w.run(w.tid, set("A=B", Some("x"))), Win32Error::InvalidParameter);
    fails(&w.run(w.tid, set("", Some("z"))), Win32Error::InvalidParameter);
    assert_eq!(
        w.run(w.tid, Call::GetEnvironmentStrings).outputs().environment.clone(),
        before
    );
    succeeds(&w.run(w.tid, set("NEVER_SET", None)));
}

#[test]
fn expand_and_set_environment_strings() {
    let mut w = World::new();
    succeeds(&w.run(w.tid, set("X", Some("val"))));
    let r = w.run(
        w.tid,
        Call::ExpandEnvironmentStrings {
            src: "<%X%|%NOPE%>".into(),
            size: 100,
            null_buffer: false,
        },
    );
    assert_eq!(
        (r.ret, r.outputs().text.as_deref()),
        (Ret::Dword(13), Some("<val|%NOPE%>"))
    );
    let r = w.run(
        w.tid,
        Call::ExpandEnvironmentStrings {
            src: "%X%".into(),
            size: 2,
            null_buffer: false,
        },
    );
    assert_eq!((r.ret, r.last_error), (Ret::Dword(4), Win32Error::InsufficientBuffer));
    fails(
        &w.run(
            w.tid,
            Call::SetEnvironmentStrings {
                environment: vec!["bad".into()],
            },
        ),
        Win32Error::InvalidParameter,
    );
    succeeds(&w.run(
        w.tid,
        Call::SetEnvironmentStrings {
            environment: vec!["one=two=three".into()],
        },
    ));
    assert_eq!(
        w.run(w.tid, get("one", 100)).outputs().text.as_deref(),
        Some("two=three")
    );
}

#[test]
fn the_a_functions_count_bytes_of_the_code_page() {
    // A Korean Windows (949): a Hangul syllable is 2 bytes; the W functions count UTF-16 units.
    let mut w = World::new();
    let set = |name: &str, value: &str| Call::SetEnvironmentVariableA {
        name: name.into(),
        value: Some(value.into()),
    };
    let get_a = |size| Call::GetEnvironmentVariableA {
        name: "G".into(),
        size,
        null_buffer: false,
    };
    succeeds(&w.run(w.tid, set("G", "한국어")));
    let r = w.run(w.tid, get_a(100));
    assert_eq!((r.ret, r.outputs().text.as_deref()), (Ret::Dword(6), Some("한국어")));
    // Too small: the size needed with the NUL, no text, no error.
    let r = w.run(w.tid, get_a(6));
    assert_eq!(
        (r.ret, r.outputs().text.clone(), r.error_set),
        (Ret::Dword(7), None, false)
    );
    assert_eq!(
        w.run(
            w.tid,
            Call::GetEnvironmentVariable {
                name: "G".into(),
                size: 4,
                null_buffer: false
            }
        )
        .ret,
        Ret::Dword(3)
    );
    let missing = w.run(
        w.tid,
        Call::GetEnvironmentVariableA {
            name: "NOPE".into(),
            size: 10,
            null_buffer: false,
        },
    );
    assert_eq!(
        (missing.ret, missing.last_error),
        (Ret::Dword(0), Win32Error::EnvvarNotFound)
    );
    // ExpandEnvironmentStringsA: bytes + NUL on success; one more is needed and reported.
    let expand = |size| Call::ExpandEnvironmentStringsA {
        src: "%G%".into(),
        size,
        null_buffer: false,
    };
    let r = w.run(w.tid, expand(8));
    assert_eq!((r.ret, r.outputs().text.as_deref()), (Ret::Dword(7), Some("한국어")));
    let r = w.run(w.tid, expand(7));
    assert_eq!((r.ret, r.last_error), (Ret::Dword(8), Win32Error::InsufficientBuffer));
    // Another code page: what 1252 cannot write is '?', one byte each.
    assert_eq!(w.k.code_page(), crate::codepage::CodePage::KOREAN, "949 by default");
    w.k.set_code_page(crate::codepage::CodePage::WESTERN);
    assert_eq!(w.k.code_page(), crate::codepage::CodePage::WESTERN);
    let r = w.run(w.tid, get_a(100));
    assert_eq!((r.ret, r.outputs().text.as_deref()), (Ret::Dword(3), Some("???")));
    // SetEnvironmentVariableA stores what the A caller had: '?' for the unmappable.
    succeeds(&w.run(w.tid, set("H", "é한")));
    let r = w.run(
        w.tid,
        Call::GetEnvironmentVariable {
            name: "H".into(),
            size: 10,
            null_buffer: false,
        },
    );
    assert_eq!(r.outputs().text.as_deref(), Some("é?"));
}

#[test]
fn create_process_a_passes_the_texts_through_the_code_page() {
    let mut w = World::new();
    w.k.set_code_page(crate::codepage::CodePage::WESTERN);
    let r = w.run(
        w.tid,
        Call::CreateProcessA(Box::new(CreateProcessArgs {
            command_line: Some("child.exe 한 é".into()),
            environment: Some(vec!["X=값".into()]),
            ..Default::default()
        })),
    );
    let (_, ctid) = (r.outputs().process_id.unwrap(), Tid(r.outputs().thread_id.unwrap()));
    let line = w.run(ctid, Call::GetCommandLine);
    assert_eq!(line.outputs().text.as_deref(), Some("child.exe ? é"));
    let x = w.run(
        ctid,
        Call::GetEnvironmentVariable {
            name: "X".into(),
            size: 10,
            null_buffer: false,
        },
    );
    assert_eq!(x.outputs().text.as_deref(), Some("?"));
    assert_eq!(
        w.run(ctid, Call::GetCommandLineA).outputs().text.as_deref(),
        Some("child.exe ? é")
    );
    // The image path and the current directory go through the code page too: a Hangul name
    // that exists is found by CreateProcessW and not by CreateProcessA under 1252, whose
    // caller could only have passed '?' (a character no file name holds).
    w.k.add_file("C:\\앱.exe", b"").unwrap();
    w.k.add_directory("C:\\작업").unwrap();
    let image = CreateProcessArgs {
        application_name: Some("C:\\앱.exe".into()),
        ..Default::default()
    };
    let directory = CreateProcessArgs {
        command_line: Some("child.exe".into()),
        current_directory: Some("C:\\작업".into()),
        ..Default::default()
    };
    for args in [image, directory] {
        succeeds(&w.run(w.tid, Call::CreateProcess(Box::new(args.clone()))));
        let a = w.run(w.tid, Call::CreateProcessA(Box::new(args)));
        assert_ne!(a.last_error, Win32Error::Success);
    }
}

#[test]
fn names_compare_by_nt_upcase_one_unit_at_a_time() {
    // spec §8: names compare case-insensitively, as RtlUpcaseUnicodeChar upper-cases each
    // UTF-16 unit; `ß` has no one-character uppercase, so `straße` and `STRASSE` are two
    // variables, while `ärger` and `ÄRGER` are one [choice, ARCHITECTURE.md].
    let mut w = World::new();
    succeeds(&w.run(w.tid, set("straße", Some("1"))));
    succeeds(&w.run(w.tid, set("STRASSE", Some("2"))));
    succeeds(&w.run(w.tid, set("ärger", Some("3"))));
    let r = w.run(w.tid, get("STRAßE", 16));
    assert_eq!(r.outputs().text.as_deref(), Some("1"));
    let r = w.run(w.tid, get("strasse", 16));
    assert_eq!(r.outputs().text.as_deref(), Some("2"));
    let r = w.run(w.tid, get("ÄRGER", 16));
    assert_eq!(r.outputs().text.as_deref(), Some("3"));
}
