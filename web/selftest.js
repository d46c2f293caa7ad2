/* selftest.js: the browser test of the explorer (index.html?selftest), run by
 * web/browser_test.sh in headless Chromium. That script runs the command
 * line first and writes what it printed into selftest_data.js:
 *   ASIM_SELFTEST.cases    [{file, csv, cfg}]: timeseries.csv and config.cfg
 *                          of `allysim run FILE --deterministic`
 *   ASIM_SELFTEST.invalid  [{file, text, message}]: a broken scenario and
 *                          what `allysim check FILE` printed on stderr
 * The page runs the same scenarios in WebAssembly and compares every value
 * (to 1e-12, relative to max(1, |value|)), both what the plots read and the
 * CSV the page downloads; types each broken scenario into the editor and
 * compares the message shown; and writes "PASS" or "FAIL" and the details
 * into #selftest. index.html?timing times a 600-step run of 200 stochastic
 * replicates instead (the self-test runs under Chromium's virtual time,
 * where clocks stand still) and prints it on the console. */
"use strict";

const TOLERANCE = 1e-12;

function close(a, b) {
  return Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(b));
}

/* Compare the CLI's timeseries.csv with the series the plots read. */
function compareSeries(asim, cliCsv, fails) {
  const rows = parseCsv(cliCsv), head = rows.shift(), cols = asim.columns();
  let compared = 0;
  head.forEach((name, j) => {
    if (name === "run" || name === "replicate") return;
    if (!cols.has(name)) { fails.push(`column ${name} missing in the page`); return; }
    const k = cols.get(name), regime = name.startsWith("regime_");
    const series = regime ? [0, 1, 2, 3].map((r) => asim.col(k, r)) : [asim.col(k, 0)];
    rows.forEach((r, t) => {
      compared++;
      const ok = regime ? series[REGIMES.labels.indexOf(r[j])][t] === 1 : close(series[0][t], +r[j]);
      if (!ok && fails.length < 20)
        fails.push(`${name} at step ${t}: page ${regime ? "regime shares" : series[0][t]}, CLI ${r[j]}`);
    });
  });
  return compared;
}

/* Compare the CLI's timeseries.csv with the page's download, field by field. */
function compareCsv(pageCsv, cliCsv, fails) {
  const a = parseCsv(pageCsv), b = parseCsv(cliCsv);
  if (a.length !== b.length) { fails.push(`CSV rows: page ${a.length}, CLI ${b.length}`); return 0; }
  let compared = 0;
  for (let i = 0; i < b.length; i++)
    for (let j = 0; j < b[i].length; j++) {
      compared++;
      const x = a[i][j], y = b[i][j];
      const same = x === y || (y !== "" && !isNaN(+y) && x !== "" && close(+x, +y));
      if (!same && fails.length < 20) fails.push(`CSV row ${i} field ${j}: page "${x}", CLI "${y}"`);
    }
  return compared;
}

function checkCase(asim, c, fails, notes) {
  const text = asim.readFile("/" + c.file);
  if (asim.load(c.file, text) !== 0 || asim.set("model.stochastic=false") !== 0) {
    fails.push(`${c.file}: ${asim.error()}`);
    return;
  }
  if (asim.run(1) !== 0) { fails.push(`${c.file}: ${asim.error()}`); return; }
  const before = fails.length;
  const series = compareSeries(asim, c.csv, fails);
  const csv = asim.csvText(1);
  const fields = compareCsv(csv, c.csv, fails);
  const cfgSame = asim.configText() === c.cfg;
  if (!cfgSame) fails.push(`${c.file}: config.cfg differs from the CLI's`);
  notes.push(`${c.file}: ${series} plotted values and ${fields} CSV fields within ${TOLERANCE}` +
             ` (CSV ${csv === c.csv ? "byte-identical" : "not byte-identical"}), config.cfg ` +
             `${cfgSame ? "byte-identical" : "differs"}${fails.length > before ? ": FAILED" : ""}`);
}

/* A broken scenario typed into the editor must show the CLI's message. */
function checkInvalid(explorer, bad, fails, notes) {
  explorer.preset = { name: "test", file: bad.file, label: bad.file };
  explorer.el("editor").value = bad.text;
  explorer.applyEditor();
  const shown = explorer.el("error").textContent;
  if (shown !== bad.message) fails.push(`${bad.file}: page shows "${shown}", CLI printed "${bad.message}"`);
  else notes.push(`${bad.file}: the page shows the CLI's message: ${shown}`);
}

/* The downloads after a slider move, as a user makes them: preset
 * history_1965_1990, 5 stochastic replicates, US commitment to KOR moved
 * to 0.3. The buttons' texts go into hidden <pre> elements, which
 * browser_test.sh feeds to the command line: its run of the downloaded
 * scenario must write the downloaded CSV byte for byte. */
async function roundTrip(explorer, notes) {
  const fire = (el, type) => el.dispatchEvent(new Event(type));
  explorer.el("preset").value = "history_1965_1990";
  fire(explorer.el("preset"), "change");
  explorer.el("replicates").value = "5";
  fire(explorer.el("replicates"), "change");
  const slider = document.getElementById("s-patron-commitment-KOR");
  slider.focus();
  slider.value = "0.3";
  fire(slider, "input");
  /* the page runs at the next frame; the downloads compute afresh anyway */
  await new Promise((ok) => { requestAnimationFrame(() => ok()); setTimeout(ok, 100); });
  const files = {};
  explorer.download = (name, text) => { files[name] = text; };
  explorer.el("download-cfg").click();
  explorer.el("download-csv").click();
  for (const [name, text] of Object.entries(files)) {
    const pre = document.createElement("pre");
    pre.id = "download-" + name;
    pre.hidden = true;
    pre.textContent = text;
    document.body.appendChild(pre);
  }
  notes.push(`downloads after moving patron.commitment.KOR to 0.3: ${Object.keys(files).join(", ")}`);
}

/* Median time of a 600-step run of 200 stochastic replicates of the baseline. */
function timeRuns(asim) {
  asim.load("configs/baseline.cfg", asim.readFile("/configs/baseline.cfg"));
  asim.set("model.steps=600");
  asim.set("model.stochastic=true");
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    asim.run(200);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return times[3];
}

async function selfTest(asim) {
  const out = document.getElementById("selftest");
  out.hidden = false;
  const fails = [], notes = [];
  try {
    await new Promise((ok, no) => {
      const s = document.createElement("script");
      s.src = "selftest_data.js";
      s.onload = ok;
      s.onerror = () => no(new Error("selftest_data.js not found (web/browser_test.sh writes it)"));
      document.head.appendChild(s);
    });
    const data = window.ASIM_SELFTEST;
    for (const c of data.cases) checkCase(asim, c, fails, notes);
    const explorer = new Explorer(asim);
    explorer.start("baseline");
    for (const bad of data.invalid) checkInvalid(explorer, bad, fails, notes);
    await roundTrip(explorer, notes);
    if (data.cases.length === 0 || data.invalid.length === 0) fails.push("no test cases");
  } catch (e) {
    fails.push("exception: " + (e && e.stack ? e.stack : e));
  }
  out.textContent = (fails.length ? "FAIL" : "PASS") + "\n" + notes.concat(fails).join("\n");
}

function timing(asim) {
  const ms = timeRuns(asim);
  console.log(`allysim-timing: 200 stochastic replicates x 600 steps in ${ms.toFixed(1)} ms (median of 7)`);
}

if (new URLSearchParams(location.search).has("selftest")) asimReady.then(selfTest);
if (new URLSearchParams(location.search).has("timing")) asimReady.then(timing);
