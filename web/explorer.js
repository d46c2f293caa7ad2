/* explorer.js: the allysim explorer page (web/index.html). It holds no model:
 * every number comes from the C library in allysim_web.js (web/asim_web.c)
 * through the small API wrapped below as `Asim`. The page loads a scenario
 * (a shipped preset, embedded in the module at build time, or the editor's
 * text), sets settings as `-s path=value` overrides, runs the replicates
 * and draws what the library recorded. */
"use strict";

const PRESETS = [
  { name: "baseline", file: "configs/baseline.cfg", label: "Baseline (five agents)" },
  { name: "low_commitment", file: "configs/low_commitment.cfg", label: "Low US commitment" },
  { name: "asymmetric_commitment", file: "configs/asymmetric_commitment.cfg", label: "Asymmetric commitment" },
  { name: "history_1965_1990", file: "configs/history_1965_1990.cfg", label: "History 1965\u20131990",
    observations: "configs/observations/cha_1965_1990.csv" },
  { name: "history_1990_2023", file: "configs/history_1990_2023.cfg", label: "History 1990\u20132023",
    observations: "configs/observations/relations_1990_2023.csv" },
  { name: "cyber_2014", file: "configs/cyber_2014.cfg", label: "Cyber 2014" },
];

/* Okabe-Ito colours: distinguishable with colour-vision deficiencies. */
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
const REGIMES = { labels: ["MA", "AS", "ME", "SE"], colors: ["#009E73", "#E69F00", "#CC79A7", "#56B4E9"] };
const OUTCOMES = { cooperation: "#009E73", friction: "#D55E00", mixed: "#999999" };

/* The library's page API (web/asim_web.c). */
function wrapModule(M) {
  const c = (name, ret, args) => M.cwrap(name, ret, args);
  const api = {
    M,
    load: c("asim_web_load", "number", ["string", "string"]),
    set: c("asim_web_set", "number", ["string"]),
    error: c("asim_web_error", "string", []),
    get: c("asim_web_get", "string", ["string"]),
    help: c("asim_web_param_help", "string", ["string"]),
    range: c("asim_web_param_range", "string", ["string"]),
    agentRaw: c("asim_web_agent", "number", ["number", "number"]),
    run: c("asim_web_run", "number", ["number"]),
    steps: c("asim_web_steps", "number", []),
    ncols: c("asim_web_ncols", "number", []),
    colname: c("asim_web_colname", "string", ["number"]),
    colRaw: c("asim_web_col", "number", ["number", "number"]),
    nsummary: c("asim_web_summary_ncols", "number", []),
    summaryName: c("asim_web_summary_colname", "string", ["number"]),
    summary: c("asim_web_summary", "number", ["number"]),
    configText: c("asim_web_config_text", "string", []),
    csvText: c("asim_web_csv_text", "string", ["number"]),
  };
  /* Agent ids: kind 0 allies, 1 adversaries, 2 pairs. */
  api.agents = (kind) => {
    const out = [];
    for (let i = 0; ; i++) {
      const p = api.agentRaw(kind, i);
      if (!p) return out;
      out.push(M.UTF8ToString(p));
    }
  };
  /* Column name -> index, of the last run. */
  api.columns = () => {
    const m = new Map();
    for (let k = 0; k < api.ncols(); k++) m.set(api.colname(k), k);
    return m;
  };
  /* A column's statistic over the steps, copied out of the module's memory. */
  api.col = (k, which) => {
    const p = api.colRaw(k, which), n = api.steps();
    return p ? Float64Array.from(M.HEAPF64.subarray(p / 8, p / 8 + n)) : null;
  };
  api.readFile = (path) => M.FS.readFile(path, { encoding: "utf8" });
  return api;
}

/* A CSV text (RFC 4180) as an array of rows of strings. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else if (ch !== "\r") field += ch;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/* Coded periods of an observations file: [{x0, x1, outcome, weight}]. */
function codedPeriods(text) {
  const rows = parseCsv(text), head = rows.shift();
  const at = (name) => head.indexOf(name);
  return rows.filter((r) => r.length === head.length).map((r) => {
    const score = parseFloat(r[at("score")]);
    const outcome = r[at("outcome")] || (score > 0 ? "cooperation" : score < 0 ? "friction" : "mixed");
    return { x0: +r[at("start")], x1: +r[at("end")], outcome, weight: parseFloat(r[at("weight")]) || 1 };
  });
}

/* The settings with sliders: [path, slider lo, slider hi] (for open-ended
 * ranges the slider's own span is said in its label). */
function sliderPaths(asim) {
  const allies = asim.agents(0);
  const out = [];
  for (const a of allies) out.push([`patron.commitment.${a}`, 0, 1]);
  out.push(["patron.firmness", 0, 1], ["patron.brokerage", 0, 1], ["model.rule", null, null],
           ["quasi.coop_gain", 0, 20], ["cyber.anonymity", 0, 1]);
  for (const a of allies) out.push([`allies.${a}.cyber_share`, 0, 1]);
  return out;
}

class Explorer {
  constructor(asim) {
    this.asim = asim;
    this.el = (id) => document.getElementById(id);
    this.preset = PRESETS[0];
    this.pending = false;
    this.lastMs = 0;
  }

  start(presetName) {
    const sel = this.el("preset");
    for (const p of PRESETS) sel.add(new Option(p.label, p.name));
    sel.addEventListener("change", () => this.choose(sel.value));
    this.el("apply").addEventListener("click", () => this.applyEditor());
    this.el("editor").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); this.applyEditor(); }
    });
    this.el("replicates").addEventListener("change", () => this.schedule());
    this.el("deterministic").addEventListener("change", () => this.setDeterministic());
    this.el("download-cfg").addEventListener("click", () => this.download("config.cfg", this.asim.configText()));
    this.el("download-csv").addEventListener("click", () => this.downloadCsv());
    window.addEventListener("resize", () => this.draw());
    const p = PRESETS.find((q) => q.name === presetName) || PRESETS[0];
    sel.value = p.name;
    this.choose(p.name);
  }

  /* Load a preset: its text into the editor, then into the library. */
  choose(name) {
    this.preset = PRESETS.find((p) => p.name === name);
    this.el("editor").value = this.asim.readFile("/" + this.preset.file);
    this.periods = this.preset.observations ? codedPeriods(this.asim.readFile("/" + this.preset.observations)) : [];
    this.applyEditor();
  }

  /* Load the editor's text as the scenario file; on error show the
   * command line's message and keep the scenario that ran last. */
  applyEditor() {
    const rc = this.asim.load(this.preset.file, this.el("editor").value);
    this.el("file").textContent = `checked as ${this.preset.file}`;
    if (rc !== 0) {
      this.el("error").textContent = this.asim.error();
      return false;
    }
    this.el("error").textContent = "";
    this.el("deterministic").checked = this.asim.get("model.stochastic") === "false";
    this.buildSliders();
    this.runNow();
    return true;
  }

  setDeterministic() {
    this.set("model.stochastic=" + (this.el("deterministic").checked ? "false" : "true"));
  }

  /* One setting, as -s path=value; the run follows at the next frame. */
  set(assignment) {
    if (this.asim.set(assignment) !== 0) {
      this.el("error").textContent = this.asim.error();
      return;
    }
    this.el("error").textContent = "";
    this.schedule();
  }

  buildSliders() {
    const box = this.el("sliders");
    box.textContent = "";
    for (const [path, lo, hi] of sliderPaths(this.asim)) box.appendChild(this.slider(path, lo, hi));
  }

  slider(path, lo, hi) {
    const div = document.createElement("div");
    div.className = "slider";
    const id = "s-" + path.replace(/\./g, "-");
    const value = this.asim.get(path), range = this.asim.range(path);
    const span = lo === null || (range === `[${lo}, ${hi}]`) ? "" : ` (slider ${lo}\u2013${hi})`;
    div.innerHTML = `<div class="head"><label class="path" for="${id}"></label><output for="${id}"></output></div>
      <div class="help"></div>`;
    div.querySelector("label").textContent = path;
    /* the range kept on one line: "[0, 1]" never breaks after its comma */
    div.querySelector(".help").textContent = `${this.asim.help(path)}; range\u00a0${range.replace(/, /g, ",\u00a0")}${span}`;
    const out = div.querySelector("output");
    let input;
    if (lo === null) { /* model.rule: the rule names from its help text */
      input = document.createElement("select");
      for (const r of ["cha", "threat", "history"]) input.add(new Option(r, r));
      input.value = value.replace(/"/g, "");
      input.addEventListener("change", () => this.set(`${path}="${input.value}"`));
    } else {
      input = document.createElement("input");
      input.type = "range";
      input.min = lo;
      input.max = hi;
      input.step = (hi - lo) / 100;
      const isSchedule = value.trim().startsWith("(");
      const num = isSchedule ? NaN : parseFloat(value);
      input.value = isSchedule ? scheduleFirst(value) : num;
      out.textContent = isSchedule ? "schedule" : String(num);
      if (isSchedule) {
        const note = document.createElement("div");
        note.className = "sched";
        note.textContent = "now a schedule (keyframes in the scenario); moving the slider makes it constant";
        div.appendChild(note);
      }
      input.addEventListener("input", () => {
        out.textContent = (+input.value).toFixed(2);
        this.set(`${path}=${input.value}`);
      });
    }
    input.id = id;
    input.setAttribute("aria-describedby", id + "-help");
    div.querySelector(".help").id = id + "-help";
    div.insertBefore(input, div.querySelector(".help"));
    return div;
  }

  /* Runs follow slider moves at most once a frame. */
  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.runNow(); });
  }

  replicates() {
    if (this.el("deterministic").checked) return 1;
    const n = Math.round(+this.el("replicates").value);
    return Math.min(1000, Math.max(1, n || 1));
  }

  runNow() {
    const n = this.replicates();
    const t0 = performance.now();
    const rc = this.asim.run(n);
    this.lastMs = performance.now() - t0;
    if (rc !== 0) {
      this.el("error").textContent = this.asim.error();
      return;
    }
    this.el("status").textContent = `${n} replicate${n > 1 ? "s" : ""} \u00d7 ${this.asim.steps()} steps`
      + (this.lastMs >= 0.5 ? ` in ${this.lastMs.toFixed(0)} ms` : "");
    this.read();
    this.draw();
  }

  /* Copy what the plots need out of the library's record. */
  read() {
    const a = this.asim, cols = a.columns();
    const get = (name, which) => a.col(cols.get(name), which);
    this.data = {
      x: get("year", 0),
      allies: a.agents(0), adversaries: a.agents(1), pairs: a.agents(2),
      get,
    };
    this.summaryTable();
  }

  draw() {
    if (!this.data) return;
    const d = this.data, lines = [];
    d.allies.forEach((id, i) => {
      lines.push({ y: d.get("abandonment_" + id, 0), color: COLORS[i % 7], label: `abandonment ${id}` });
      lines.push({ y: d.get("entrapment_" + id, 0), color: COLORS[i % 7], dash: true, label: `entrapment ${id}` });
    });
    asimPlot(this.el("plot-fears"), { x: d.x, ylim: [0, 1], ylabel: "fear", lines });
    this.drawRelation();
    const ol = [{ y: d.get("outcry", 0), color: "#000000", label: "outcry" }];
    d.adversaries.forEach((id, i) => ol.push({ y: d.get("assertiveness_" + id, 0), color: COLORS[(i + 1) % 7], label: `assertiveness ${id}` }));
    asimPlot(this.el("plot-outcry"), { x: d.x, ylim: [0, 1], ylabel: "level", lines: ol });
  }

  drawRelation() {
    const d = this.data, pair = d.pairs[0];
    const shades = this.periods.map((p) => ({ x0: p.x0, x1: p.x1, color: OUTCOMES[p.outcome] || "#999999",
                                              alpha: 0.12 + 0.25 * p.weight }));
    const legendShades = this.periods.length
      ? Object.entries(OUTCOMES).map(([k, c]) => ({ color: c, alpha: 0.35, label: `coded ${k}` })) : [];
    const bands = [], lines = [];
    d.pairs.forEach((pr, i) => {
      const col = "relation_" + pr, color = i === 0 ? "#000000" : COLORS[(i - 1) % 7];
      bands.push({ lo: d.get(col, 1), hi: d.get(col, 2), color });
      lines.push({ y: d.get(col, 0), color, label: `relation ${pr}`, width: 2.6 });
    });
    const strip = { title: "regime", colors: REGIMES.colors, labels: REGIMES.labels,
                    shares: [0, 1, 2, 3].map((r) => d.get("regime_" + pair, r)) };
    this.el("relation-caption").textContent = `Relation ${d.pairs.join(", ")}: mean, band 5\u201395% of replicates`
      + (this.periods.length ? "; shaded: the coded periods of " + this.preset.observations : "")
      + `. Below: the regime of ${pair} (share of replicates)`;
    asimPlot(this.el("plot-relation"), { x: d.x, ylim: [-1, 1], ylabel: "relation", shades, legendShades,
                                         bands, lines, strip });
  }

  summaryTable() {
    const a = this.asim, t = this.el("summary");
    const rows = [];
    for (let k = 0; k < a.nsummary(); k++) {
      const name = a.summaryName(k);
      if (/^(mean_relation|share_|mean_abandonment|mean_entrapment|mean_outcry)/.test(name))
        rows.push([name, a.summary(k)]);
    }
    t.innerHTML = "<caption>Summary metrics (summary.csv), mean over replicates</caption>";
    for (const [name, v] of rows) {
      const tr = t.insertRow();
      const th = document.createElement("th");
      th.textContent = name;
      tr.appendChild(th);
      const cell = tr.insertCell(); /* undefined (an empty field in summary.csv): a dash */
      cell.textContent = Number.isFinite(v) ? v.toFixed(3) : "\u2014";
      if (!Number.isFinite(v)) cell.title = "undefined in this run (an empty field in summary.csv)";
    }
  }

  download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  downloadCsv() {
    const text = this.asim.csvText(this.replicates());
    if (!text) { this.el("error").textContent = this.asim.error(); return; }
    this.download("timeseries.csv", text);
  }
}

/* The first keyframe's value of a schedule "((year, value), ...)". */
function scheduleFirst(text) {
  const m = /\(\s*\(\s*[-+0-9.eE]+\s*,\s*([-+0-9.eE]+)/.exec(text);
  return m ? parseFloat(m[1]) : 0;
}

/* The module is compiled synchronously (wasm.cmake), so it is ready before
 * the page's load event: headless Chromium's virtual time (browser_test.sh)
 * cannot run out while it compiles. Emscripten 3.1.6 returns the module with
 * a `ready` promise, later releases a promise. */
const asimModule = createAllysim();
const asimReady = (asimModule.ready || asimModule).then((M) => wrapModule(M));
const params = new URLSearchParams(location.search);
if (!params.has("selftest") && !params.has("timing"))
  asimReady.then((asim) => {
    window.explorer = new Explorer(asim);
    window.explorer.start(params.get("preset"));
  });
