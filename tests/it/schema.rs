//! The scenario JSON Schema as an editor uses it (`kernsim schema`, validated with the
//! `jsonschema` crate): every shipped scenario is valid; a misspelt call, a misspelt argument
//! and an argument of the wrong type are flagged at their JSON paths before anything runs.

use serde_json::Value;
use std::process::Command;

fn schema() -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .arg("schema")
        .output()
        .expect("kernsim runs");
    serde_json::from_slice(&o.stdout).expect("the schema is JSON")
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} {}", e.instance_path(), e))
        .collect()
}

#[test]
fn every_shipped_scenario_is_valid_and_mistakes_are_flagged_at_their_path() {
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let names = &schema["$defs"]["Step"]["properties"]["call"]["enum"];
    assert!(
        names
            .as_array()
            .is_some_and(|n| n.iter().any(|c| c == "DuplicateHandle")),
        "{names}"
    );
    // The constants an argument takes are offered (from the parameter's documentation).
    let rule = |call: &str| {
        schema["$defs"]["Step"]["allOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["if"]["properties"]["call"]["const"] == call)
            .unwrap()["then"]["properties"]["args"]
            .clone()
    };
    let args = |call: &str| {
        let a = rule(call);
        match a["$ref"].as_str() {
            Some(r) => schema["$defs"][r.rsplit('/').next().unwrap()].clone(),
            None => a,
        }
    };
    for (call, arg, constant) in [
        ("OpenEvent", "desired_access", "EVENT_MODIFY_STATE"),
        ("DuplicateHandle", "options", "DUPLICATE_CLOSE_SOURCE"),
        ("SetHandleInformation", "mask", "HANDLE_FLAG_INHERIT"),
        ("CreateFile", "share_mode", "FILE_SHARE_READ"),
        ("WaitForSingleObject", "milliseconds", "INFINITE"),
    ] {
        let examples = &args(call)["properties"][arg]["examples"];
        assert!(
            examples.as_array().is_some_and(|e| e.iter().any(|c| c == constant)),
            "{call}.{arg}: {examples}"
        );
    }
    let root = super::root();
    let mut files: Vec<_> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .chain(std::fs::read_dir(root.join("tools/oracle/cases")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() > 20);
    for f in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let e = errors(&validator, &doc);
        assert!(e.is_empty(), "{}: {e:#?}", f.display());
    }
    let step = |s: &str| -> Value {
        serde_json::from_str(&format!(
            r#"{{"format_version": 1, "title": "t", "processes": [{{"name": "p", "image": "p.exe"}}], "steps": [{{"by": "p", "call": "CreatePipe", "args": {{}}}}, {s}]}}"#
        ))
        .unwrap()
    };
    // A misspelt argument (whatever its value's type) at its path.
    let e = errors(
        &validator,
        &step(r#"{"by": "p", "call": "ReadFile", "args": {"file": 4, "buffer": "hi dad"}}"#),
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("/steps/1/args ") && m.contains("buffer")),
        "{e:#?}"
    );
    // A misspelt call name.
    let e = errors(
        &validator,
        &step(r#"{"by": "p", "call": "ReadFlie", "args": {"file": 4}}"#),
    );
    assert!(e.iter().any(|m| m.starts_with("/steps/1/call")), "{e:#?}");
    // A wrong type: a number where text goes, an object where a number goes.
    let e = errors(
        &validator,
        &step(r#"{"by": "p", "call": "CreateEvent", "args": {"name": 5}}"#),
    );
    assert!(e.iter().any(|m| m.starts_with("/steps/1/args/name")), "{e:#?}");
    let e = errors(
        &validator,
        &step(r#"{"by": "p", "call": "ReadFile", "args": {"file": 4, "bytes_to_read": {}}}"#),
    );
    assert!(e.iter().any(|m| m.starts_with("/steps/1/args/bytes_to_read")), "{e:#?}");
    // A missing required argument; constants, hex and bound names where numbers go are fine;
    // the documented alias of CloseHandle's handle is accepted.
    let e = errors(
        &validator,
        &step(r#"{"by": "p", "call": "ReadFile", "args": {"file": 4}}"#),
    );
    assert!(e.iter().any(|m| m.contains("bytes_to_read")), "{e:#?}");
    let ok = step(
        r#"{"by": "p", "call": "DuplicateHandle", "args": {"source_handle": "hRead", "options": "DUPLICATE_SAME_ACCESS", "desired_access": "0x1F0003"}}"#,
    );
    assert!(errors(&validator, &ok).is_empty(), "{:#?}", errors(&validator, &ok));
    let alias = step(r#"{"by": "p", "call": "CloseHandle", "args": {"object": 4}}"#);
    assert!(
        errors(&validator, &alias).is_empty(),
        "{:#?}",
        errors(&validator, &alias)
    );
    // A `$schema` key is part of the format.
    let mut with = step(r#"{"by": "p", "call": "CloseHandle", "args": {"handle": 4}}"#);
    with["$schema"] = "./kernsim.schema.json".into();
    assert!(errors(&validator, &with).is_empty());
    // Expectation outputs are the outputs' names.
    let e = errors(
        &validator,
        &step(
            r#"{"by": "p", "call": "ReadFile", "args": {"file": 4, "bytes_to_read": 1}, "expect": {"outputs": {"bytes_red": 1}}}"#,
        ),
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("/steps/1/expect") && m.contains("bytes_red")),
        "{e:#?}"
    );
    // ... and the call's own: ReadFile fills bytes_read and data, not bytes_written (that is
    // WriteFile's), and a bind names only what the call gives.
    let e = errors(
        &validator,
        &step(
            r#"{"by": "p", "call": "ReadFile", "args": {"file": 4, "bytes_to_read": 1}, "expect": {"outputs": {"bytes_written": 1}}}"#,
        ),
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("/steps/1/expect/outputs") && m.contains("bytes_written")),
        "{e:#?}"
    );
    let e = errors(
        &validator,
        &step(r#"{"by": "p", "call": "CreateEvent", "bind": {"ret": "h", "target_handle": "d"}}"#),
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("/steps/1/bind") && m.contains("target_handle")),
        "{e:#?}"
    );
    let ok = step(
        r#"{"by": "p", "call": "ReadFile", "args": {"file": 4, "bytes_to_read": 1}, "bind": {"bytes_read": "n"}, "expect": {"outputs": {"data": "", "bytes_read": 0}}}"#,
    );
    assert!(errors(&validator, &ok).is_empty(), "{:#?}", errors(&validator, &ok));
}

/// The JSON trace's own schema (`kernsim schema --output`) describes what `run --format json`
/// writes: every line of every reviewed golden trace, a run with the leak report, and a trace
/// with large data (summarized) are valid; a line of another type, an address written as a hex
/// string and a step without its events are not.
#[test]
fn every_json_trace_line_matches_the_output_schema() {
    let o = Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .args(["schema", "--output"])
        .output()
        .expect("kernsim runs");
    let schema: Value = serde_json::from_slice(&o.stdout).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let root = super::root();
    let mut lines = Vec::new();
    let golden = root.join("scenarios/golden");
    let mut files: Vec<_> = std::fs::read_dir(&golden)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(files.len() > 20);
    for f in &files {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            lines.push((f.display().to_string(), line.to_string()));
        }
    }
    // The CLI's runs: the leak report at the end, and large data as its summary.
    let large = std::env::temp_dir().join(format!("kernsim-large-{}.json", std::process::id()));
    std::fs::write(
        &large,
        r#"{"format_version": 1, "title": "large data", "processes": [{"name": "p", "image": "p.exe"}],
            "steps": [{"by": "p", "call": "CreatePipe", "args": {"size": 65536}, "bind": {"read_handle": "r", "write_handle": "w"}},
                      {"by": "p", "call": "WriteFile", "args": {"file": "w", "data": {"fill": "ab", "len": 5000}}},
                      {"by": "p", "call": "ReadFile", "args": {"file": "r", "bytes_to_read": 5000},
                       "expect": {"outputs": {"bytes_read": 5000}}}]}"#,
    )
    .unwrap();
    let forgotten = root.join("scenarios/s2_forgotten_write_handle.json");
    for path in [forgotten, large.clone()] {
        let o = Command::new(env!("CARGO_BIN_EXE_kernsim"))
            .args(["run", "--format", "json"])
            .arg(&path)
            .output()
            .expect("kernsim runs");
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(o.status.success(), "{}: {out}", path.display());
        for line in out.lines() {
            lines.push((path.display().to_string(), line.to_string()));
        }
    }
    std::fs::remove_file(&large).ok();
    let all = lines.iter().map(|(_, l)| l.as_str()).collect::<String>();
    assert!(all.contains(r#""fnv1a64""#) && all.contains(r#""leaks""#));
    let mut kinds = std::collections::BTreeSet::new();
    for (file, line) in &lines {
        let v: Value = serde_json::from_str(line).unwrap();
        kinds.insert(v["type"].as_str().unwrap_or("?").to_string());
        let e = errors(&validator, &v);
        assert!(e.is_empty(), "{file}: {line}\n{e:#?}");
    }
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["scenario", "step", "summary"]);
    // What the schema refuses: it is not a schema of anything.
    let step = lines
        .iter()
        .map(|(_, l)| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["type"] == "step" && v["events"].as_array().is_some_and(|e| !e.is_empty()))
        .unwrap();
    let mut other = step.clone();
    other["type"] = "stepp".into();
    assert!(!errors(&validator, &other).is_empty());
    let mut no_events = step.clone();
    no_events.as_object_mut().unwrap().remove("events");
    assert!(!errors(&validator, &no_events).is_empty());
    let mut hex = step.clone();
    let event = hex["events"][0].as_object_mut().unwrap();
    let key = ["object", "process_id", "thread_id"]
        .into_iter()
        .find(|k| event.contains_key(*k))
        .unwrap();
    event.insert(key.into(), "0x1000".into());
    assert!(!errors(&validator, &hex).is_empty(), "{hex}");
}
