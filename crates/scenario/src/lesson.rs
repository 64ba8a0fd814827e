//! Lesson views of a run: what a step changed (from its events), the state of the processes a
//! step involves (from the kernel, as the step left it), and their drawings: Graphviz
//! (`kernsim run --format dot --at N`) and one self-contained HTML page (`--format html`).
//!
//! Cost follows the work: a step's diff is read off its events, and its frame holds only the
//! tables of the processes the step involves (the caller, and every process whose rows or life
//! changed) with the objects those rows point at.

use crate::load::Scenario;
use crate::render::{object_cell, pipe_state, table_caption, yn, Lang, TextRenderer, TABLE_COLUMNS};
use crate::runner::{Action, Names, Shown, Sink, StepTrace, Summary};
use kernsim_kernel::snapshot::{Detail, ObjectView, ProcessView};
use kernsim_kernel::{Address, Event, HandleValue, Kernel, ObjectKind, Pid, PipeState};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// What one step changed, read off its events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepDiff {
    /// Rows registered: (process, handle, object).
    pub rows_added: Vec<(Pid, HandleValue, Address)>,
    /// Rows removed: (process, handle, object).
    pub rows_removed: Vec<(Pid, HandleValue, Address)>,
    /// Rows whose flags changed: (process, handle, inherit, protect from close).
    pub flags_changed: Vec<(Pid, HandleValue, bool, bool)>,
    /// Objects whose usage count changed: (before, after) over the whole step.
    pub counts: BTreeMap<Address, (u32, u32)>,
    /// Pipe ends that changed state, with the state they ended in.
    pub pipe_states: BTreeMap<Address, PipeState>,
    /// Objects created in the step.
    pub created: Vec<(Address, ObjectKind)>,
    /// Objects destroyed in the step.
    pub destroyed: Vec<(Address, ObjectKind)>,
    /// Processes that started or exited in the step.
    pub processes: Vec<Pid>,
}

impl StepDiff {
    /// The diff of a step's events.
    pub fn of(events: &[Event]) -> StepDiff {
        let mut d = StepDiff::default();
        for e in events {
            match e {
                Event::RowAdded {
                    process_id,
                    handle,
                    object,
                    ..
                } => d.rows_added.push((*process_id, *handle, *object)),
                Event::RowRemoved {
                    process_id,
                    handle,
                    object,
                    ..
                } => d.rows_removed.push((*process_id, *handle, *object)),
                Event::FlagsChanged {
                    process_id,
                    handle,
                    inherit,
                    protect_from_close,
                    ..
                } => d
                    .flags_changed
                    .push((*process_id, *handle, *inherit, *protect_from_close)),
                Event::CountChanged {
                    object,
                    usage_count,
                    delta,
                    ..
                } => {
                    let before = usage_count.wrapping_sub(*delta as u32);
                    d.counts
                        .entry(*object)
                        .and_modify(|c| c.1 = *usage_count)
                        .or_insert((before, *usage_count));
                }
                Event::PipeStateChanged { object, state } => {
                    d.pipe_states.insert(*object, *state);
                }
                Event::ObjectCreated { object, kind, .. } => d.created.push((*object, *kind)),
                Event::ObjectDestroyed { object, kind } => d.destroyed.push((*object, *kind)),
                Event::ProcessStarted { process_id, .. } | Event::ProcessExited { process_id, .. } => {
                    d.processes.push(*process_id)
                }
                _ => {}
            }
        }
        // A count that came back to where it was is no change.
        d.counts.retain(|_, (before, after)| before != after);
        d
    }

    /// True when the step changed no row, count or pipe state.
    pub fn is_empty(&self) -> bool {
        self.rows_added.is_empty()
            && self.rows_removed.is_empty()
            && self.flags_changed.is_empty()
            && self.counts.is_empty()
            && self.pipe_states.is_empty()
    }

    /// Whether the step added process `pid`'s row `h` or changed its flags.
    pub fn changed(&self, pid: Pid, h: HandleValue) -> bool {
        self.rows_added.iter().any(|r| (r.0, r.1) == (pid, h))
            || self.flags_changed.iter().any(|f| (f.0, f.1) == (pid, h))
    }

    /// The processes whose tables or lives the step changed.
    pub fn pids(&self) -> BTreeSet<Pid> {
        let rows = self.rows_added.iter().chain(&self.rows_removed).map(|r| r.0);
        rows.chain(self.flags_changed.iter().map(|f| f.0))
            .chain(self.processes.iter().copied())
            .collect()
    }

    /// The diff worded, one line per change (`kinds` names the objects, `names` the
    /// processes).
    pub fn lines(&self, l: Lang, names: &Names, kinds: &BTreeMap<Address, ObjectKind>) -> Vec<String> {
        let obj = |a: &Address| match kinds.get(a) {
            Some(k) => format!("{} {a:#x}", k.name()),
            None => format!("{a:#x}"),
        };
        let who = |p: &Pid| names.get(p).cloned().unwrap_or_else(|| format!("pid {p}"));
        let mut out = Vec::new();
        for (p, h, o) in &self.rows_added {
            out.push(l.f("diff-row-added", &[("proc", &who(p)), ("handle", h), ("obj", &obj(o))]));
        }
        for (p, h, o) in &self.rows_removed {
            out.push(l.f(
                "diff-row-removed",
                &[("proc", &who(p)), ("handle", h), ("obj", &obj(o))],
            ));
        }
        for (p, h, inherit, protect) in &self.flags_changed {
            out.push(l.f(
                "diff-flags",
                &[
                    ("proc", &who(p)),
                    ("handle", h),
                    ("inherit", &yn(*inherit)),
                    ("protect", &yn(*protect)),
                ],
            ));
        }
        for (o, (before, after)) in &self.counts {
            let delta = i64::from(*after) - i64::from(*before);
            out.push(l.f(
                "diff-count",
                &[
                    ("obj", &obj(o)),
                    ("before", before),
                    ("after", after),
                    ("delta", &format!("{delta:+}")),
                ],
            ));
        }
        for (o, s) in &self.pipe_states {
            out.push(l.f("diff-pipe-state", &[("obj", &obj(o)), ("state", &pipe_state(l, *s))]));
        }
        out
    }
}

/// One process's table in a frame.
#[derive(Clone, Debug)]
pub struct FrameProcess {
    /// The scenario's name for it.
    pub name: String,
    /// Its state, with the rows drawn: those the step changed and the first
    /// [`Frame::MAX_ROWS`] (a page shows a lesson's tables whole, and a large table in part).
    pub view: ProcessView,
    /// How many rows the table has.
    pub total_rows: usize,
}

/// The state a step left, for the processes it involves.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The step (0: setup).
    pub step: usize,
    /// The involved processes, by pid.
    pub processes: Vec<FrameProcess>,
    /// The objects their rows point at, and the other ends of pipes among them.
    pub objects: BTreeMap<Address, ObjectView>,
    /// What the step changed.
    pub diff: StepDiff,
}

impl Frame {
    /// The most rows of one table a frame draws besides the rows the step changed.
    pub const MAX_ROWS: usize = 48;

    /// The frame of `trace` as `kernel` stands after it; `previous` are the processes the
    /// last frame showed, which stay on the page while they exist (a lesson's processes stay
    /// in view once they have acted).
    pub fn capture(trace: &StepTrace<'_>, names: &Names, kernel: &Kernel, previous: &BTreeSet<Pid>) -> Frame {
        let diff = StepDiff::of(&trace.events);
        let mut pids = diff.pids();
        match &trace.action {
            Action::Call { process_id, .. } | Action::Start { process_id, .. } => {
                pids.insert(*process_id);
            }
            Action::Show(Shown::Handles { tables, .. }) => pids.extend(tables.iter().map(|(_, v)| v.process_id)),
            _ => {}
        }
        pids.extend(previous.iter().copied());
        let processes: Vec<FrameProcess> = pids
            .iter()
            .filter_map(|p| kernel.process_view(*p))
            .map(|mut view| {
                let total_rows = view.handles.len();
                let pid = view.process_id;
                let mut kept = 0;
                view.handles.retain(|r| {
                    kept += 1;
                    kept <= Frame::MAX_ROWS || diff.changed(pid, r.handle)
                });
                FrameProcess {
                    name: names.get(&pid).cloned().unwrap_or_else(|| format!("pid {pid}")),
                    view,
                    total_rows,
                }
            })
            .collect();
        let mut objects = BTreeMap::new();
        for p in &processes {
            for row in &p.view.handles {
                if let Some(o) = kernel.object_view(row.object) {
                    objects.insert(row.object, o);
                }
            }
        }
        let peers: Vec<Address> = objects
            .values()
            .filter_map(|o| match &o.detail {
                Detail::Pipe { peer, .. } => *peer,
                Detail::MailslotClient { mailslot } => *mailslot,
                _ => None,
            })
            .collect();
        for a in peers {
            if let Some(o) = kernel.object_view(a) {
                objects.entry(a).or_insert(o);
            }
        }
        Frame {
            step: trace.step,
            processes,
            objects,
            diff,
        }
    }

    /// The pids shown.
    pub fn pids(&self) -> BTreeSet<Pid> {
        self.processes.iter().map(|p| p.view.process_id).collect()
    }

    /// The object's label: its kind with which end or whose process, and its name.
    fn label(&self, l: Lang, a: Address, names: &Names) -> String {
        let o = self.objects.get(&a);
        let kind = o.map_or(ObjectKind::Event, |o| o.kind);
        let short = |p: Pid| names.get(&p).cloned().unwrap_or_else(|| format!("pid {p}"));
        let mut s = object_cell(l, kind, o, &short);
        if let Some(n) = o.and_then(|o| o.name.as_ref()) {
            let _ = write!(s, " \"{n}\"");
        }
        s
    }

    /// The frame as a Graphviz digraph: a cluster per process with its rows (changed rows
    /// filled), an edge from each row to its object, objects with both counts, pipe ends
    /// joined.
    pub fn dot(&self, l: Lang, names: &Names) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "digraph step_{} {{", self.step);
        let _ = writeln!(out, "  rankdir=LR;");
        let _ = writeln!(out, "  node [fontname=\"monospace\" fontsize=11];");
        for p in &self.processes {
            let pid = p.view.process_id;
            let _ = writeln!(out, "  subgraph cluster_p{pid} {{");
            let _ = writeln!(out, "    label=\"{} (pid {pid})\";", dot_escape(&p.name));
            let mut table = String::new();
            let _ = write!(
                table,
                "<table border=\"0\" cellborder=\"1\" cellspacing=\"0\"><tr><td><b>{}</b></td><td><b>{}</b></td><td><b>{}</b></td></tr>",
                html_escape(l.t("handle")),
                html_escape(l.t("object-address")),
                html_escape(l.t("inherit"))
            );
            if p.view.handles.is_empty() {
                let _ = write!(table, "<tr><td colspan=\"3\">{}</td></tr>", html_escape(l.t("empty")));
            }
            for row in &p.view.handles {
                let fill = if self.diff.changed(pid, row.handle) {
                    " bgcolor=\"#ffe680\""
                } else {
                    ""
                };
                let _ = write!(
                    table,
                    "<tr><td{fill}>{}</td><td{fill}>{:#x}</td><td{fill} port=\"h{}\">{}</td></tr>",
                    row.handle,
                    row.object,
                    row.handle.0,
                    yn(row.inherit)
                );
            }
            table.push_str("</table>");
            let _ = writeln!(out, "    p{pid} [shape=plaintext label=<{table}>];");
            let _ = writeln!(out, "  }}");
        }
        for (a, o) in &self.objects {
            let bold = if self.diff.counts.contains_key(a) {
                " penwidth=2 color=\"#b07000\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  o{:x} [shape=box{bold} label=\"{}\\n{:#x}\\n{} {} · {} {}\"];",
                a.0,
                dot_escape(&self.label(l, *a, names)),
                a,
                dot_escape(l.t("usage-count")),
                o.usage_count,
                dot_escape(l.t("handles")),
                o.handle_count
            );
        }
        for p in &self.processes {
            for row in &p.view.handles {
                let _ = writeln!(
                    out,
                    "  p{}:h{} -> o{:x};",
                    p.view.process_id, row.handle.0, row.object.0
                );
            }
        }
        for (a, o) in &self.objects {
            if let Detail::Pipe { peer: Some(peer), .. } = &o.detail {
                if a < peer && self.objects.contains_key(peer) {
                    let _ = writeln!(
                        out,
                        "  o{:x} -> o{:x} [dir=both style=dashed label=\"pipe\"];",
                        a.0, peer.0
                    );
                }
            }
        }
        out.push_str("}\n");
        out
    }

    /// The frame as inline SVG: processes on the left with their rows, objects on the right
    /// with both counts, a line from each row to its object, pipe ends joined by an arc.
    pub fn svg(&self, l: Lang, names: &Names) -> String {
        const ROW: i64 = 22;
        const PW: i64 = 250;
        const OX: i64 = 420;
        const OW: i64 = 340;
        const OH: i64 = 58;
        let mut out = String::new();
        // Each drawn row's object and height, for its line to the object.
        let mut rows_y: Vec<(Address, i64)> = Vec::new();
        let mut body = String::new();
        let mut y = 10;
        for p in &self.processes {
            let pid = p.view.process_id;
            let h = ROW * (p.view.handles.len().max(1) as i64) + 30;
            let exited = p.view.exit_code.is_some();
            let _ = write!(
                body,
                "<g class=\"proc\" data-pid=\"{pid}\"><rect x=\"10\" y=\"{y}\" width=\"{PW}\" height=\"{h}\" rx=\"6\" class=\"{}\"/><text x=\"20\" y=\"{}\" class=\"title\">{} (pid {pid})</text>",
                if exited { "box exited" } else { "box" },
                y + 18,
                html_escape(&p.name)
            );
            let mut ry = y + 30;
            for row in &p.view.handles {
                let changed = self.diff.changed(pid, row.handle);
                let _ = write!(
                    body,
                    "<g class=\"row{}\" data-handle=\"{}\" data-object=\"{}\"><rect x=\"14\" y=\"{}\" width=\"{}\" height=\"{}\"/><text x=\"22\" y=\"{}\">{} → {:#x}  {} {}</text></g>",
                    if changed { " changed" } else { "" },
                    row.handle.0,
                    row.object.0,
                    ry,
                    PW - 8,
                    ROW - 2,
                    ry + 15,
                    row.handle,
                    row.object,
                    html_escape(l.t("inherit")),
                    yn(row.inherit)
                );
                rows_y.push((row.object, ry + ROW / 2));
                ry += ROW;
            }
            body.push_str("</g>");
            y += h + 14;
        }
        let mut obj_y = BTreeMap::new();
        let mut oy = 10;
        for (a, o) in &self.objects {
            let changed = self.diff.counts.contains_key(a);
            let state = match &o.detail {
                Detail::Pipe { state, .. } => format!(" · {}", pipe_state(l, *state)),
                _ => String::new(),
            };
            let _ = write!(
                body,
                "<g class=\"obj{}\" data-object=\"{}\" data-usage=\"{}\" data-handles=\"{}\"><rect x=\"{OX}\" y=\"{oy}\" width=\"{OW}\" height=\"{OH}\" rx=\"4\" class=\"box\"/><text x=\"{}\" y=\"{}\" class=\"title\">{}</text><text x=\"{}\" y=\"{}\">{:#x}{}</text><text x=\"{}\" y=\"{}\" class=\"counts\">{} {} · {} {}</text></g>",
                if changed { " changed" } else { "" },
                a.0,
                o.usage_count,
                o.handle_count,
                OX + 10,
                oy + 17,
                html_escape(&self.label(l, *a, names)),
                OX + 10,
                oy + 33,
                a,
                html_escape(&state),
                OX + 10,
                oy + 50,
                html_escape(l.t("usage-count")),
                o.usage_count,
                html_escape(l.t("handles")),
                o.handle_count
            );
            obj_y.insert(*a, oy + OH / 2);
            oy += OH + 12;
        }
        let mut lines = String::new();
        for (a, ry) in &rows_y {
            if let Some(target) = obj_y.get(a) {
                let _ = write!(
                    lines,
                    "<line x1=\"{}\" y1=\"{ry}\" x2=\"{OX}\" y2=\"{target}\" class=\"edge\"/>",
                    10 + PW
                );
            }
        }
        for (a, o) in &self.objects {
            if let Detail::Pipe { peer: Some(peer), .. } = &o.detail {
                if let (true, Some(y1), Some(y2)) = (a < peer, obj_y.get(a), obj_y.get(peer)) {
                    let x = OX + OW;
                    let _ = write!(
                        lines,
                        "<path d=\"M {x} {y1} C {} {y1}, {} {y2}, {x} {y2}\" class=\"pipe\"/>",
                        x + 40,
                        x + 40
                    );
                }
            }
        }
        let height = y.max(oy) + 10;
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 {} {height}\" width=\"{}\" height=\"{height}\" role=\"img\">{lines}{body}</svg>",
            OX + OW + 50,
            OX + OW + 50
        );
        out
    }
}

/// The named-pipe instance state on the four-state diagram, the current state filled.
fn pipe_state_svg(l: Lang, current: PipeState) -> String {
    let states = [
        PipeState::Disconnected,
        PipeState::Listening,
        PipeState::Connected,
        PipeState::Closing,
    ];
    let mut out = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"states\" viewBox=\"0 0 640 60\" width=\"640\" height=\"60\">",
    );
    for (i, s) in states.iter().enumerate() {
        let x = 10 + i as i64 * 158;
        let on = *s == current;
        let _ = write!(
            out,
            "<g class=\"state{}\" data-state=\"{s:?}\"><rect x=\"{x}\" y=\"10\" width=\"130\" height=\"36\" rx=\"18\"/><text x=\"{}\" y=\"33\" text-anchor=\"middle\">{}</text></g>",
            if on { " current" } else { "" },
            x + 65,
            html_escape(short_state(l, *s))
        );
        if i + 1 < states.len() {
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"28\" x2=\"{}\" y2=\"28\" class=\"edge\"/>",
                x + 130,
                x + 158
            );
        }
    }
    out.push_str("</svg>");
    out
}

fn short_state(l: Lang, s: PipeState) -> &'static str {
    match s {
        PipeState::Listening => l.t("listening"),
        PipeState::Connected => l.t("connected"),
        PipeState::Closing => l.t("page-closing"),
        PipeState::Disconnected => l.t("disconnected"),
    }
}

/// `&`, `<`, `>` and quotes escaped for HTML text and attributes.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Writes one step's diagram in Graphviz (`--format dot --at N`): the sink keeps only the
/// frame of step `at`.
pub struct DotSink {
    lang: Lang,
    at: usize,
    previous: BTreeSet<Pid>,
    /// The diagram, once step `at` ran.
    pub out: Option<String>,
}

impl DotSink {
    /// A sink that draws step `at` (0: the setup).
    pub fn new(lang: Lang, at: usize) -> DotSink {
        DotSink {
            lang,
            at,
            previous: BTreeSet::new(),
            out: None,
        }
    }
}

impl<'a> Sink<'a> for DotSink {
    fn step(&mut self, _: StepTrace<'a>, _: &Names) {}

    fn step_in(&mut self, trace: StepTrace<'a>, names: &Names, kernel: &Kernel) {
        if trace.step > self.at || self.out.is_some() {
            return;
        }
        let frame = Frame::capture(&trace, names, kernel, &self.previous);
        self.previous = frame.pids();
        if trace.step == self.at {
            self.out = Some(frame.dot(self.lang, names));
        }
    }
}

/// Writes the lesson page (`--format html`): one self-contained HTML file, written step by
/// step as the run hands them over.
pub struct PageSink {
    lang: Lang,
    text: TextRenderer,
    previous: BTreeSet<Pid>,
    steps: usize,
    /// What has been written and not yet taken.
    pub out: String,
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fafafa}\
h1{font-size:1.4em}nav{position:sticky;top:0;background:#fafafa;padding:.5em 0;display:flex;gap:.6em;align-items:center;border-bottom:1px solid #ccc}\
nav button{font-size:1em;padding:.2em .8em}#slider{flex:1}section.step h2{font-size:1.1em}\
pre.narration{background:#fff;border:1px solid #ddd;padding:.6em;white-space:pre-wrap;font-size:.85em}\
table.handles{border-collapse:collapse;margin:.4em 0 1em;font-family:monospace}\
table.handles td,table.handles th{border:1px solid #999;padding:.15em .6em}table.handles th{background:#eee}\
tr.changed td{background:#ffe680}caption{text-align:left;font-weight:bold;padding:.2em 0}\
ul.diff{font-family:monospace;font-size:.9em}div.blocked{border-left:4px solid #c80;background:#fff6e0;padding:.3em .8em}div.blocked pre{white-space:pre-wrap;font-size:.85em}svg text{font-family:monospace;font-size:12px}\
svg .box{fill:#fff;stroke:#555}svg .exited{fill:#eee;stroke-dasharray:4 3}svg .title{font-weight:bold}\
svg .row rect{fill:#f4f7ff;stroke:none}svg .row.changed rect{fill:#ffe680}svg .obj.changed .box{stroke:#b07000;stroke-width:3}\
svg .edge{stroke:#777;stroke-width:1.2}svg .pipe{fill:none;stroke:#2a6;stroke-width:2;stroke-dasharray:6 3}\
svg.states rect{fill:#fff;stroke:#555}svg.states .current rect{fill:#2a6}svg.states .current text{fill:#fff;font-weight:bold}";

const SCRIPT: &str = "(function(){var s=document.querySelectorAll('section.step'),n=s.length,cur=0,\
sl=document.getElementById('slider'),lab=document.getElementById('where');\
function show(i,push){if(i<0)i=0;if(i>=n)i=n-1;cur=i;for(var k=0;k<n;k++){s[k].hidden=(k!==i);}\
sl.value=i;lab.textContent=s[i].getAttribute('data-label');if(push!==false){history.replaceState(null,'','#step-'+s[i].getAttribute('data-step'));}}\
function fromHash(){var m=/^#step-(\\d+)$/.exec(location.hash);if(!m)return 0;for(var k=0;k<n;k++){if(s[k].getAttribute('data-step')===m[1])return k;}return 0;}\
document.getElementById('prev').onclick=function(){show(cur-1);};document.getElementById('next').onclick=function(){show(cur+1);};\
sl.oninput=function(){show(parseInt(sl.value,10));};\
document.addEventListener('keydown',function(e){if(e.key==='ArrowRight'){show(cur+1);}else if(e.key==='ArrowLeft'){show(cur-1);}});\
window.addEventListener('hashchange',function(){show(fromHash(),false);});sl.max=n-1;show(fromHash(),false);})();";

impl PageSink {
    /// A page for `scenario` in `lang`: the head, the title and notes, the navigation.
    pub fn new(scenario: &Scenario, lang: Lang) -> PageSink {
        let l = lang;
        let title = scenario.title.get(l.id());
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
            l.id(),
            html_escape(title),
            html_escape(title)
        );
        if let Some(src) = &scenario.source {
            let _ = writeln!(
                out,
                "<p class=\"source\">{} {}</p>",
                html_escape(l.t("source")),
                html_escape(src.get(l.id()))
            );
        }
        if let Some(d) = &scenario.description {
            let _ = writeln!(out, "<p class=\"description\">{}</p>", html_escape(d.get(l.id())));
        }
        let _ = writeln!(
            out,
            "<nav><button id=\"prev\" type=\"button\">◀ {}</button><input id=\"slider\" type=\"range\" min=\"0\" value=\"0\" aria-label=\"{}\"><span id=\"where\"></span><button id=\"next\" type=\"button\">{} ▶</button></nav>",
            html_escape(l.t("page-prev")),
            html_escape(l.t("step")),
            html_escape(l.t("page-next"))
        );
        PageSink {
            lang,
            text: TextRenderer::new(scenario, lang),
            previous: BTreeSet::new(),
            steps: 0,
            out,
        }
    }

    /// Takes what was written so far.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// Closes the page: the run's end, the script.
    pub fn finish(&mut self, summary: &Summary<'_>) {
        self.text.take();
        self.text.summary(summary);
        let end = self.text.take();
        let _ = writeln!(
            self.out,
            "<footer><pre class=\"narration\">{}</pre></footer>\n<script>{SCRIPT}</script>\n</body></html>",
            html_escape(end.trim())
        );
    }

    fn section(&mut self, trace: &StepTrace<'_>, names: &Names, kernel: &Kernel) {
        let l = self.lang;
        self.text.step(trace, names);
        let narration = self.text.take();
        let frame = Frame::capture(trace, names, kernel, &self.previous);
        self.previous = frame.pids();
        let label = if trace.step == 0 {
            l.t("setup").to_string()
        } else {
            format!("{} {}", l.t("step"), trace.step)
        };
        let out = &mut self.out;
        let _ = write!(
            out,
            "<section class=\"step\" id=\"s{}\" data-step=\"{}\" data-label=\"{}\" hidden>",
            self.steps,
            trace.step,
            html_escape(&label)
        );
        self.steps += 1;
        let _ = write!(out, "<h2>{}</h2>", html_escape(&label));
        // The narration opens with "[step N] note"; the note is shown as the step's text.
        let mut narration = narration.trim_start();
        if let Some(note) = trace.note {
            let _ = write!(out, "<p class=\"note\">{}</p>", html_escape(note.get(l.id())));
            narration = narration.split_once('\n').map_or("", |(_, rest)| rest);
        }
        let _ = write!(
            out,
            "<pre class=\"narration\">{}</pre>",
            html_escape(narration.trim_end())
        );
        let why = self.text.explanation(trace, names);
        if !why.trim().is_empty() {
            let _ = write!(
                out,
                "<div class=\"blocked\"><p>{}</p><pre>{}</pre></div>",
                html_escape(l.t("page-blocked")),
                html_escape(why.trim_end())
            );
        }
        let kinds: BTreeMap<Address, ObjectKind> = frame.objects.iter().map(|(a, o)| (*a, o.kind)).collect();
        let diff = frame.diff.lines(l, names, &kinds);
        if !diff.is_empty() {
            let _ = write!(out, "<ul class=\"diff\">");
            for d in diff {
                let _ = write!(out, "<li>{}</li>", html_escape(&d));
            }
            let _ = write!(out, "</ul>");
        }
        for p in &frame.processes {
            let v = &p.view;
            let _ = write!(
                out,
                "<table class=\"handles\" data-pid=\"{}\" data-total=\"{}\"><caption>{}</caption><tr>",
                v.process_id,
                p.total_rows,
                html_escape(&table_caption(l, &p.name, v))
            );
            for k in TABLE_COLUMNS {
                let _ = write!(out, "<th>{}</th>", html_escape(l.t(k)));
            }
            out.push_str("</tr>");
            for row in &v.handles {
                let o = frame.objects.get(&row.object);
                let _ = write!(
                    out,
                    "<tr class=\"{}\" data-handle=\"{}\" data-object=\"{}\" data-inherit=\"{}\" data-usage=\"{}\"><td>{}</td><td>{:#x}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    if frame.diff.changed(v.process_id, row.handle) { "changed" } else { "" },
                    row.handle.0,
                    row.object.0,
                    u8::from(row.inherit),
                    o.map_or(0, |o| o.usage_count),
                    row.handle,
                    row.object,
                    yn(row.inherit),
                    html_escape(&frame.label(l, row.object, names)),
                    o.map_or("?".to_string(), |o| o.usage_count.to_string())
                );
            }
            if v.handles.is_empty() {
                let _ = write!(out, "<tr><td colspan=\"5\">{}</td></tr>", html_escape(l.t("empty")));
            }
            if p.total_rows > v.handles.len() {
                let more = p.total_rows - v.handles.len();
                let _ = write!(
                    out,
                    "<tr class=\"more\"><td colspan=\"5\">{}</td></tr>",
                    html_escape(&l.f("page-more-rows", &[("n", &more)]))
                );
            }
            out.push_str("</table>");
        }
        out.push_str(&frame.svg(l, names));
        for (a, o) in &frame.objects {
            if let Detail::Pipe {
                anonymous: false,
                server: true,
                state,
                ..
            } = &o.detail
            {
                let _ = write!(
                    out,
                    "<div class=\"pipe-state\" data-object=\"{}\"><p>{} {a:#x}</p>{}</div>",
                    a.0,
                    html_escape(l.t("page-pipe-state")),
                    pipe_state_svg(l, *state)
                );
            }
        }
        out.push_str("</section>\n");
    }
}

impl<'a> Sink<'a> for PageSink {
    fn step(&mut self, _: StepTrace<'a>, _: &Names) {}

    fn step_in(&mut self, trace: StepTrace<'a>, names: &Names, kernel: &Kernel) {
        self.section(&trace, names, kernel);
    }
}
