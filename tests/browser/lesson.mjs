// Drives one lesson page (kernsim run --format html) in headless Chromium with playwright-core:
// clicks through every step, compares each step's handle tables and the diagram's objects and
// counts with a state rebuilt independently from the JSON trace of the same run (its events),
// checks deep links and arrow keys, that nothing is fetched and nothing is logged as an error,
// and saves a screenshot of one step.
//
// usage: node lesson.mjs PAGE.html TRACE.jsonl SCREENSHOT.png SCREENSHOT_STEP
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [pagePath, tracePath, shotPath, shotStep] = process.argv.slice(2);
const failures = [];
const fail = (msg) => failures.push(msg);

// The state after each step, from the trace's events alone.
const tables = new Map(); // pid -> Map(handle -> {object, inherit})
const counts = new Map(); // object -> {usage, handles}
const frames = [];
for (const line of readFileSync(tracePath, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const t = JSON.parse(line);
  if (t.type !== 'step') continue;
  for (const e of t.events) {
    switch (e.event) {
      case 'RowAdded': {
        if (!tables.has(e.process_id)) tables.set(e.process_id, new Map());
        tables.get(e.process_id).set(e.handle, { object: e.object, inherit: e.inherit });
        break;
      }
      case 'RowRemoved':
        tables.get(e.process_id)?.delete(e.handle);
        break;
      case 'FlagsChanged': {
        // A new row value: earlier frames keep the flags they had.
        const rows = tables.get(e.process_id);
        rows.set(e.handle, { ...rows.get(e.handle), inherit: e.inherit });
        break;
      }
      case 'CountChanged':
        counts.set(e.object, { usage: e.usage_count, handles: e.handle_count });
        break;
      case 'ObjectDestroyed':
        counts.delete(e.object);
        break;
    }
  }
  frames.push({
    step: t.step,
    tables: new Map([...tables].map(([pid, rows]) => [pid, new Map(rows)])),
    counts: new Map(counts),
  });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
const url = pathToFileURL(pagePath).href;
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') fail(`console ${m.type()}: ${m.text()}`); });
page.on('pageerror', (e) => fail(`page error: ${e.message}`));
page.on('request', (r) => { if (!r.url().startsWith(url.split('#')[0])) fail(`network request: ${r.url()}`); });

await page.goto(url);
const sections = await page.locator('section.step').count();
if (sections !== frames.length) fail(`${sections} sections, ${frames.length} steps in the trace`);

async function visible() {
  return page.evaluate(() => {
    const shown = [...document.querySelectorAll('section.step')].filter((s) => !s.hidden);
    if (shown.length !== 1) return { count: shown.length };
    const s = shown[0];
    const tables = [...s.querySelectorAll('table.handles')].map((t) => ({
      pid: Number(t.dataset.pid), total: Number(t.dataset.total),
      rows: [...t.querySelectorAll('tr[data-handle]')].map((r) => ({
        handle: Number(r.dataset.handle), object: Number(r.dataset.object),
        inherit: r.dataset.inherit === '1', usage: Number(r.dataset.usage),
      })),
    }));
    const objects = [...s.querySelectorAll('svg.diagram g.obj')].map((g) => ({
      object: Number(g.dataset.object), usage: Number(g.dataset.usage), handles: Number(g.dataset.handles),
    }));
    const drawnRows = [...s.querySelectorAll('svg.diagram g.proc')].map((g) => ({
      pid: Number(g.dataset.pid), rows: g.querySelectorAll('g.row').length,
    }));
    return { count: 1, step: Number(s.dataset.step), tables, objects, drawnRows, hash: location.hash };
  });
}

for (let i = 0; i < frames.length; i++) {
  const v = await visible();
  const f = frames[i];
  const at = `step index ${i} (step ${f.step})`;
  if (v.count !== 1) { fail(`${at}: ${v.count} sections shown`); break; }
  if (v.step !== f.step) fail(`${at}: the page shows step ${v.step}`);
  if (i > 0 && v.hash !== `#step-${f.step}`) fail(`${at}: the address says ${v.hash}`);
  for (const t of v.tables) {
    const want = f.tables.get(t.pid) ?? new Map();
    const got = new Map(t.rows.map((r) => [r.handle, r]));
    for (const [h, r] of want) {
      const g = got.get(h);
      if (!g) { if (t.rows.length === t.total) fail(`${at}: pid ${t.pid} lacks handle ${h}`); continue; }
      if (g.object !== r.object || g.inherit !== r.inherit) fail(`${at}: pid ${t.pid} handle ${h}: page ${JSON.stringify(g)}, trace ${JSON.stringify(r)}`);
      const c = f.counts.get(r.object);
      if (c && g.usage !== c.usage) fail(`${at}: pid ${t.pid} handle ${h}: usage ${g.usage}, trace ${c.usage}`);
    }
    for (const h of got.keys()) if (!want.has(h)) fail(`${at}: pid ${t.pid} shows handle ${h} the trace does not have`);
    if (t.total !== want.size) fail(`${at}: pid ${t.pid} has ${t.total} rows, the trace ${want.size}`);
    const drawn = v.drawnRows.find((d) => d.pid === t.pid);
    if (!drawn || drawn.rows !== t.rows.length) fail(`${at}: pid ${t.pid}: the diagram draws ${drawn?.rows} rows, the table ${t.rows.length}`);
  }
  for (const o of v.objects) {
    const c = f.counts.get(o.object);
    if (!c) fail(`${at}: the diagram draws object ${o.object}, which the trace does not have`);
    else if (c.usage !== o.usage || c.handles !== o.handles) fail(`${at}: object ${o.object}: page ${o.usage}/${o.handles}, trace ${c.usage}/${c.handles}`);
  }
  if (String(f.step) === shotStep) await page.screenshot({ path: shotPath, fullPage: true });
  if (i + 1 < frames.length) await page.click('#next');
}

// Keys and deep links.
await page.keyboard.press('ArrowLeft');
const back = await visible();
if (back.step !== frames[frames.length - 2].step) fail(`ArrowLeft shows step ${back.step}`);
const deep = frames[Math.floor(frames.length / 2)].step;
await page.goto(`${url}#step-${deep}`);
await page.reload();
const linked = await visible();
if (linked.step !== deep) fail(`#step-${deep} opens step ${linked.step}`);

await browser.close();
if (failures.length) {
  console.log(failures.join('\n'));
  process.exit(1);
}
console.log(`ok: ${frames.length} steps checked`);
