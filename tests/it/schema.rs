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
}
