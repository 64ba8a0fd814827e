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
