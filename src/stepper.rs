//! `kernsim run FILE --step`: a scenario one step at a time. Enter shows the next step, `b`
//! the one before, `g N` step N, `s WHAT ...` any `show` at the current step, `q` quits.
//! Stepping back re-runs the deterministic model from the start up to that step, so every
//! view is exactly what a run to there gives; a `show` is run as one more step appended there.

use kernsim_scenario::runner::Names;
use kernsim_scenario::{load_str, run_with, Lang, RunOptions, Sink, StepTrace, TextRenderer};
use serde_json::{Map, Value};
use std::io::{BufRead, Write};

/// Keeps the narration of the steps numbered `target` (every setup step for 0).
struct Last {
    text: TextRenderer,
    target: usize,
    out: String,
}

impl<'a> Sink<'a> for Last {
    fn step(&mut self, trace: StepTrace<'a>, names: &Names) {
        self.text.step(&trace, names);
        let said = self.text.take();
        if trace.step == self.target {
            self.out.push_str(&said);
        }
    }
}

/// A scenario file held as JSON, to be cut at a step and run again.
pub struct Stepper {
    /// The file name errors name.
    pub file: String,
    /// The scenario's JSON.
    pub json: Value,
    /// Its number of steps.
    pub steps: usize,
    /// The narration's language.
    pub lang: Lang,
    /// Narrate each step's diff.
    pub diff: bool,
    /// How to run.
    pub options: RunOptions,
}

impl Stepper {
    /// The narration of step `n` (0: the setup), with `extra` run as a step after it (its
    /// narration alone is returned then, without its step label).
    pub fn view(&self, n: usize, extra: Option<Value>) -> Result<String, String> {
        let mut json = self.json.clone();
        if let Some(steps) = json.get_mut("steps").and_then(Value::as_array_mut) {
            steps.truncate(n);
            steps.extend(extra.clone());
        }
        let text = serde_json::to_string(&json).map_err(|e| e.to_string())?;
        let scenario = load_str(&text, &self.file).map_err(|e| e.localized(self.lang))?;
        let mut text = TextRenderer::new(&scenario, self.lang);
        if self.diff {
            text = text.with_diff();
        }
        text.take();
        let target = if extra.is_some() { n + 1 } else { n };
        let mut sink = Last {
            text,
            target,
            out: String::new(),
        };
        let summary = run_with(&scenario, self.options, &mut sink);
        if let Some(e) = &summary.error {
            return Err(kernsim_scenario::render::run_problem(self.lang, &e.problem));
        }
        let said = sink.out.trim_start_matches('\n');
        // A show run as one more step is labelled as that step; it belongs to step `n`.
        let said = match extra {
            Some(_) => said.split_once("] ").map_or(said, |(_, rest)| rest),
            None => said,
        };
        Ok(said.to_string())
    }
}

/// Reads `s WHAT ARGS...` into a `show` step: `handles [PROC...]`, `env [PROC...]`,
/// `object|pipe|why_alive X` (X a process name, a `0x` address or a handle binding),
/// `why X` (why_blocked of a process, else why_alive of a binding), `why_blocked [PROC...]`,
/// and the argument-less `processes`, `namespace`, `files`, `waits`, `leaks`.
fn show_step(words: &[&str], processes: &[String]) -> Option<Value> {
    let (what, rest) = words.split_first()?;
    let mut step = Map::new();
    let what = match *what {
        "why" => match rest.first() {
            Some(p) if processes.iter().any(|n| n == p) => "why_blocked",
            Some(_) => "why_alive",
            None => "why_blocked",
        },
        w => w,
    };
    step.insert("show".into(), Value::from(what));
    let target = |step: &mut Map<String, Value>, x: &str| {
        if processes.iter().any(|n| n == x) {
            step.insert("process".into(), Value::from(x));
        } else if x.starts_with("0x") {
            step.insert("address".into(), Value::from(x));
        } else {
            step.insert("ref".into(), Value::from(x));
        }
    };
    match what {
        "handles" | "env" | "why_blocked" if !rest.is_empty() => {
            let of: Vec<Value> = rest.iter().map(|p| Value::from(*p)).collect();
            step.insert("of".into(), Value::Array(of));
        }
        "object" | "pipe" | "why_alive" => target(&mut step, rest.first()?),
        _ => {}
    }
    Some(Value::Object(step))
}

/// Runs the stepping loop on `input`, writing to `out`; returns the exit code.
pub fn main(
    file: &std::path::Path,
    lang: Lang,
    diff: bool,
    options: RunOptions,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> u8 {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(out, "{}: {}: {e}", lang.t("cli-error"), file.display());
            return 2;
        }
    };
    // Load once as the run would, so that a bad file is reported with its own lines.
    let scenario = match load_str(&text, &file.display().to_string()) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(out, "{}: {}", lang.t("cli-error"), e.localized(lang));
            return 2;
        }
    };
    let json: Value = serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text)).unwrap_or_default();
    // The names `s` may address as processes: declared ones and those `start` steps make.
    let declared = json["processes"].as_array().into_iter().flatten().map(|p| &p["name"]);
    let started = json["steps"].as_array().into_iter().flatten().map(|s| &s["start"]);
    let processes: Vec<String> = declared
        .chain(started)
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect();
    let s = Stepper {
        file: file.display().to_string(),
        json,
        steps: scenario.steps.len(),
        lang,
        diff,
        options,
    };
    let mut at = 0usize;
    let mut show = true;
    loop {
        if show {
            match s.view(at, None) {
                Ok(v) => {
                    let _ = writeln!(out, "{v}");
                }
                Err(e) => {
                    let _ = writeln!(out, "{}: {e}", lang.t("cli-error"));
                }
            }
        }
        show = true;
        let _ = write!(out, "{} ", lang.f("step-prompt", &[("at", &at), ("last", &s.steps)]));
        let _ = out.flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = writeln!(out);
                return 0;
            }
            Ok(_) => {}
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] | ["n"] => {
                if at == s.steps {
                    let _ = writeln!(out, "{}", lang.t("step-at-end"));
                    show = false;
                } else {
                    at += 1;
                }
            }
            ["b"] => {
                if at == 0 {
                    let _ = writeln!(out, "{}", lang.t("step-at-start"));
                    show = false;
                } else {
                    at -= 1;
                }
            }
            ["g", n] => match n.parse::<usize>() {
                Ok(n) if n <= s.steps => at = n,
                _ => {
                    let _ = writeln!(out, "{}", lang.f("cli-no-such-step", &[("at", n), ("last", &s.steps)]));
                    show = false;
                }
            },
            ["q"] => return 0,
            ["s", rest @ ..] => {
                show = false;
                match show_step(rest, &processes) {
                    Some(step) => match s.view(at, Some(step)) {
                        Ok(v) => {
                            let _ = writeln!(out, "{v}");
                        }
                        Err(e) => {
                            let _ = writeln!(out, "{}: {e}", lang.t("cli-error"));
                        }
                    },
                    None => {
                        let _ = writeln!(out, "{}", lang.t("step-help"));
                    }
                }
            }
            _ => {
                let _ = writeln!(out, "{}", lang.t("step-help"));
                show = false;
            }
        }
    }
}
