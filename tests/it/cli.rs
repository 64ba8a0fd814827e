//! The `kernsim` command as a user meets it: narration, JSON lines, `check`, `schema`, exit
//! codes (0 ok, 1 failed expectation, 2 unusable input) and located errors. Never a panic.

use std::path::PathBuf;
use std::process::{Command, Output};

fn kernsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .args(args)
        .current_dir(super::root())
        .output()
        .expect("kernsim runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes a scenario into a scratch folder under target/ and returns its path.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const HEAD: &str = r#""format_version": 1, "title": "t", "processes": [{"name": "p", "image": "p.exe"}]"#;

fn scenario(steps: &str) -> String {
    format!("{{{HEAD}, \"steps\": [{steps}]}}")
}

#[test]
fn run_narrates_in_english_and_korean() {
    let en = kernsim(&["run", "scenarios/s1_duplicate_process_example.json"]);
    assert_eq!(en.status.code(), Some(0), "{}", stderr(&en));
    let text = stdout(&en);
    assert!(text.contains("| handle | object address | inherit |"), "{text}");
    assert!(
        text.contains("WaitForSingleObject completes -> WAIT_OBJECT_0 (0)"),
        "{text}"
    );
    let ko = kernsim(&["run", "scenarios/s1_duplicate_process_example.json", "--lang", "ko"]);
    assert_eq!(ko.status.code(), Some(0));
    let text = stdout(&ko);
    assert!(
        text.contains("| 핸들 |") && text.contains("상속여부") && text.contains("Usage Count"),
        "{text}"
    );
}

#[test]
fn run_json_is_one_object_per_line() {
    let o = kernsim(&["run", "scenarios/s2_named_pipe_procedure.json", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.first().unwrap()["type"], "scenario");
    assert_eq!(lines.last().unwrap()["type"], "summary");
    assert_eq!(lines.last().unwrap()["passed"], true);
    assert!(lines.iter().filter(|l| l["type"] == "step").count() > 10);
}

#[test]
fn check_runs_the_whole_folder() {
    let o = kernsim(&["check", "scenarios"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    let last = out.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        super::scenario_files().len()
    );
}

#[test]
fn the_oracle_cases_are_scenarios_that_pass() {
    // tools/oracle/cases are compared with Wine on demand; here they must at least pass.
    let o = kernsim(&["check", "tools/oracle/cases"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).lines().filter(|l| l.starts_with("ok ")).count() >= 2);
}

#[test]
fn a_failed_expectation_names_the_step_and_both_values_and_exits_1() {
    let path = scratch(
        "fail.json",
        &scenario(
            r#"{"by": "p", "call": "CloseHandle", "args": {"handle": 44}, "expect": {"ret": true, "last_error": "ERROR_ACCESS_DENIED"}}"#,
        ),
    );
    let o = kernsim(&["run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("ret: expected true, found FALSE"), "{out}");
    assert!(
        out.contains("last_error: expected ERROR_ACCESS_DENIED (5), found ERROR_INVALID_HANDLE (6)"),
        "{out}"
    );
    let c = kernsim(&["check", path.to_str().unwrap()]);
    assert_eq!(c.status.code(), Some(1));
    assert!(stdout(&c).contains("step 1 (line 1)"), "{}", stdout(&c));
}

#[test]
fn an_untouched_expectation_fails_when_the_call_wrote_the_output() {
    // A refused ReleaseSemaphore leaves *lpPreviousCount alone; a successful one writes it.
    let steps = |count: u32| {
        format!(
            r#"{{"by": "p", "call": "CreateSemaphore", "args": {{"initial_count": 1, "maximum_count": 1}}, "bind": {{"ret": "s"}}}},
            {{"by": "p", "call": "ReleaseSemaphore", "args": {{"semaphore": "s", "release_count": {count}}}, "expect": {{"outputs": {{"previous_count": "untouched"}}}}}}"#
        )
    };
    let refused = scratch("untouched-ok.json", &scenario(&steps(1)));
    assert_eq!(kernsim(&["check", refused.to_str().unwrap()]).status.code(), Some(0));
    let s = r#"{"by": "p", "call": "CreateSemaphore", "args": {"initial_count": 0, "maximum_count": 1}, "bind": {"ret": "s"}},
        {"by": "p", "call": "ReleaseSemaphore", "args": {"semaphore": "s", "release_count": 1}, "expect": {"outputs": {"previous_count": "untouched"}}}"#;
    let written = scratch("untouched-fail.json", &scenario(s));
    let o = kernsim(&["check", written.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("previous_count: expected untouched, found 0"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_step_by_a_parked_process_says_where_it_is_parked() {
    let path = scratch(
        "parked.json",
        &scenario(
            r#"{"by": "p", "call": "Sleep", "args": {"milliseconds": 100}},
               {"by": "p", "call": "GetLastError"}"#,
        ),
    );
    let o = kernsim(&["run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("parked in Sleep since step 1"), "{err}");
}

/// Malformed files of many kinds: each must exit 2 with `file:line:col:` and a message that
/// says what was expected, and never panic.
#[test]
fn malformed_files_give_located_errors() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "EOF"),
        ("garbage", "\u{0}\u{1}binary".into(), "expected value"),
        (
            "syntax",
            format!("{{{HEAD}, \"steps\": [ {{\"by\": \"p\",, }} ]}}"),
            "key must be a string",
        ),
        ("trailing", format!("{} extra", scenario("")), "trailing"),
        ("no-steps", format!("{{{HEAD}}}"), "missing field `steps`"),
        (
            "version",
            r#"{"format_version": 9, "title": "t", "steps": []}"#.into(),
            "format_version 9 is not supported",
        ),
        ("wrong-type", scenario(r#"{"advance": "soon"}"#), "invalid type"),
        (
            "unknown-field",
            scenario(r#"{"by": "p", "call": "GetLastError", "expct": {}}"#),
            "unknown field `expct`",
        ),
        (
            "unknown-call",
            scenario(r#"{"by": "p", "call": "CloseHandel", "args": {"handle": 4}}"#),
            "did you mean CloseHandle",
        ),
        (
            "unknown-constant",
            scenario(
                r#"{"by": "p", "call": "DuplicateHandle", "args": {"source_handle": -1, "options": "DUPLICATE_SAME_ACESS"}}"#,
            ),
            "did you mean DUPLICATE_SAME_ACCESS",
        ),
        (
            "unknown-binding",
            scenario(r#"{"by": "p", "call": "CloseHandle", "args": {"handle": "hNope"}}"#),
            "is neither a number, a Win32 constant nor a name bound by an earlier step",
        ),
        (
            "unknown-arg",
            scenario(r#"{"by": "p", "call": "CloseHandle", "args": {"handel": 4}}"#),
            "unknown argument `handel` of CloseHandle",
        ),
        (
            "missing-arg",
            scenario(r#"{"by": "p", "call": "CloseHandle", "args": {}}"#),
            "missing field `handle`",
        ),
        (
            "unknown-process",
            scenario(r#"{"by": "q", "call": "GetLastError"}"#),
            "no process or thread is named \"q\"",
        ),
        ("no-by", scenario(r#"{"call": "GetLastError"}"#), "needs `by`"),
        (
            "two-kinds",
            scenario(r#"{"by": "p", "call": "GetLastError", "advance": 5}"#),
            "a step does one thing",
        ),
        ("empty-step", scenario("{}"), "an empty step"),
        (
            "bad-bind",
            scenario(r#"{"by": "p", "call": "CreateEvent", "bind": {"handle": "h"}}"#),
            "is not an output",
        ),
        (
            "another-calls-output",
            scenario(
                r#"{"by": "p", "call": "ReadFile", "args": {"file": 4, "bytes_to_read": 1}, "expect": {"outputs": {"bytes_written": 0}}}"#,
            ),
            "ReadFile has no output `bytes_written`; its outputs are: ret, data, bytes_read",
        ),
        (
            "bind-another-calls-output",
            scenario(r#"{"by": "p", "call": "CreateEvent", "bind": {"target_handle": "h"}}"#),
            "CreateEvent has no output `target_handle`; its outputs are: ret",
        ),
        (
            "bad-error-name",
            scenario(r#"{"by": "p", "call": "GetLastError", "expect": {"last_error": "ERROR_NOPE"}}"#),
            "is not a Win32 error",
        ),
        (
            "ret-outside-call",
            scenario(r#"{"expect": {"ret": true}}"#),
            "belongs to a `call` step",
        ),
        (
            "show-without-object",
            scenario(r#"{"show": "object"}"#),
            "name exactly one object",
        ),
        (
            "bad-text",
            r#"{"format_version": 1, "title": 5, "steps": []}"#.to_string(),
            "expected a string",
        ),
        ("negative-advance", scenario(r#"{"advance": -5}"#), "invalid value"),
        (
            "huge-number",
            scenario(r#"{"by": "p", "call": "CloseHandle", "args": {"handle": 99999999999}}"#),
            "does not fit",
        ),
        (
            "constant-as-name",
            scenario(r#"{"by": "p", "call": "CreateEvent", "bind": {"ret": "INFINITE"}}"#),
            "is a Win32 constant",
        ),
    ];
    for (name, text, expected) in cases {
        let path = scratch(&format!("bad-{name}.json"), &text);
        let o = kernsim(&["run", path.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        let file = path.display().to_string();
        assert!(err.contains(&format!("{file}:")), "{name}: no file in {err}");
        let after = err.split(&format!("{file}:")).nth(1).unwrap_or("");
        let mut parts = after.splitn(3, ':');
        let line: usize = parts.next().unwrap_or("").parse().unwrap_or(0);
        let col: usize = parts.next().unwrap_or("").parse().unwrap_or(0);
        assert!(line >= 1 && col >= 1, "{name}: no line and column in {err}");
        assert!(err.contains(expected), "{name}: expected {expected:?} in {err}");
    }
}

#[test]
fn errors_point_at_the_offending_line_and_json_path() {
    let text = format!(
        "{{{HEAD}, \"steps\": [\n  {{\"by\": \"p\", \"call\": \"GetLastError\"}},\n  {{\"by\": \"p\", \"call\": \"CloseHandle\",\n   \"args\": {{\"handle\": \"hMissing\"}}}}\n]}}"
    );
    let path = scratch("located.json", &text);
    let o = kernsim(&["run", path.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:4:23: at steps[1].args.handle:", path.display())),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_unusable_input() {
    let o = kernsim(&["run", "no/such/file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the file"));
    let c = kernsim(&["check", "no/such/dir"]);
    assert_eq!(c.status.code(), Some(2));
}

#[test]
fn schema_is_json_and_describes_steps() {
    let o = kernsim(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("the schema is JSON");
    let text = schema.to_string();
    assert!(
        text.contains("format_version") && text.contains("steps") && text.contains("expect"),
        "{text}"
    );
}

#[test]
fn a_file_that_is_not_utf8_gives_line_column_and_byte() {
    let path = super::root()
        .join("target")
        .join("tmp")
        .join("cli")
        .join("not-utf8.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"{\"format_version\": 1,\n \"title\": \"t\xff\", \"steps\": []}").unwrap();
    let o = kernsim(&["run", path.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:2:13:", path.display())), "{err}");
    assert!(err.contains("byte 34 (0xff) is not valid UTF-8"), "{err}");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    for args in [vec!["schema"], vec!["check", "scenarios"]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kernsim"))
            .args(&args)
            .current_dir(super::root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader is gone before the command writes: its output meets a closed pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn a_run_over_the_memory_budget_exits_2_with_a_clear_error() {
    // 48 MiB written to a file: over a 32 MiB budget after that step.
    let file = scratch(
        "budget.json",
        &scenario(
            r#"{"by": "p", "call": "CreateFile", "args": {"file_name": "C:\\big.txt", "desired_access": "GENERIC_WRITE", "creation_disposition": "CREATE_ALWAYS"}, "bind": {"ret": "h"}},
               {"by": "p", "call": "WriteFile", "args": {"file": "h", "data": {"fill": "x", "len": 50331648}}},
               {"by": "p", "call": "CloseHandle", "args": {"object": "h"}}"#,
        ),
    );
    let path = file.to_str().unwrap();
    let run = |budget: &str, cmd: &str| {
        Command::new(env!("CARGO_BIN_EXE_kernsim"))
            .args([cmd, path])
            .env("KERNSIM_MEMORY_MB", budget)
            .output()
            .expect("kernsim runs")
    };
    for cmd in ["run", "check"] {
        let o = run("32", cmd);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        let text = stderr(&o) + &stdout(&o);
        assert!(
            text.contains("step 2") && text.contains("above its budget of 32 MiB"),
            "{cmd}: {text}"
        );
        assert_eq!(run("0", cmd).status.code(), Some(0), "0: no budget");
    }
    let o = run("lots", "run");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("KERNSIM_MEMORY_MB"), "{}", stderr(&o));
}

#[test]
fn an_unknown_language_is_refused_with_the_catalogs_listed() {
    let o = kernsim(&["run", "scenarios/s1_inheritance.json", "--lang", "xx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no message catalog \"xx\"; the catalogs are: en, ko"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_glossary_gives_the_notes_terms_with_their_win32_names() {
    let o = kernsim(&["glossary", "--lang", "ko"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for term in [
        "핸들 테이블",
        "상속여부",
        "가짜 핸들",
        "Usage Count",
        "커널 오브젝트",
        "HANDLE_FLAG_INHERIT",
        "GetCurrentProcess() = -1",
    ] {
        assert!(text.contains(term), "{term}: {text}");
    }
    assert!(stdout(&kernsim(&["glossary"])).contains("pseudo handle"));
}

#[test]
fn piped_output_has_no_colour_codes() {
    // Colours are for a terminal; a pipe (as here) or NO_COLOR gets plain text.
    let o = kernsim(&["run", "scenarios/s2_forgotten_write_handle.json"]);
    assert!(!stdout(&o).contains('\u{1b}'));
}

#[test]
fn the_leak_report_ends_a_run_unless_asked_not_to() {
    let with = stdout(&kernsim(&["run", "scenarios/s2_forgotten_write_handle.json"]));
    assert!(
        with.contains(
            "leaks: 3 handle(s) never used since they were made: parent 8 (Pipe 0x1300, from CreatePipe at step 1)"
        ),
        "{with}"
    );
    let without = stdout(&kernsim(&[
        "run",
        "scenarios/s2_forgotten_write_handle.json",
        "--no-leaks",
    ]));
    assert!(!without.contains("leaks:"), "{without}");
    assert!(without.contains("result: 11 checks passed, 0 failed"), "{without}");
}

#[test]
fn load_errors_are_worded_in_the_chosen_language() {
    let file = scratch("unknown-call.json", &scenario(r#"{"by": "p", "call": "CreatEvent"}"#));
    let path = file.to_str().unwrap();
    let en = kernsim(&["run", path]);
    assert_eq!(en.status.code(), Some(2));
    assert!(
        stderr(&en).contains("at steps[0].call: unknown call \"CreatEvent\"; did you mean CreateEvent"),
        "{}",
        stderr(&en)
    );
    let ko = kernsim(&["run", path, "--lang", "ko"]);
    assert_eq!(ko.status.code(), Some(2));
    assert!(
        stderr(&ko).contains("위치 steps[0].call: 알 수 없는 호출 \"CreatEvent\"; 혹시 CreateEvent"),
        "{}",
        stderr(&ko)
    );
    let check = stdout(&kernsim(&["check", path, "--lang", "ko"]));
    assert!(
        check.contains("알 수 없는 호출") && check.contains("통과 0, 실패 1"),
        "{check}"
    );
}

#[test]
fn help_texts_follow_the_language() {
    let ko = stdout(&kernsim(&["run", "--help", "--lang", "ko"]));
    assert!(
        ko.contains("시나리오를 해설한다") && ko.contains("시나리오 파일."),
        "{ko}"
    );
    // Every subcommand's localized help builds (clap checks its arguments on the way).
    for cmd in ["run", "check", "schema", "glossary", "shell"] {
        let o = kernsim(&[cmd, "--help", "--lang", "ko"]);
        assert_eq!(o.status.code(), Some(0), "{cmd}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("사용법:") && stdout(&o).contains("도움말 출력"),
            "{cmd}: {}",
            stdout(&o)
        );
    }
    let en = stdout(&kernsim(&["run", "--help"]));
    assert!(
        en.contains("Narrate a scenario") && en.contains("The scenario file"),
        "{en}"
    );
}

#[test]
fn the_lean_library_has_no_command_line_dependency_and_builds() {
    // The README's embedding line: `kernsim = { version = "0.1", default-features = false }`.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tree = Command::new(&cargo)
        .args([
            "tree",
            "-p",
            "kernsim",
            "--no-default-features",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(super::root())
        .output()
        .expect("cargo tree runs");
    assert!(tree.status.success(), "{}", stderr(&tree));
    let deps = stdout(&tree);
    for cli in ["clap ", "rustyline ", "anstream ", "anstyle ", "cap "] {
        assert!(
            !deps.lines().any(|l| l.starts_with(cli)),
            "{cli}in the lean build:\n{deps}"
        );
    }
    assert!(deps.lines().any(|l| l.starts_with("kernsim-kernel ")), "{deps}");
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lean");
    let check = Command::new(&cargo)
        .args([
            "check",
            "-p",
            "kernsim",
            "--no-default-features",
            "--lib",
            "--offline",
            "--quiet",
        ])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(super::root())
        .output()
        .expect("cargo check runs");
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn version_completions_man_and_help_examples() {
    let v = kernsim(&["--version"]);
    let format = kernsim_scenario::format::FORMAT_VERSION;
    assert!(
        stdout(&v).contains(&format!("(scenario format_version {format})")),
        "{}",
        stdout(&v)
    );
    for shell in ["bash", "zsh", "fish"] {
        let c = kernsim(&["completions", shell]);
        assert!(c.status.success());
        let script = stdout(&c);
        // Every subcommand is completed.
        for sub in ["run", "check", "quiz", "schema", "shell", "man"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
    }
    let man = stdout(&kernsim(&["man"]));
    assert!(man.contains(".TH kernsim 1"), "{man}");
    assert!(man.contains("quiz") && man.contains("completions"), "{man}");
    for sub in [
        "run",
        "check",
        "quiz",
        "schema",
        "glossary",
        "shell",
        "completions",
        "man",
    ] {
        let help = stdout(&kernsim(&[sub, "--help"]));
        assert!(help.contains("kernsim ") && help.contains("Example"), "{sub}: {help}");
    }
    let ko = stdout(&kernsim(&["run", "--help", "--lang", "ko"]));
    assert!(ko.contains("예:"), "{ko}");
}

#[test]
fn argument_errors_say_what_is_wrong() {
    let pipe =
        r#"{"by": "p", "call": "CreatePipe", "args": {}, "bind": {"read_handle": "hRead", "write_handle": "hWrite"}}"#;
    // A misspelt argument whose value is a string is an unknown argument, not a bad name.
    let path = scratch(
        "bad-arg-name.json",
        &scenario(&format!(
            r#"{pipe}, {{"by": "p", "call": "WriteFile", "args": {{"file": "hWrite", "buffer": "hi dad"}}}}"#
        )),
    );
    let err = stderr(&kernsim(&["run", path.to_str().unwrap()]));
    assert!(err.contains("unknown argument `buffer` of WriteFile"), "{err}");
    assert!(err.contains("its arguments are: file, data, null_buffer"), "{err}");
    // A value that is no number, constant or bound name says so, lists the bound names and
    // suggests the near one (not an unrelated constant).
    let path = scratch(
        "bad-arg-value.json",
        &scenario(&format!(
            r#"{pipe}, {{"by": "p", "call": "ReadFile", "args": {{"file": "hReed", "bytes_to_read": 4}}}}"#
        )),
    );
    let err = stderr(&kernsim(&["run", path.to_str().unwrap()]));
    assert!(err.contains("at steps[1].args.file"), "{err}");
    assert!(
        err.contains("is neither a number, a Win32 constant nor a name bound by an earlier step"),
        "{err}"
    );
    assert!(err.contains("names bound so far: hRead, hWrite"), "{err}");
    assert!(err.ends_with("did you mean hRead?\n"), "{err}");
}
