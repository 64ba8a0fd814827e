//! The `kernsim` command: narrate a scenario (`run`), test scenarios (`check`), print the
//! scenario JSON Schema (`schema`), or open the virtual command prompt (`shell`). No model
//! logic lives here: it parses arguments, calls the library, prints, and maps outcomes to exit
//! codes (0 ok, 1 a failed expectation, 2 unusable input).

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use kernsim::shell;
use kernsim_kernel::Kernel;
use kernsim_scenario::lesson::{DotSink, PageSink};
use kernsim_scenario::render::{failure, run_problem};
use kernsim_scenario::{
    load_file, run_with, Discard, JsonRenderer, Lang, MemoryBudget, Names, RunOptions, Sink, StepTrace, TextRenderer,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes a line to stdout. A closed stdout (`kernsim check scenarios/ | head`) ends the
/// command quietly, as a reader that stopped reading asks, instead of a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// The global allocator, counting the bytes in use so that a run can be held to a memory
/// budget (`KERNSIM_MEMORY_MB`) and end with exit 2 instead of being killed.
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// The default memory budget, in MiB.
const DEFAULT_MEMORY_MB: usize = 4096;

/// The budget from `KERNSIM_MEMORY_MB` (MiB; 0: none), or the default.
fn memory_budget() -> Result<Option<MemoryBudget>, String> {
    let mb = match std::env::var("KERNSIM_MEMORY_MB") {
        Err(_) => DEFAULT_MEMORY_MB,
        Ok(v) => v
            .trim()
            .parse::<usize>()
            .map_err(|_| lang_of_args().f("cli-memory-variable", &[("value", &format!("{v:?}"))]))?,
    };
    Ok((mb > 0).then(|| MemoryBudget {
        in_use: || ALLOCATOR.allocated(),
        limit: mb.saturating_mul(1 << 20),
    }))
}

#[derive(Parser)]
#[command(
    name = "kernsim",
    version = concat!(env!("CARGO_PKG_VERSION"), " (scenario format_version 1)"),
    about = "A deterministic simulator of Windows-style kernel objects, handle tables and IPC"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

use kernsim::parse_lang;

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    /// One self-contained lesson page (no network, no external file).
    Html,
    /// The diagram of one step (`--at N`) in Graphviz.
    Dot,
}

#[derive(Subcommand)]
enum Command {
    /// Narrate a scenario: each call, its result, the notes and the handle tables.
    Run {
        /// The scenario file.
        file: PathBuf,
        /// Language of the narration.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
        /// `text` for people, `json` for one JSON object per line, `html` for a lesson page,
        /// `dot` for the Graphviz diagram of one step (`--at`).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Leave out the leak report at the end (handles never used since they were made).
        #[arg(long)]
        no_leaks: bool,
        /// After each step, what it changed: rows added and removed, counts, pipe states.
        #[arg(long)]
        diff: bool,
        /// The step `--format dot` draws (0: the setup; default: the last step).
        #[arg(long)]
        at: Option<usize>,
        /// One step at a time: Enter next, `b` back, `g N` go to step N, `s WHAT` show, `q`.
        #[arg(long)]
        step: bool,
    },
    /// Run scenario files or folders of them as tests: a line each and a summary.
    Check {
        /// Files or folders (searched for *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Recompute every invariant after every step (default: what each step touched, and
        /// everything after the last step).
        #[arg(long)]
        paranoid: bool,
        /// Language of the failure messages.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
    },
    /// A seeded problem generated from the model: the calls, then questions on what they do.
    Quiz(kernsim::quiz::QuizOptions),
    /// Print the JSON Schema of scenario files.
    Schema {
        /// Print instead the schema of one line of a JSON trace (`run --format json`).
        #[arg(long)]
        output: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these definitions.
    Man,
    /// Print the terms of the lessons with their Win32 names (`--lang ko`: the Korean terms
    /// of the source note).
    Glossary {
        /// Language of the glossary.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
    },
    /// The book's command prompt (start, lp, kp, ...) running on the virtual OS.
    Shell {
        /// Language of the output.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
        /// Save the session as a scenario file when the shell ends.
        #[arg(long)]
        save: Option<PathBuf>,
    },
}

/// The help texts in `lang` (English is the doc comments themselves): every subcommand's and
/// argument's help from the catalog, keyed `cli-help-<command>` and
/// `cli-help-<command>-<argument>`; a key the catalog lacks keeps the English text.
fn localized_command(lang: Lang) -> clap::Command {
    let cmd = with_examples(Cli::command(), lang);
    if lang == Lang::En {
        return cmd;
    }
    let keys: Vec<String> = lang.keys().to_vec();
    let has = |k: &str| keys.iter().any(|x| x == k);
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    let mut cmd = cmd.about(lang.t("cli-help-about"));
    for name in names {
        let key = format!("cli-help-{name}");
        let key: &'static str = Box::leak(key.into_boxed_str());
        cmd = cmd.mut_subcommand(&name, |mut sub| {
            if has(key) {
                sub = sub.about(lang.t(key));
            }
            // clap's own frame words: the usage line and the section headings.
            sub = sub
                .help_template(lang.t("cli-help-template"))
                .disable_help_flag(true)
                .arg(
                    clap::Arg::new("help")
                        .short('h')
                        .long("help")
                        .action(clap::ArgAction::Help)
                        .help(lang.t("cli-help-help")),
                );
            let args: Vec<String> = sub.get_arguments().map(|a| a.get_id().to_string()).collect();
            for arg in args {
                let akey: &'static str = Box::leak(format!("{key}-{arg}").into_boxed_str());
                let positional = sub
                    .get_arguments()
                    .find(|a| a.get_id() == arg.as_str())
                    .is_some_and(|a| a.is_positional());
                let heading = lang.t(if positional {
                    "cli-help-arguments"
                } else {
                    "cli-help-options"
                });
                sub = sub.mut_arg(&arg, |a| {
                    let mut help = if has(akey) {
                        lang.t(akey).to_string()
                    } else {
                        a.get_help().map(ToString::to_string).unwrap_or_default()
                    };
                    // Flags (no value) show neither: clap lists them only for arguments with values.
                    let takes = a.get_action().takes_values();
                    let defaults: Vec<String> = if takes {
                        a.get_default_values()
                            .iter()
                            .map(|v| v.to_string_lossy().into_owned())
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let values: Vec<String> = if takes {
                        a.get_possible_values()
                            .iter()
                            .map(|v| v.get_name().to_string())
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let mut a = a.help_heading(heading);
                    if !defaults.is_empty() {
                        help += &lang.f("cli-help-default", &[("value", &defaults.join(", "))]);
                        a = a.hide_default_value(true);
                    }
                    if !values.is_empty() {
                        help += &lang.f("cli-help-values", &[("values", &values.join(", "))]);
                        a = a.hide_possible_values(true);
                    }
                    a.help(help)
                });
            }
            sub
        });
    }
    cmd
}

/// Each subcommand's `--help` ends with an example (`cli-example-<command>` in the catalog).
fn with_examples(cmd: clap::Command, lang: Lang) -> clap::Command {
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    let mut cmd = cmd;
    for name in names {
        let key: &'static str = Box::leak(format!("cli-example-{name}").into_boxed_str());
        let text = lang.t(key);
        if text != key {
            cmd = cmd.mut_subcommand(&name, |sub| sub.after_help(text));
        }
    }
    cmd
}

/// The `--lang` value on the command line, read before parsing so that `--help` speaks it.
fn lang_of_args() -> Lang {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2)
        .find(|w| w[0] == "--lang")
        .map(|w| w[1].clone())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--lang=").map(str::to_string)))
        .and_then(|id| Lang::from_id(&id))
        .unwrap_or(Lang::En)
}

fn main() -> ExitCode {
    let matches = localized_command(lang_of_args()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let memory = match memory_budget() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{}: {e}", lang_of_args().t("cli-error"));
            return ExitCode::from(2);
        }
    };
    let code = match cli.command {
        Command::Run {
            file,
            lang,
            format,
            no_leaks,
            diff,
            at,
            step,
        } => {
            let options = RunOptions {
                memory,
                leaks: !no_leaks,
                ..RunOptions::default()
            };
            if step {
                let stdin = std::io::stdin();
                kernsim::stepper::main(&file, lang, diff, options, &mut stdin.lock(), &mut std::io::stdout())
            } else if format == Format::Dot {
                dot(&file, lang, at, options)
            } else {
                run_one(&file, lang, format, diff, options)
            }
        }
        Command::Check { paths, paranoid, lang } => check(&paths, paranoid, memory, lang),
        Command::Quiz(options) => {
            use std::io::IsTerminal;
            let stdin = std::io::stdin();
            let interactive = stdin.is_terminal();
            kernsim::quiz::main(&options, &mut stdin.lock(), &mut std::io::stdout(), interactive)
        }
        Command::Glossary { lang } => {
            say!("{}", lang.t("glossary"));
            0
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "kernsim", &mut out);
            say!("{}", String::from_utf8_lossy(&out).trim_end());
            0
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(with_examples(Cli::command(), Lang::En)).render(&mut out) {
                Ok(()) => {
                    say!("{}", String::from_utf8_lossy(&out).trim_end());
                    0
                }
                Err(e) => {
                    eprintln!("{}: {e}", Lang::En.t("cli-error"));
                    2
                }
            }
        }
        Command::Schema { output } => {
            if output {
                say!("{}", kernsim_scenario::schema::output_schema_json());
            } else {
                say!("{}", kernsim_scenario::schema::schema_json());
            }
            0
        }
        Command::Shell { lang, save } => shell::main(lang, save.as_deref(), memory),
    };
    ExitCode::from(code)
}

/// A renderer writing each step to stdout as the run hands it over, then dropping it. A
/// closed stdout (`kernsim run ... | head`) stops the writing quietly.
struct Streaming<W: Write> {
    renderer: Renderer,
    out: W,
    closed: bool,
    /// Colours for a person at a terminal (`None`: plain, as for JSON).
    colors: Option<Colors>,
}

/// Colours for the lines that matter at a glance: a check that held, one that failed, a call
/// that blocks or a deadlock. Written as ANSI codes through `anstream`, which drops them when
/// stdout is not a terminal or `NO_COLOR` is set; the renderers themselves stay plain.
struct Colors {
    ok: &'static str,
    failed: &'static str,
    blocked: [&'static str; 3],
}

impl Colors {
    fn new(lang: Lang) -> Colors {
        Colors {
            ok: lang.t("ok"),
            failed: lang.t("failed"),
            blocked: [
                lang.t("blocks-the-thread-is-parked-until-the-call-can-c"),
                lang.t("deadlock-no-thread-can-run-and-no-timeout-is-pen"),
                lang.t("is-blocked-in"),
            ],
        }
    }

    fn paint(&self, text: &str) -> String {
        use anstyle::{AnsiColor, Style};
        let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
        let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
        let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive('\n') {
            let body = line.trim_start();
            let style = if body.starts_with(self.ok) {
                Some(green)
            } else if body.starts_with(self.failed) {
                Some(red)
            } else if self.blocked.iter().any(|b| line.contains(b)) {
                Some(yellow)
            } else {
                None
            };
            match style {
                Some(s) => {
                    let (content, end) = line.strip_suffix('\n').map_or((line, ""), |c| (c, "\n"));
                    out.push_str(&format!("{}{content}{}{end}", s.render(), s.render_reset()));
                }
                None => out.push_str(line),
            }
        }
        out
    }
}

enum Renderer {
    Text(TextRenderer),
    Json(JsonRenderer),
    Page(PageSink),
}

impl Renderer {
    fn take(&mut self) -> String {
        match self {
            Renderer::Text(r) => r.take(),
            Renderer::Json(r) => r.take(),
            Renderer::Page(r) => r.take(),
        }
    }
}

impl<W: Write> Streaming<W> {
    fn flush(&mut self) {
        let mut text = self.renderer.take();
        if let Some(c) = &self.colors {
            text = c.paint(&text);
        }
        if !self.closed && self.out.write_all(text.as_bytes()).is_err() {
            self.closed = true;
        }
    }
}

impl<'a, W: Write> Sink<'a> for Streaming<W> {
    fn step(&mut self, trace: StepTrace<'a>, names: &Names) {
        match &mut self.renderer {
            Renderer::Text(r) => r.step(&trace, names),
            Renderer::Json(r) => r.step(&trace),
            Renderer::Page(_) => unreachable!("a page is written by step_in"),
        }
        self.flush();
    }

    fn step_in(&mut self, trace: StepTrace<'a>, names: &Names, kernel: &Kernel) {
        match &mut self.renderer {
            Renderer::Page(p) => {
                p.step_in(trace, names, kernel);
                self.flush();
            }
            _ => self.step(trace, names),
        }
    }
}

/// `run --format dot`: the diagram of step `at` (default: the last).
fn dot(file: &Path, lang: Lang, at: Option<usize>, options: RunOptions) -> u8 {
    let Some(scenario) = load_or_report(file, lang) else {
        return 2;
    };
    let last = scenario.steps.len();
    let at = at.unwrap_or(last);
    if at > last {
        let msg = lang.f("cli-no-such-step", &[("at", &at), ("last", &last)]);
        eprintln!("{}: {msg}", lang.t("cli-error"));
        return 2;
    }
    let mut sink = DotSink::new(lang, at);
    let summary = run_with(&scenario, options, &mut sink);
    match sink.out {
        Some(d) => {
            say!("{}", d.trim_end());
            u8::from(!summary.passed())
        }
        None => {
            if let Some(e) = &summary.error {
                report_run_error(lang, &scenario, e);
            }
            2
        }
    }
}

fn run_one(file: &Path, lang: Lang, format: Format, diff: bool, options: RunOptions) -> u8 {
    let Some(scenario) = load_or_report(file, lang) else {
        return 2;
    };
    let renderer = match format {
        Format::Text if diff => Renderer::Text(TextRenderer::new(&scenario, lang).with_diff()),
        Format::Text | Format::Dot => Renderer::Text(TextRenderer::new(&scenario, lang)),
        Format::Json => Renderer::Json(JsonRenderer::new(&scenario)),
        Format::Html => Renderer::Page(PageSink::new(&scenario, lang)),
    };
    let colors = matches!(format, Format::Text).then(|| Colors::new(lang));
    let mut sink = Streaming {
        renderer,
        out: std::io::BufWriter::new(anstream::AutoStream::auto(std::io::stdout().lock())),
        closed: false,
        colors,
    };
    sink.flush();
    let summary = run_with(&scenario, options, &mut sink);
    match &mut sink.renderer {
        Renderer::Text(r) => r.summary(&summary),
        Renderer::Json(r) => r.summary(&summary),
        Renderer::Page(r) => r.finish(&summary),
    }
    sink.flush();
    let _ = sink.out.flush();
    if let Some(e) = &summary.error {
        report_run_error(lang, &scenario, e);
        return 2;
    }
    u8::from(!summary.passed())
}

/// The scenario, or `None` after its load error was written to stderr.
fn load_or_report(file: &Path, lang: Lang) -> Option<kernsim_scenario::Scenario> {
    load_file(file)
        .map_err(|e| eprintln!("{}: {}", lang.t("cli-error"), e.localized(lang)))
        .ok()
}

/// A run that stopped early, on stderr: where (file, line, step) and why.
fn report_run_error(lang: Lang, scenario: &kernsim_scenario::Scenario, e: &kernsim_scenario::RunError<'_>) {
    let at = lang.f(
        "cli-error-at",
        &[("file", &scenario.file), ("line", &e.line), ("step", &e.step)],
    );
    eprintln!("{}: {at}: {}", lang.t("cli-error"), run_problem(lang, &e.problem));
}

/// Every *.json under `path` (or `path` itself), sorted.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || entry.extension().is_some_and(|e| e == "json") {
                collect(&entry, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn check(paths: &[PathBuf], paranoid: bool, memory: Option<MemoryBudget>, lang: Lang) -> u8 {
    let mut files = Vec::new();
    for p in paths {
        if let Err(e) = collect(p, &mut files) {
            eprintln!("{}: {}: {e}", lang.t("cli-error"), p.display());
            return 2;
        }
    }
    // The status words are columns a script may read: fixed, not translated.
    let at = |step: usize, line: usize| lang.f("check-at", &[("step", &step), ("line", &line)]);
    let (mut passed, mut failed, mut unusable) = (0, 0, 0);
    for file in &files {
        let scenario = match load_file(file) {
            Ok(s) => s,
            Err(e) => {
                say!("ERROR {}", file.display());
                say!("    {}", e.localized(lang));
                unusable += 1;
                continue;
            }
        };
        let options = RunOptions {
            paranoid,
            memory,
            ..RunOptions::default()
        };
        let result = run_with(&scenario, options, &mut Discard);
        let checks = result.checks;
        if let Some(e) = &result.error {
            say!("ERROR {}", file.display());
            say!("    {}: {}", at(e.step, e.line), run_problem(lang, &e.problem));
            unusable += 1;
        } else if result.passed() {
            let counts = lang.f("check-counts", &[("steps", &scenario.steps.len()), ("checks", &checks)]);
            say!("ok    {} ({counts})", file.display());
            passed += 1;
        } else {
            say!("FAIL  {}", file.display());
            for f in &result.failures {
                say!("    {}: {}", at(f.step, f.line), failure(lang, &f.check));
            }
            failed += 1;
        }
    }
    say!(
        "{}",
        lang.f("check-total", &[("passed", &passed), ("failed", &(failed + unusable))])
    );
    if unusable > 0 {
        2
    } else {
        u8::from(failed > 0)
    }
}
