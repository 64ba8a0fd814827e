//! The oracle: renders a scenario's call steps as a Win32 C program, compiles it with mingw-w64,
//! runs it under Wine, and compares return values, last errors and out-parameters with what
//! kernsim said for the same steps (its `--format json` trace).
//!
//! Usage: `oracle [--kernsim PATH] [--out DIR] [--known FILE] [--keep DIR] SCENARIO...`
//! (`tools/oracle/run.sh` builds everything and runs it over `scenarios/`).
//!
//! Only the first process's calls are rendered, in order, and only calls of the subset below
//! (handles, events, mutexes, semaphores, handle information, same-process duplicates, the
//! environment, last errors, zero-timeout waits); the first step that cannot be rendered ends
//! the program, because every later step depends on the state before it. A handle value is
//! translated through the step that made it (kernsim's values and Wine's differ). Before each
//! call the program sets the last error to a sentinel, so "left untouched" is compared too, and
//! each out-parameter starts as a sentinel, so "not written" is compared as well.

use kernsim_kernel::Win32Error;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The last error set before each call: a value no call sets.
const SENT: u32 = 0xE0E0_E0E0;
/// An out-parameter's value before the call.
const UNWRITTEN: u32 = 0x7E7E_7E7E;

/// One call step of kernsim's trace.
struct Step {
    step: u64,
    pid: u64,
    call: String,
    args: Map<String, Value>,
    outcome: Map<String, Value>,
}

/// How a call's return value is compared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RetKind {
    /// `BOOL`: zero or not.
    Bool,
    /// `HANDLE`: NULL, `INVALID_HANDLE_VALUE`, or a handle (values differ between systems).
    Handle,
    /// `DWORD`: exactly.
    Dword,
    /// `void`.
    Void,
}

/// The C rendering of one step.
struct Rendered {
    code: String,
    kind: RetKind,
    /// Out-parameters printed after the call: (name, C variable).
    outputs: Vec<(&'static str, String)>,
    /// The handle the return value becomes, if any.
    binds_ret: bool,
}

/// What the program has made so far: kernsim handle values → C expressions.
#[derive(Default)]
struct Ctx {
    handles: BTreeMap<u32, String>,
}

impl Ctx {
    /// A handle argument in C, or `None` when it cannot be translated.
    fn handle(&self, v: &Value) -> Option<String> {
        let n = v.as_i64()? as u32;
        match n {
            0 => Some("NULL".into()),
            0xFFFF_FFFF => Some("GetCurrentProcess()".into()),
            0xFFFF_FFFE => Some("GetCurrentThread()".into()),
            _ => {
                let base = self.handles.get(&(n & !3))?;
                let tag = n & 3;
                Some(if tag == 0 {
                    base.clone()
                } else {
                    format!("(HANDLE)((ULONG_PTR){base} | {tag})")
                })
            }
        }
    }
}

fn num(args: &Map<String, Value>, key: &str) -> Option<u32> {
    match args.get(key) {
        None | Some(Value::Null) => Some(0),
        Some(v) => v.as_i64().map(|n| n as u32),
    }
}

/// Whether a boolean argument is given as true.
fn is_set(args: &Map<String, Value>, key: &str) -> bool {
    args.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn flag(args: &Map<String, Value>, key: &str) -> &'static str {
    if is_set(args, key) {
        "TRUE"
    } else {
        "FALSE"
    }
}

fn security(args: &Map<String, Value>, key: &str) -> &'static str {
    match args
        .get(key)
        .and_then(|v| v.get("inherit_handle"))
        .and_then(Value::as_bool)
    {
        None => "NULL",
        Some(true) => "&sa_inherit",
        Some(false) => "&sa_noinherit",
    }
}

/// A C wide string literal (`NULL` for a missing one).
fn wide(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => Some("NULL".into()),
        Some(Value::String(s)) => {
            let mut out = String::from("L\"");
            for c in s.chars() {
                match c {
                    '"' | '\\' => {
                        out.push('\\');
                        out.push(c);
                    }
                    ' '..='~' => out.push(c),
                    c => {
                        let _ = write!(out, "\\U{:08X}", c as u32);
                    }
                }
            }
            out.push('"');
            Some(out)
        }
        _ => None,
    }
}

/// The C for one call of the subset, or `None`.
fn render(ctx: &Ctx, s: &Step) -> Option<Rendered> {
    let a = &s.args;
    let h = |k: &str| a.get(k).and_then(|v| ctx.handle(v));
    let mut outputs = Vec::new();
    let (code, kind) = match s.call.as_str() {
        "CloseHandle" => (format!("CloseHandle({})", h("handle")?), RetKind::Bool),
        "CreateEvent" => (
            format!(
                "CreateEventW({}, {}, {}, {})",
                security(a, "event_attributes"),
                flag(a, "manual_reset"),
                flag(a, "initial_state"),
                wide(a.get("name"))?
            ),
            RetKind::Handle,
        ),
        "CreateMutex" => (
            format!(
                "CreateMutexW({}, {}, {})",
                security(a, "mutex_attributes"),
                flag(a, "initial_owner"),
                wide(a.get("name"))?
            ),
            RetKind::Handle,
        ),
        "CreateSemaphore" => (
            format!(
                "CreateSemaphoreW({}, (LONG){}, (LONG){}, {})",
                security(a, "semaphore_attributes"),
                num(a, "initial_count")? as i32,
                num(a, "maximum_count")? as i32,
                wide(a.get("name"))?
            ),
            RetKind::Handle,
        ),
        open @ ("OpenEvent" | "OpenMutex" | "OpenSemaphore") => (
            format!(
                "{open}W(0x{:X}, {}, {})",
                num(a, "desired_access")?,
                flag(a, "inherit_handle"),
                wide(a.get("name"))?
            ),
            RetKind::Handle,
        ),
        "SetEvent" => (format!("SetEvent({})", h("event")?), RetKind::Bool),
        "ResetEvent" => (format!("ResetEvent({})", h("event")?), RetKind::Bool),
        "ReleaseMutex" => (format!("ReleaseMutex({})", h("mutex")?), RetKind::Bool),
        "ReleaseSemaphore" => {
            outputs.push(("previous_count", "o_long".to_string()));
            (
                format!(
                    "ReleaseSemaphore({}, (LONG){}, &o_long)",
                    h("semaphore")?,
                    num(a, "release_count")? as i32
                ),
                RetKind::Bool,
            )
        }
        "WaitForSingleObject" if num(a, "milliseconds")? == 0 => {
            (format!("WaitForSingleObject({}, 0)", h("handle")?), RetKind::Dword)
        }
        "GetHandleInformation" => {
            outputs.push(("flags", "o_dword".to_string()));
            (
                format!("GetHandleInformation({}, &o_dword)", h("handle")?),
                RetKind::Bool,
            )
        }
        "SetHandleInformation" => (
            format!(
                "SetHandleInformation({}, 0x{:X}, 0x{:X})",
                h("handle")?,
                num(a, "mask")?,
                num(a, "flags")?
            ),
            RetKind::Bool,
        ),
        "DuplicateHandle" => {
            // Only within the calling process (the target value must be translatable).
            let target = a.get("target_process_handle").and_then(Value::as_i64)? as u32;
            if target != 0xFFFF_FFFF {
                return None;
            }
            outputs.push(("target_handle", "o_handle".to_string()));
            (
                format!(
                    "DuplicateHandle({}, {}, GetCurrentProcess(), &o_handle, 0x{:X}, {}, 0x{:X})",
                    h("source_process_handle")?,
                    h("source_handle")?,
                    num(a, "desired_access")?,
                    flag(a, "inherit_handle"),
                    num(a, "options")?
                ),
                RetKind::Bool,
            )
        }
        "SetEnvironmentVariable" => (
            format!(
                "SetEnvironmentVariableW({}, {})",
                wide(a.get("name"))?,
                wide(a.get("value"))?
            ),
            RetKind::Bool,
        ),
        text @ ("GetEnvironmentVariable" | "ExpandEnvironmentStrings") => {
            let size = num(a, "size")?;
            if size > 32_768 {
                return None;
            }
            let source = if text == "GetEnvironmentVariable" {
                "name"
            } else {
                "src"
            };
            let buffer = if is_set(a, "null_buffer") {
                "NULL"
            } else {
                outputs.push(("text", format!("{size}")));
                "o_text"
            };
            (
                format!("{text}W({}, {buffer}, {size})", wide(a.get(source))?),
                RetKind::Dword,
            )
        }
        "CreatePipe" => {
            outputs.push(("read_handle", "o_handle".to_string()));
            outputs.push(("write_handle", "o_handle2".to_string()));
            (
                format!(
                    "CreatePipe(&o_handle, &o_handle2, {}, {})",
                    security(a, "pipe_attributes"),
                    num(a, "size")?
                ),
                RetKind::Bool,
            )
        }
        "ReadFile" => {
            let n = num(a, "bytes_to_read")?;
            if n > 65_536 {
                return None;
            }
            outputs.push(("bytes_read", "o_dword".to_string()));
            let buffer = if is_set(a, "null_buffer") {
                "NULL"
            } else {
                outputs.push(("data", "o_dword".to_string()));
                "o_buf"
            };
            (
                format!("ReadFile({}, {buffer}, {n}, &o_dword, NULL)", h("file")?),
                RetKind::Bool,
            )
        }
        "WriteFile" => {
            let data = a.get("data")?.as_str()?;
            if data.len() > 65_536 {
                return None;
            }
            let mut lit = String::from("\"");
            for b in data.bytes() {
                let _ = write!(lit, "\\x{b:02x}");
            }
            lit.push('"');
            if is_set(a, "null_buffer") {
                lit = "NULL".into();
            }
            outputs.push(("bytes_written", "o_dword".to_string()));
            (
                format!("WriteFile({}, {lit}, {}, &o_dword, NULL)", h("file")?, data.len()),
                RetKind::Bool,
            )
        }
        "PeekNamedPipe" => {
            let n = num(a, "buffer_size")?;
            if n > 65_536 {
                return None;
            }
            outputs.push(("total_bytes_avail", "o_avail".to_string()));
            (
                format!(
                    "PeekNamedPipe({}, {}, {n}, NULL, &o_avail, NULL)",
                    h("named_pipe")?,
                    if n == 0 || is_set(a, "null_buffer") {
                        "NULL"
                    } else {
                        "o_buf"
                    }
                ),
                RetKind::Bool,
            )
        }
        // Pseudo handles: both systems return -1 and -2 (shown as INVALID for -1).
        "GetCurrentProcess" => ("GetCurrentProcess()".to_string(), RetKind::Handle),
        "GetCurrentThread" => ("GetCurrentThread()".to_string(), RetKind::Handle),
        "GetLastError" => ("GetLastError()".to_string(), RetKind::Dword),
        "SetLastError" => {
            let e = match a.get("error")? {
                Value::String(name) => Win32Error::from_name(name)?.code(),
                v => v.as_i64()? as u32,
            };
            (format!("(SetLastError({e}u), 0)"), RetKind::Void)
        }
        _ => return None,
    };
    Some(Rendered {
        binds_ret: kind == RetKind::Handle,
        code,
        kind,
        outputs,
    })
}

/// The handles a step's out-parameters make: (the C out variable, (kernsim value, C name)).
fn bound_outputs(s: &Step, n: u64) -> Vec<(&'static str, (u32, String))> {
    let outs = s.outcome.get("outputs");
    let value = |k: &str| outs.and_then(|o| o.get(k)).and_then(Value::as_i64).map(|v| v as u32);
    let mut v = Vec::new();
    for (field, c_out, prefix) in [
        ("target_handle", "o_handle", "d"),
        ("read_handle", "o_handle", "pr"),
        ("write_handle", "o_handle2", "pw"),
    ] {
        if let Some(h) = value(field) {
            v.push((c_out, (h, format!("{prefix}{n}"))));
        }
    }
    v
}

/// A generated program: its C text, the steps it renders with their renderings (in order),
/// and where and why it stopped.
type Program<'a> = (String, Vec<(&'a Step, Rendered)>, Option<(u64, String)>);

/// The whole program for a scenario's call steps.
fn program(steps: &[Step]) -> Program<'_> {
    let mut ctx = Ctx::default();
    let mut body = String::new();
    let mut rendered = Vec::new();
    let mut stopped = None;
    let first_pid = steps.first().map(|s| s.pid);
    for s in steps {
        if Some(s.pid) != first_pid {
            stopped = Some((s.step, format!("{} by another process", s.call)));
            break;
        }
        if s.outcome.get("outcome").and_then(Value::as_str) != Some("Done") {
            stopped = Some((s.step, format!("{} does not return at once", s.call)));
            break;
        }
        let Some(r) = render(&ctx, s) else {
            stopped = Some((s.step, format!("{} is outside the oracle's subset", s.call)));
            break;
        };
        let n = s.step;
        let _ = writeln!(body, "    /* step {n}: {} */", s.call);
        for (name, var) in &r.outputs {
            match *name {
                "text" => body.push_str("    o_text[0] = 0x7E7E;\n"),
                "previous_count" => body.push_str("    o_long = 0x7E7E7E7E;\n"),
                "bytes_read" | "bytes_written" | "data" => body.push_str("    o_dword = 0x7E7E7E7E;\n"),
                "total_bytes_avail" => body.push_str("    o_avail = 0x7E7E7E7E;\n"),
                _ => {
                    let _ = writeln!(body, "    {var} = (void *)0x7E7E7E7E;");
                }
            }
        }
        // The last-error calls themselves are run without the sentinel before them.
        let sentinel = if matches!(s.call.as_str(), "GetLastError" | "SetLastError") {
            String::new()
        } else {
            format!("SetLastError(0x{SENT:08X}); ")
        };
        let _ = writeln!(body, "    {sentinel}r = (ULONG_PTR){}; e = GetLastError();", r.code);
        let _ = writeln!(body, "    printf(\"STEP {n} r=%llu e=%lu\", (unsigned long long)r, e);");
        for (name, var) in &r.outputs {
            match *name {
                "text" => {
                    let _ = writeln!(
                        body,
                        "    if (o_text[0] != 0x7E7E && r < {var}) print_text(o_text); else printf(\" text=-\");"
                    );
                }
                "previous_count" => body.push_str("    printf(\" previous_count=%ld\", o_long);\n"),
                "flags" | "bytes_read" | "bytes_written" => {
                    let _ = writeln!(body, "    printf(\" {name}=%lu\", o_dword);");
                }
                "total_bytes_avail" => body.push_str("    printf(\" total_bytes_avail=%lu\", o_avail);\n"),
                "data" => body.push_str("    print_data(o_dword);\n"),
                handle => {
                    let _ = writeln!(
                        body,
                        "    printf(\" {handle}=%s\", {var} == (void *)0x7E7E7E7E ? \"-\" : {var} ? \"H\" : \"NULL\");"
                    );
                }
            }
        }
        body.push_str("    printf(\"\\n\"); fflush(stdout);\n");
        if r.binds_ret {
            if let Some(v) = s.outcome.get("ret").and_then(Value::as_i64) {
                let var = format!("v{n}");
                let _ = writeln!(body, "    HANDLE {var} = (HANDLE)r; (void){var};");
                ctx.handles.insert(v as u32, var);
            }
        }
        for (field, var) in bound_outputs(s, n) {
            let (value, c_var) = var;
            let _ = writeln!(body, "    HANDLE {c_var} = {field}; (void){c_var};");
            ctx.handles.insert(value, c_var);
        }
        rendered.push((s, r));
    }
    let program = format!(
        r#"/* Generated by kernsim's oracle (tools/oracle); do not edit. */
#include <windows.h>
#include <stdio.h>

static SECURITY_ATTRIBUTES sa_inherit = {{ sizeof(SECURITY_ATTRIBUTES), NULL, TRUE }};
static SECURITY_ATTRIBUTES sa_noinherit = {{ sizeof(SECURITY_ATTRIBUTES), NULL, FALSE }};
static WCHAR o_text[32770];
static unsigned char o_buf[65540];

static void print_data(DWORD n)
{{
    printf(" data=");
    if (n == 0x7E7E7E7E) {{ printf("-"); return; }}
    for (DWORD i = 0; i < n && i < sizeof o_buf; i++) printf("%02x", o_buf[i]);
}}

static void print_text(const WCHAR *w)
{{
    static char utf8[4 * 32770];
    WideCharToMultiByte(CP_UTF8, 0, w, -1, utf8, sizeof utf8, NULL, NULL);
    printf(" text=%s", utf8);
}}

int main(void)
{{
    ULONG_PTR r; DWORD e; LONG o_long; DWORD o_dword; DWORD o_avail; HANDLE o_handle; HANDLE o_handle2;
    (void)o_long; (void)o_dword; (void)o_avail; (void)o_handle; (void)o_handle2; (void)sa_inherit; (void)sa_noinherit; (void)print_text; (void)print_data;
{body}    return 0;
}}
"#
    );
    (program, rendered, stopped)
}

/// kernsim's trace of a scenario: its call steps.
fn trace(kernsim: &Path, scenario: &Path) -> Result<Vec<Step>, String> {
    let out = Command::new(kernsim)
        .args(["run", "--format", "json", "--no-leaks"])
        .arg(scenario)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", kernsim.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut steps = Vec::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let Some(action) = v.get("action") else { continue };
        if action.get("kind").and_then(Value::as_str) != Some("call") {
            continue;
        }
        let call = &action["call"];
        steps.push(Step {
            step: v["step"].as_u64().unwrap_or(0),
            pid: action["process_id"].as_u64().unwrap_or(0),
            call: call["call"].as_str().unwrap_or_default().to_string(),
            args: call.get("args").and_then(Value::as_object).cloned().unwrap_or_default(),
            outcome: action
                .get("outcome")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        });
    }
    Ok(steps)
}

/// kernsim's answer for a step, in the program's words (`r=... e=... name=...`).
fn expected(s: &Step, r: &Rendered) -> BTreeMap<String, String> {
    let o = &s.outcome;
    let mut m = BTreeMap::new();
    let ret = o.get("ret").cloned().unwrap_or(Value::Null);
    let shown = match r.kind {
        RetKind::Bool => match ret.as_bool() {
            Some(true) => "TRUE",
            _ => "FALSE",
        }
        .to_string(),
        RetKind::Handle => match ret.as_i64().map(|n| n as u32) {
            Some(0) => "NULL".into(),
            Some(0xFFFF_FFFF) => "INVALID".into(),
            _ => "HANDLE".into(),
        },
        RetKind::Dword => ret.as_i64().map_or("?".into(), |n| (n as u32).to_string()),
        RetKind::Void => "void".into(),
    };
    m.insert("r".into(), shown);
    let error = if o.get("error_set").and_then(Value::as_bool) == Some(true) {
        match o.get("last_error") {
            Some(Value::String(name)) => Win32Error::from_name(name).map_or(name.clone(), |e| e.code().to_string()),
            Some(v) => v.to_string(),
            None => "?".into(),
        }
    } else {
        "untouched".into()
    };
    // GetLastError runs without the sentinel: its return value is the comparison.
    if s.call != "GetLastError" {
        m.insert("e".into(), error);
    }
    let outs = o.get("outputs").and_then(Value::as_object);
    for (name, _) in &r.outputs {
        let v = outs.and_then(|x| x.get(*name));
        let shown = match (*name, v) {
            // No bytes copied and no data output are the same buffer: untouched.
            ("data", None | Some(Value::Null)) => String::new(),
            (_, None | Some(Value::Null)) => "-".to_string(),
            ("target_handle" | "read_handle" | "write_handle", Some(v)) => {
                if v.as_i64() == Some(0) { "NULL" } else { "H" }.to_string()
            }
            ("data", Some(Value::String(s))) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            (_, Some(Value::String(s))) => s.clone(),
            (_, Some(v)) => v.to_string(),
        };
        m.insert((*name).to_string(), shown);
    }
    m
}

/// Wine's answer for a step, in the same words.
fn observed(line: &str, r: &Rendered) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut rest = line;
    // `text=` runs to the end of the line: take it first.
    if let Some(i) = rest.find(" text=") {
        m.insert("text".to_string(), rest[i + 6..].to_string());
        rest = &rest[..i];
    }
    for part in rest.split(' ').skip(2) {
        if let Some((k, v)) = part.split_once('=') {
            m.insert(k.to_string(), v.to_string());
        }
    }
    let raw: u64 = m.get("r").and_then(|v| v.parse().ok()).unwrap_or(0);
    let shown = match r.kind {
        RetKind::Bool => if raw != 0 { "TRUE" } else { "FALSE" }.to_string(),
        RetKind::Handle => match raw {
            0 => "NULL".into(),
            u64::MAX => "INVALID".into(),
            _ => "HANDLE".into(),
        },
        RetKind::Dword => (raw as u32).to_string(),
        RetKind::Void => "void".into(),
    };
    m.insert("r".into(), shown);
    if m.get("e").and_then(|e| e.parse::<u32>().ok()) == Some(SENT) {
        m.insert("e".into(), "untouched".into());
    }
    if m.get("previous_count").map(String::as_str) == Some(&UNWRITTEN.to_string()) {
        m.insert("previous_count".into(), "-".into());
    }
    if m.get("data").map(String::as_str) == Some("-") {
        m.insert("data".into(), String::new());
    }
    for k in ["flags", "bytes_read", "bytes_written", "total_bytes_avail"] {
        if m.get(k).map(String::as_str) == Some(&UNWRITTEN.to_string()) {
            m.insert(k.into(), "-".into());
        }
    }
    m
}

/// One scenario: the report's text and (compared, agreed, Wine's) counts.
fn check(kernsim: &Path, scenario: &Path, known: &Value, keep: Option<&Path>) -> Result<(String, [usize; 3]), String> {
    let name = scenario
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string();
    let steps = trace(kernsim, scenario)?;
    let (c_text, rendered, stopped) = program(&steps);
    let dir = std::env::temp_dir().join(format!("kernsim-oracle-{name}"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let c = dir.join(format!("{name}.c"));
    let exe = dir.join(format!("{name}.exe"));
    std::fs::write(&c, &c_text).map_err(|e| e.to_string())?;
    if let Some(k) = keep {
        let _ = std::fs::create_dir_all(k);
        let _ = std::fs::write(k.join(format!("{name}.c")), &c_text);
    }
    let cc = Command::new("x86_64-w64-mingw32-gcc")
        .arg("-O0")
        .arg("-o")
        .arg(&exe)
        .arg(&c)
        .output()
        .map_err(|e| format!("cannot run x86_64-w64-mingw32-gcc: {e} (install gcc-mingw-w64-x86-64-win32)"))?;
    if !cc.status.success() {
        return Err(format!(
            "{name}.c does not compile:\n{}",
            String::from_utf8_lossy(&cc.stderr)
        ));
    }
    // A call that kernsim answers at once but Wine would block on must not hang the run. The
    // output goes to a file, not a pipe: Wine's services outlive the program and would keep
    // a pipe open.
    let out_path = dir.join(format!("{name}.out"));
    let out_file = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    Command::new("timeout")
        .arg("60")
        .arg("wine")
        .arg(&exe)
        .env("WINEDEBUG", "-all")
        .stdout(out_file)
        .stderr(std::process::Stdio::null())
        .stdin(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run wine: {e} (install wine64)"))?;
    let out = std::fs::read_to_string(&out_path)
        .map_err(|e| e.to_string())?
        .replace('\r', "");
    let lines: BTreeMap<u64, &str> = out
        .lines()
        .filter_map(|l| Some((l.strip_prefix("STEP ")?.split(' ').next()?.parse().ok()?, l)))
        .collect();
    // A known difference names a call and, in `when`, arguments: a value, or {"at_most": n}
    // (compared as a signed 32-bit number).
    let wine_known = |s: &Step| {
        known.as_array().into_iter().flatten().find(|k| {
            k.get("call").and_then(Value::as_str) == Some(s.call.as_str())
                && k.get("when")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .all(|(arg, want)| {
                        let have = s.args.get(arg);
                        match want.get("at_most").and_then(Value::as_i64) {
                            Some(max) => have
                                .and_then(Value::as_i64)
                                .is_some_and(|v| i64::from(v as u32 as i32) <= max),
                            None => have == Some(want),
                        }
                    })
        })
    };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "oracle report: {name} (kernsim against Wine; generated by tools/oracle)"
    );
    let (mut agreed, mut wines) = (0, 0);
    for (s, r) in &rendered {
        let n = s.step;
        let want = expected(s, r);
        let got = lines.get(&n).map(|l| observed(l, r)).unwrap_or_default();
        let differ: Vec<String> = want
            .iter()
            .filter(|(k, v)| got.get(*k) != Some(v))
            .map(|(k, v)| {
                format!(
                    "{k}: kernsim {v}, wine {}",
                    got.get(k).map_or("(no line)", String::as_str)
                )
            })
            .collect();
        if differ.is_empty() {
            agreed += 1;
            let _ = writeln!(report, "  = step {n} {}", s.call);
        } else if let Some(k) = wine_known(s) {
            wines += 1;
            let _ = writeln!(
                report,
                "  W step {n} {}: {} [Wine differs from Windows: {}; {}]",
                s.call,
                differ.join("; "),
                k.get("reason").and_then(Value::as_str).unwrap_or(""),
                k.get("source").and_then(Value::as_str).unwrap_or("")
            );
        } else {
            let _ = writeln!(report, "  ≠ step {n} {}: {}", s.call, differ.join("; "));
        }
    }
    let compared = rendered.len();
    let _ = writeln!(
        report,
        "compared {compared} of {} call steps: {agreed} agree, {wines} known Wine differences, {} differ",
        steps.len(),
        compared - agreed - wines
    );
    if let Some((step, why)) = stopped {
        let _ = writeln!(report, "not compared from step {step} on: {why}");
    }
    Ok((report, [compared, agreed, wines]))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut kernsim, mut out, mut known_path, mut keep) = (
        PathBuf::from("target/debug/kernsim"),
        PathBuf::from("tools/oracle/reports"),
        PathBuf::from("tools/oracle/wine-differences.json"),
        None,
    );
    let mut files = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--kernsim" => kernsim = args.next().map(PathBuf::from).unwrap_or(kernsim),
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            "--known" => known_path = args.next().map(PathBuf::from).unwrap_or(known_path),
            "--keep" => keep = args.next().map(PathBuf::from),
            "-h" | "--help" => {
                println!("usage: oracle [--kernsim PATH] [--out DIR] [--known FILE] [--keep DIR] SCENARIO...");
                return ExitCode::SUCCESS;
            }
            _ => files.push(PathBuf::from(a)),
        }
    }
    let known: Value = std::fs::read_to_string(&known_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Array(vec![]));
    let _ = std::fs::create_dir_all(&out);
    let mut summary =
        String::from("| scenario | call steps compared | agree | Wine's | differ |\n|---|---|---|---|---|\n");
    let mut failed = false;
    for f in &files {
        match check(&kernsim, f, &known, keep.as_deref()) {
            Ok((report, [compared, agreed, wines])) => {
                let name = f.file_stem().and_then(|s| s.to_str()).unwrap_or("scenario");
                print!("{report}");
                let _ = std::fs::write(out.join(format!("{name}.txt")), &report);
                let _ = writeln!(
                    summary,
                    "| `{name}` | {compared} | {agreed} | {wines} | {} |",
                    compared - agreed - wines
                );
            }
            Err(e) => {
                eprintln!("oracle: {}: {e}", f.display());
                failed = true;
            }
        }
    }
    let _ = std::fs::write(out.join("SUMMARY.md"), &summary);
    print!("{summary}");
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
