//! Every scenario passes, matches its reviewed golden traces, and is deterministic.
//! `UPDATE_GOLDEN=1 cargo test` rewrites the golden files (review the diff before committing).

use kernsim_scenario::{load_file, load_str, render_json, render_text, run, Lang};

/// Loads a scenario under its repository-relative name, so traces do not depend on where the
/// repository was cloned.
fn renders(path: &std::path::Path) -> [(String, String); 3] {
    let name = format!("scenarios/{}", path.file_name().unwrap().to_string_lossy());
    let text = std::fs::read_to_string(path).unwrap();
    let scenario = load_str(&text, &name).unwrap_or_else(|e| panic!("{e}"));
    let result = run(&scenario);
    assert!(result.error().is_none(), "{}: {:?}", path.display(), result.error());
    assert!(
        result.passed(),
        "{}: failed checks {:#?}",
        path.display(),
        result.failures()
    );
    [
        ("en.txt".to_string(), render_text(&scenario, &result, Lang::En)),
        ("ko.txt".to_string(), render_text(&scenario, &result, Lang::Ko)),
        ("jsonl".to_string(), render_json(&scenario, &result)),
    ]
}

#[test]
fn every_scenario_passes_and_matches_its_golden_traces() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let golden_dir = super::root().join("scenarios").join("golden");
    let files = super::scenario_files();
    assert!(files.len() >= 23, "expected the scenario set, found {}", files.len());
    let mut mismatches = Vec::new();
    for path in &files {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        for (ext, text) in renders(path) {
            let golden = golden_dir.join(format!("{stem}.{ext}"));
            if update {
                std::fs::create_dir_all(&golden_dir).unwrap();
                std::fs::write(&golden, &text).unwrap();
                continue;
            }
            match std::fs::read_to_string(&golden) {
                Ok(expected) if expected == text => {}
                Ok(expected) => {
                    let line = expected
                        .lines()
                        .zip(text.lines())
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    mismatches.push(format!(
                        "{}: first difference at line {}:\n  golden: {:?}\n  now:    {:?}",
                        golden.display(),
                        line + 1,
                        expected.lines().nth(line).unwrap_or(""),
                        text.lines().nth(line).unwrap_or("")
                    ));
                }
                Err(_) => mismatches.push(format!(
                    "{} is missing (run with UPDATE_GOLDEN=1 and review it)",
                    golden.display()
                )),
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "golden traces differ:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn every_scenario_renders_byte_identically_twice() {
    for path in super::scenario_files() {
        let first = renders(&path);
        let second = renders(&path);
        assert_eq!(first, second, "{} is not deterministic", path.display());
    }
}

#[test]
fn every_scenario_covers_a_source_section_in_both_languages() {
    for path in super::scenario_files() {
        let scenario = load_file(&path).unwrap();
        assert!(scenario.source.is_some(), "{} names no source section", path.display());
        let notes: Vec<_> = scenario.steps.iter().filter_map(|s| s.note.as_ref()).collect();
        assert!(!notes.is_empty(), "{} has no narration", path.display());
        for note in notes {
            assert_ne!(
                note.get("en"),
                note.get("ko"),
                "{}: a note without Korean: {:?}",
                path.display(),
                note.get("en")
            );
        }
    }
}

/// Words a Korean narration may contain in Latin letters: Win32 identifiers (calls, their
/// argument and output names, constants, error names, object kinds), the note's own English
/// terms, units, and any word of the scenario file itself (process names, bound names,
/// author-written text). Anything else is English prose the catalogs failed to translate.
fn latin_allowed(scenario_text: &str) -> std::collections::BTreeSet<String> {
    use kernsim_kernel::*;
    let mut ok: std::collections::BTreeSet<String> = [
        "Usage",
        "Count",
        "pid",
        "tid",
        "ms",
        "Y",
        "N",
        "ok",
        "spec",
        "Oracle",
        "S",
        "C",
        "x",
        "DIR",
        "Wine",
        "Windows",
        "GetLastError",
        "ResumeThread",
        "SetEvent",
        "PulseEvent",
        "TerminateProcess",
        "ConnectNamedPipe",
        "CreateFile",
        "CreateProcess",
        "ERROR_BROKEN_PIPE",
        "show",
        "leaks",
        "signaled",
        "listening",
        "connected",
        "disconnected",
        "closing",
        "byte",
        "message",
        "pseudo",
        "handle",
        "entry",
        "outputs",
        "bind",
        "ret",
        "pending",
        "deadlock",
        "last_error",
        "time",
        "true",
        "false",
        "lpEnvironment",
        "nDefaultTimeOut",
        "bInheritHandles",
        "MiB",
        // `(void)`: the C return type of a call that returns nothing; path components.
        "void",
        "System32",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for name in Call::NAMES {
        ok.insert(name.to_string());
    }
    for name in CallName::ALL.iter().flat_map(|c| c.arguments()) {
        ok.insert(name.to_string());
    }
    for f in OutputField::ALL {
        ok.insert(f.as_str().to_string());
    }
    for (name, _) in kernsim_kernel::consts::TABLE {
        ok.insert(name.to_string());
    }
    for e in Win32Error::ALL {
        ok.insert(e.name().to_string());
    }
    for k in [
        ObjectKind::Process,
        ObjectKind::Thread,
        ObjectKind::Event,
        ObjectKind::Snapshot,
        ObjectKind::Pipe,
        ObjectKind::Mailslot,
        ObjectKind::MailslotClient,
        ObjectKind::File,
    ] {
        ok.insert(k.name().to_string());
    }
    let mut word = String::new();
    for c in scenario_text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else if !word.is_empty() {
            ok.insert(std::mem::take(&mut word));
        }
    }
    ok
}

#[test]
fn the_korean_narration_has_no_english_prose() {
    let golden_dir = super::root().join("scenarios").join("golden");
    let mut found = Vec::new();
    let arguments: Vec<&str> = kernsim_kernel::CallName::ALL
        .iter()
        .flat_map(|c| c.arguments())
        .copied()
        .chain(kernsim_scenario::load::NESTED_FIELDS.iter().copied())
        .collect();
    for path in super::scenario_files() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let ko = std::fs::read_to_string(golden_dir.join(format!("{stem}.ko.txt"))).unwrap();
        let allowed = latin_allowed(&std::fs::read_to_string(&path).unwrap());
        for (n, line) in ko.lines().enumerate() {
            // Quoted text is data (file contents, messages written), not narration.
            let unquoted: String = line.split('"').step_by(2).collect::<Vec<_>>().join(" ");
            let mut word = String::new();
            for (i, c) in unquoted.char_indices().chain(std::iter::once((unquoted.len(), ' '))) {
                if c.is_ascii_alphanumeric() || c == '_' {
                    word.push(c);
                } else if !word.is_empty() {
                    let w = std::mem::take(&mut word);
                    // Numbers and addresses (0x1200) are values, not words.
                    let number = w.starts_with(|c: char| c.is_ascii_digit());
                    // The scenario's own words are allowed (names, values), but not as the
                    // label of a call's argument (`wait_all: TRUE`): those are worded.
                    let label = unquoted[i..].starts_with(": ") && arguments.contains(&w.as_str());
                    if label || (!number && !allowed.contains(&w)) {
                        found.push(format!("{stem}.ko.txt:{}: {w:?} in {line:?}", n + 1));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "English words in Korean goldens:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_message_key_the_code_uses_is_in_every_catalog() {
    // A key missing from the catalogs would print the key itself: read every `.t("key")` and
    // `.f("key", ...)` of the wording code and look each up in every catalog.
    let root = super::root();
    let mut missing = Vec::new();
    for file in ["crates/scenario/src/render.rs", "src/shell.rs", "src/main.rs"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        // `l.f(` followed by a line break puts its key on the next line.
        let text = text.replace("l.f(\n", "l.f(").replace(".f(\n", ".f(");
        let text = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(".f( \"", ".f(\"");
        for marker in [".t(\"", ".f(\"", "l.t(if", "key = "] {
            for (i, _) in text.match_indices(marker) {
                let rest = &text[i + marker.len()..];
                let rest = if marker == "l.t(if" || marker == "key = " {
                    rest
                } else {
                    &text[i + marker.len() - 1..]
                };
                // The first quoted string is the key; after `l.t(if` and `key = ` every quoted
                // string up to the end of the expression is one (`if a { "k1" } else { "k2" }`).
                let end = rest
                    .find([')', ';'])
                    .unwrap_or(rest.len())
                    .min(rest.find("return ").unwrap_or(usize::MAX));
                let all = marker == "l.t(if" || marker == "key = ";
                let keys: Vec<&str> = rest[..end]
                    .split('"')
                    .skip(1)
                    .step_by(2)
                    .take(if all { usize::MAX } else { 1 })
                    .collect();
                for key in keys {
                    if key.is_empty()
                        || !key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    {
                        continue;
                    }
                    for l in Lang::all() {
                        if !l.keys().iter().any(|k| k == key) {
                            missing.push(format!("{file}: {key} (catalog {})", l.id()));
                        }
                    }
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "keys missing from catalogs:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_call_step_of_every_lesson_explains_itself_in_both_languages() {
    let mut missing = Vec::new();
    for path in super::scenario_files() {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (i, step) in v["steps"].as_array().unwrap().iter().enumerate() {
            if step.get("call").is_none() {
                continue;
            }
            let note = &step["note"];
            let both = note["en"].as_str().is_some_and(|s| !s.is_empty())
                && note["ko"].as_str().is_some_and(|s| !s.is_empty());
            if !both {
                missing.push(format!("{} step {}", path.display(), i + 1));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "call steps without an en and ko note:\n{}",
        missing.join("\n")
    );
}

/// A row's `origin` expectation (issue 17): how a row came to be, with the call, the process
/// and the source row where they apply; the stated parts are compared, a wrong one is a
/// failure worded in each language, and a part that cannot apply is a load error.
#[test]
fn a_row_origin_is_checked_part_by_part() {
    let scenario = |origin: &str| {
        format!(
            r#"{{"format_version": 1, "title": "origins", "processes": [{{"name": "parent", "image": "p.exe"}}],
              "steps": [
                {{"by": "parent", "call": "CreateEvent", "args": {{"manual_reset": true, "event_attributes": {{"inherit_handle": true}}}}, "bind": {{"ret": "e"}},
                  "expect": {{"table": {{"of": "parent", "rows": [{{"handle": "e", "origin": {{"how": "created", "call": "CreateEvent"}}}}]}}}}}},
                {{"by": "parent", "call": "CreateProcess", "args": {{"command_line": "c.exe", "inherit_handles": true}},
                  "bind": {{"process_id": "child", "process_handle": "hp"}},
                  "expect": {{"table": {{"of": "child", "rows": [{{"handle": "e", "origin": {{"how": "inherited", "from": "parent"}}}}]}}}}}},
                {{"by": "parent", "call": "DuplicateHandle",
                  "args": {{"source_process_handle": -1, "source_handle": "e", "target_process_handle": "hp", "options": "DUPLICATE_SAME_ACCESS"}},
                  "bind": {{"target_handle": "d"}},
                  "expect": {{"table": {{"of": "child", "rows": [{{"handle": "d", "origin": {origin}}}]}}}}}}
              ]}}"#
        )
    };
    let right = r#"{"how": "duplicated", "from": "parent", "source_handle": "e", "closed_source": false}"#;
    let sc = load_str(&scenario(right), "origins.json").unwrap_or_else(|e| panic!("{e}"));
    let r = run(&sc);
    assert!(r.passed(), "{}", render_text(&sc, &r, Lang::En));

    for (wrong, said_en, said_ko) in [
        (
            r#"{"how": "duplicated", "source_handle": 8}"#,
            "duplicated (from parent, of handle 4, source kept), expected duplicated (of handle 8)",
            "출처 복제 (출처 프로세스 parent, 원본 핸들 4, 원본 유지), 예상 복제 (원본 핸들 8)",
        ),
        (
            r#"{"how": "inherited"}"#,
            "duplicated (from parent, of handle 4, source kept), expected inherited",
            "예상 상속",
        ),
        (
            r#"{"how": "duplicated", "from": "child"}"#,
            "expected duplicated (from child)",
            "예상 복제 (출처 프로세스 child)",
        ),
    ] {
        let sc = load_str(&scenario(wrong), "origins.json").unwrap_or_else(|e| panic!("{e}"));
        let r = run(&sc);
        assert!(!r.passed(), "{wrong} must fail");
        let en = render_text(&sc, &r, Lang::En);
        let ko = render_text(&sc, &r, Lang::Ko);
        assert!(en.contains(said_en), "{wrong}: {en}");
        assert!(ko.contains(said_ko), "{wrong}: {ko}");
    }

    let misplaced = load_str(
        &scenario(r#"{"how": "inherited", "call": "CreateProcess"}"#),
        "origins.json",
    )
    .unwrap_err();
    assert_eq!(
        misplaced.path, "steps[2].expect.table[0].rows[0].origin.call",
        "{misplaced}"
    );
    assert!(
        misplaced
            .to_string()
            .contains("does not describe a row that was inherited"),
        "{misplaced}"
    );
}
