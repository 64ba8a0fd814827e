//! `kernsim shell` driven through stdin, as a script: start programs, list them, kill by name
//! and by pid, every error path of `kp`, handle tables before and after, Korean output, exit
//! status, and a saved session that `kernsim run` replays.

use std::io::Write;
use std::process::{Command, Stdio};

struct Session {
    stdout: String,
    code: i32,
}

fn shell(args: &[&str], script: &str) -> Session {
    shell_bytes(args, script.as_bytes())
}

fn shell_bytes(args: &[&str], script: &[u8]) -> Session {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .arg("shell")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kernsim starts");
    child.stdin.take().unwrap().write_all(script).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    Session {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[test]
fn start_list_and_kill_by_name_and_pid() {
    let s = shell(
        &[],
        "start notepad\nstart calc.exe\nstart notepad\nlp\nkp calc\nkp 124\nlp\nexit\n",
    );
    assert_eq!(s.code, 0, "{}", s.stdout);
    assert!(s.stdout.contains("started notepad (pid 108)"), "{}", s.stdout);
    assert!(s.stdout.contains("started calc (pid 116)"));
    assert!(s.stdout.contains("started notepad2 (pid 124)"));
    assert!(
        s.stdout.contains("| 116 | 100 | 1 | calc.exe | 0 | running |"),
        "{}",
        s.stdout
    );
    assert!(s.stdout.contains("killed calc (pid 116)"));
    assert!(s.stdout.contains("killed notepad2 (pid 124)"));
    let last_list = s.stdout.rsplit("| pid |").next().unwrap();
    assert!(
        last_list.contains("notepad.exe") && !last_list.contains("calc.exe"),
        "{last_list}"
    );
    assert_eq!(last_list.matches("notepad.exe").count(), 1);
}

#[test]
fn kp_reports_every_win32_failure_and_the_exit_status_says_so() {
    let script = "kp nosuch\nkp 9996\nkp 4\nkp 0\nkp\nexit\n";
    let s = shell(&[], script);
    assert_eq!(s.code, 1, "a failed command makes the exit status 1: {}", s.stdout);
    assert!(s.stdout.contains("kp: no such process: nosuch"), "{}", s.stdout);
    assert!(
        s.stdout
            .contains("kp 9996: OpenProcess failed: ERROR_INVALID_PARAMETER (87)"),
        "{}",
        s.stdout
    );
    assert!(
        s.stdout.contains("kp 4: OpenProcess failed: ERROR_ACCESS_DENIED (5)"),
        "{}",
        s.stdout
    );
    assert!(
        s.stdout
            .contains("kp 0: OpenProcess failed: ERROR_INVALID_PARAMETER (87)"),
        "{}",
        s.stdout
    );
    assert!(s.stdout.contains("usage: kp NAME|PID"), "{}", s.stdout);
}

#[test]
fn kp_of_an_exited_process_fails_in_terminate_process() {
    // The prompt keeps a handle, so the exited process's object lives and OpenProcess works;
    // TerminateProcess then refuses with ERROR_ACCESS_DENIED (spec 9, Windows).
    let script = "start worker\ncall OpenProcess {\"desired_access\": \"SYNCHRONIZE\", \"process_id\": \"worker\"}\ncall @worker ExitProcess {\"exit_code\": 3}\nkp 108\nexit\n";
    let s = shell(&[], script);
    assert_eq!(s.code, 1, "{}", s.stdout);
    assert!(
        s.stdout
            .contains("kp 108: TerminateProcess failed: ERROR_ACCESS_DENIED (5)"),
        "{}",
        s.stdout
    );
}

#[test]
fn handle_tables_before_and_after_agree_with_the_kernel() {
    let script = "call CreateEvent {\"event_attributes\": {\"inherit_handle\": true}}\nstart /i child\nhandles child\nusage child 4\nkp child\nusage prompt 4\nhandles\nexit\n";
    let s = shell(&[], script);
    assert_eq!(s.code, 0, "{}", s.stdout);
    // The child inherited the event at the same value: usage 2, held by both.
    assert!(s.stdout.contains("| 4 | 0x1200 | Y | Event | 2 |"), "{}", s.stdout);
    let holders = "    held by:\n      - prompt: handle 4 (inherit Y), from CreateEvent at call #1, never used since\n";
    let inherited = "      - child: handle 4 (inherit Y), inherited from prompt by CreateProcess at call #2";
    assert!(s.stdout.contains(&format!("{holders}{inherited}")), "{}", s.stdout);
    // After the kill, the child's row is gone: usage 1, held by the prompt only.
    let after = format!("usage count 1, handle count 1\n    auto-reset event, not signaled\n{holders}");
    assert!(s.stdout.contains(&after), "{}", s.stdout);
    assert_eq!(s.stdout.matches(inherited).count(), 1, "{}", s.stdout);
    assert!(s.stdout.contains("| 4 | 0x1200 | Y | Event | 1 |"), "{}", s.stdout);
}

#[test]
fn the_environment_is_inherited_by_what_the_prompt_starts() {
    let script = "set GREETING=hello\nset GREETING\necho %GREETING% world\nstart app\ncall @app GetEnvironmentVariable {\"name\": \"GREETING\", \"size\": 100}\nset GREETING=changed\ncall @app GetEnvironmentVariable {\"name\": \"GREETING\", \"size\": 100}\nexit\n";
    let s = shell(&[], script);
    assert_eq!(s.code, 0, "{}", s.stdout);
    assert!(s.stdout.contains("GREETING=hello\n"));
    assert!(s.stdout.contains("hello world\n"));
    assert_eq!(s.stdout.matches("text = \"hello\"").count(), 2, "{}", s.stdout);
}

#[test]
fn korean_output() {
    let s = shell(
        &["--lang", "ko"],
        "start notepad\nlp\nkp notepad\nkp nosuch\nhandles\nexit\n",
    );
    assert!(s.stdout.contains("시작: notepad"), "{}", s.stdout);
    assert!(
        s.stdout
            .contains("| pid | 부모 pid | 스레드 수 | 이미지 | 핸들 수 | 상태 |"),
        "{}",
        s.stdout
    );
    assert!(s.stdout.contains("종료함: notepad"));
    assert!(s.stdout.contains("그런 프로세스가 없음"));
    assert!(s.stdout.contains("핸들 테이블: prompt"));
}

#[test]
fn unknown_commands_and_calls_fail_clearly() {
    let s = shell(
        &[],
        "frobnicate\ncall CloseHandel {\"handle\": 4}\ncall CloseHandle not-json\nexit\n",
    );
    assert_eq!(s.code, 1);
    assert!(
        s.stdout.contains("unknown command (try help): frobnicate"),
        "{}",
        s.stdout
    );
    assert!(s.stdout.contains("did you mean CloseHandle"), "{}", s.stdout);
    assert!(s.stdout.contains("arguments must be a JSON object"), "{}", s.stdout);
}

#[test]
fn killing_the_prompt_itself_ends_the_shell() {
    let s = shell(&[], "kp 100\necho not reached\n");
    assert!(s.stdout.contains("the prompt terminated itself"), "{}", s.stdout);
    assert!(!s.stdout.contains("not reached"));
}

#[test]
fn a_saved_session_replays_with_kernsim_run() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shell");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("session.json");
    let script = "start notepad\nset X=1\nstart /i child\nlp\nkp notepad\nkp 9996\ncall @child Sleep {\"milliseconds\": 50}\nadvance 50\nexit\n";
    let s = shell(&["--save", path.to_str().unwrap()], script);
    assert_eq!(s.code, 1, "kp 9996 failed: {}", s.stdout);
    assert!(s.stdout.contains("completed child: Sleep"), "{}", s.stdout);
    let replay = Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .args(["run", path.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(
        replay.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    assert!(
        text.contains("> kp notepad") && text.contains("TerminateProcess"),
        "{text}"
    );
    assert!(text.contains(", 0 failed"), "{text}");
}

#[test]
fn a_line_that_is_not_utf8_is_reported_and_the_session_goes_on() {
    let s = shell_bytes(&[], b"start notepad\n\xff\xfe lp\nlp\nexit\n");
    assert_eq!(s.code, 1, "a bad line is a failed command: {}", s.stdout);
    assert!(s.stdout.contains("line 2: not valid UTF-8"), "{}", s.stdout);
    assert!(s.stdout.contains("notepad.exe"), "the session went on: {}", s.stdout);
}

#[test]
fn a_session_whose_start_failed_still_saves_a_scenario_that_replays() {
    let path = super::root().join("target").join("tmp").join("shell-failed-start.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let s = shell(
        &["--save", path.to_str().unwrap()],
        "start C:\\nope\\x.exe\nstart notepad\nlp\nexit\n",
    );
    assert_eq!(s.code, 1, "the failed start is a failed command: {}", s.stdout);
    let o = Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .args(["run", path.to_str().unwrap()])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("ERROR_PATH_NOT_FOUND"), "{out}");
    assert!(out.contains("notepad.exe"), "{out}");
}

#[test]
fn a_typo_gets_a_suggestion() {
    let s = shell(&[], "strat notepad\nlq\nexit\n");
    assert!(
        s.stdout
            .contains("unknown command (try help): strat; did you mean start"),
        "{}",
        s.stdout
    );
    assert!(s.stdout.contains("lq; did you mean lp"), "{}", s.stdout);
}

#[test]
fn a_line_longer_than_the_limit_is_skipped_and_the_session_goes_on() {
    // A line with no end must not take the memory of its length: it is read a bounded piece
    // at a time, reported, and skipped.
    let mut script = b"start a\n".to_vec();
    script.extend(std::iter::repeat_n(b'x', (1 << 20) + 10));
    script.extend_from_slice(b"\nlp\n");
    let s = shell_bytes(&[], &script);
    assert_eq!(s.code, 1, "a skipped line counts as a failed command");
    assert!(
        s.stdout.contains("line 2: longer than 1048576 bytes; skipped"),
        "{}",
        &s.stdout[..s.stdout.len().min(2000)]
    );
    assert!(s.stdout.contains("a.exe"), "the next line runs: {}", s.stdout);
}

#[test]
fn the_korean_shell_speaks_korean() {
    // Every command and the shell's own errors; the words allowed in Latin letters are the
    // Win32 identifiers and the words of the session itself (names, commands, values).
    let script = "help\nstart /i child\nlp\nhandles child\nobject 0x1000\nusage child 4\nnames\nwaits\nwhy child\nwhy 0x1000\nleaks\nset A=1\nenv\necho %A%\nadvance 10\ncall CreateEvent {\"manual_reset\": true}\ncall @child ReadFile {\"file\": 8, \"bytes_to_read\": 1}\ncall ReadFile {\"file\": 99}\ncall CreatEvent\ncall CloseHandle {\"handle\": \"hNope\"}\nbogus\nkp child\nkp nobody\nusage\nwhy\nsave\nexit\n";
    let s = shell(&["--lang", "ko"], script);
    let mut allowed: std::collections::BTreeSet<String> = [
        "start",
        "lp",
        "kp",
        "echo",
        "set",
        "env",
        "handles",
        "object",
        "usage",
        "names",
        "waits",
        "why",
        "leaks",
        "advance",
        "call",
        "save",
        "help",
        "exit",
        "pid",
        "tid",
        "ms",
        "MS",
        "PID",
        "Y",
        "N",
        "NAME",
        "JSON",
        "Toolhelp",
        "Usage",
        "Count",
        "i",
        "PATH",
        "PROMPT",
        "Windows",
        "System32",
        "C",
        "P",
        "G",
        "CmdPrompt",
        "exe",
        "kernsim",
        "prompt",
        "child",
        "A",
        "bogus",
        "nobody",
        "CreatEvent",
        "hNope",
        "args",
        "handle",
        "Win32",
        "manual_reset",
        "bytes_to_read",
        "file",
        "TRUE",
        "true",
        "bInheritHandles",
    ]
    .iter()
    .map(|w| w.to_string())
    .collect();
    allowed.extend(kernsim_kernel::Call::NAMES.iter().map(|n| n.to_string()));
    allowed.extend(kernsim_kernel::OutputField::ALL.iter().map(|f| f.as_str().to_string()));
    allowed.extend(kernsim_kernel::consts::TABLE.iter().map(|(n, _)| n.to_string()));
    allowed.extend(kernsim_kernel::Win32Error::ALL.iter().map(|e| e.name().into_owned()));
    allowed.extend(["Process", "Thread", "Event", "Pipe", "Mailslot", "File", "Snapshot"].map(String::from));
    let mut found = Vec::new();
    for line in s.stdout.lines() {
        let unquoted: String = line.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        for w in unquoted.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()) && !allowed.contains(w) {
                found.push(format!("{w:?} in {line:?}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "English in the Korean shell:\n{}\n---\n{}",
        found.join("\n"),
        s.stdout
    );
}
