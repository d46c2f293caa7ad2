"""allysim_plot: shared helpers of the allysim figure scripts.

Reading the engine's CSV files with clear errors (and only the files the
directory's meta.json lists), the scenario's name for titles, Cha's regime
colours, distinct colours for any number of agents and pairs, per-step
quantiles over replicates, design-point selection, and saving a figure as
PNG (dpi 150) and PDF. Imported by the scripts beside it (after _interp);
it is not a script itself.

Errors: every problem with an input (a missing file, a missing column, an
ambiguous selection) prints "SCRIPT: error: ..." naming the file and the
column, and exits with status 2.
"""
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# Cha's regimes (spec 3.5), in stacking order, with colours and names.
REGIMES = ["MA", "AS", "ME", "SE"]
REGIME_COLORS = {"MA": "#1b9e77", "AS": "#d95f02", "ME": "#7570b3", "SE": "#8c8c8c"}
REGIME_NAMES = {
    "MA": "MA: mutual abandonment (Cha: cooperation)",
    "AS": "AS: asymmetric fears (friction)",
    "ME": "ME: mutual entrapment",
    "SE": "SE: secure, strong patron (friction)",
}
# Colours of coded history outcomes.
OUTCOME_COLORS = {"cooperation": "#1b9e77", "friction": "#d7301f", "mixed": "#bdbdbd"}

# Line colours of agents and pairs of the Japan-Korea scenarios; any other id
# takes the next unused colour of PALETTE (see entity_colors).
ENTITY_COLORS = {"JPN": "#c0392b", "KOR": "#2166ac", "CHN": "#e08214", "PRK": "#6a3d9a",
                 "USA": "#4d4d4d", "JPN_KOR": "#1b7837"}
# Distinct colours for further ids (Okabe-Ito, then Tableau and Paul Tol's muted).
PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000", "#f0e442",
           "#8c564b", "#7f7f7f", "#bcbd22", "#17becf", "#332288", "#882255", "#44aa99", "#999933",
           "#aa4499", "#88ccee", "#117733", "#dd7788"]

# Axis labels of the per-step variables (spec section 5), by prefix.
VAR_LABELS = {
    "relation": "relation (-1 friction .. +1 cooperation)",
    "commitment": "US commitment (0..1)",
    "perceived": "perceived commitment (0..1)",
    "threat": "threat (0..1)",
    "abandonment": "abandonment fear (0..1)",
    "entrapment": "entrapment fear (0..1)",
    "burden": "burden-sharing effort (0..1)",
    "assertiveness": "assertiveness (0..1)",
    "provocations": "provocations per step",
    "outcry": "regional outcry (0..1)",
    "firmness": "US firmness (0..1)",
    "history_events": "history events per step",
}

PROG = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "allysim_plot"


def die(msg):
    """Print an input error and exit with status 2."""
    print(f"{PROG}: error: {msg}", file=sys.stderr)
    sys.exit(2)


def find_input(path, name):
    """A file given directly, or `name` inside the directory `path`."""
    f = os.path.join(path, name) if os.path.isdir(path) else path
    if not os.path.isfile(f):
        die(f"{f}: no such file (expected {name})")
    return f


def read_meta(directory):
    """The meta.json of a results directory as a dict; None when it has none."""
    f = os.path.join(directory or ".", "meta.json")
    if not os.path.isfile(f):
        return None
    try:
        with open(f, encoding="utf-8") as fh:
            meta = json.load(fh)
    except (OSError, ValueError) as e:
        die(f"{f}: not readable JSON ({e})")
    return meta if isinstance(meta, dict) else None


def check_listed(path):
    """Refuse (exit 2) a file of a results directory that the directory's
    meta.json does not list under "files": a file left there by an earlier
    command. Without a meta.json, or one without "files" (older results),
    every file is accepted."""
    d = os.path.dirname(path) or "."
    meta = read_meta(d)
    files = meta.get("files") if meta else None
    if isinstance(files, list) and os.path.basename(path) not in files:
        die(f"{path}: not written by the command that wrote {os.path.join(d, 'meta.json')} (its \"files\" "
            f"lists {', '.join(map(str, files)) or 'nothing'}); a file left by an earlier command? "
            "rerun the command into an empty directory (or with --overwrite)")


def is_listed(path):
    """True when the directory's meta.json lists the file, or lists none."""
    meta = read_meta(os.path.dirname(path) or ".")
    files = meta.get("files") if meta else None
    return not isinstance(files, list) or os.path.basename(path) in files


def scenario_name(path):
    """The scenario's name for titles: model.name of the results directory's
    config.cfg, else the config file named in meta.json (without .cfg); ''
    when neither says."""
    d = path if os.path.isdir(path) else os.path.dirname(path) or "."
    f = os.path.join(d, "config.cfg")
    if os.path.isfile(f):
        with open(f, encoding="utf-8", errors="replace") as fh:
            name = cfg_value(cfg_group(fh.read(), "model"), "name")
        if isinstance(name, str) and name:
            return name
    meta = read_meta(d)
    cf = meta.get("config_file") if meta else None
    return re.sub(r"\.cfg$", "", os.path.basename(cf)) if isinstance(cf, str) and cf else ""


def titled(title, path):
    """`title` headed by the scenario's name ('four_allies: ...') unless it
    names it already."""
    name = scenario_name(path)
    return f"{name}: {title}" if name and name not in title else title


def entity_colors(ids):
    """A distinct colour for each id of one kind (allies, adversaries or
    pairs): the fixed colour of ENTITY_COLORS when it has one, else the next
    PALETTE colour that is not close to a colour already taken (then colours
    of a colour map)."""
    ids = list(dict.fromkeys(ids))
    out = {i: ENTITY_COLORS[i] for i in ids if i in ENTITY_COLORS}
    taken = [np.array(matplotlib.colors.to_rgb(c)) for c in out.values()]
    free = [c for c in PALETTE
            if all(np.abs(np.array(matplotlib.colors.to_rgb(c)) - t).sum() > 0.6 for t in taken)]
    rest = [i for i in ids if i not in out]
    if len(rest) > len(free):
        cmap = plt.get_cmap("turbo")
        free += [matplotlib.colors.to_hex(cmap(k / max(1, len(rest) - 1))) for k in range(len(rest))]
    out.update(zip(rest, free))
    return out


def read_csv(path, columns=(), listed=True):
    """Read a CSV; every name in `columns` must be a column of it. listed:
    the file must be one that the directory's meta.json lists (check_listed);
    False for inputs that are not results (observations)."""
    if not os.path.isfile(path):
        die(f"{path}: no such file")
    if listed:
        check_listed(path)
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        die(f"{path}: not a readable CSV file ({e})")
    require(df, path, columns)
    return df


def require(df, path, columns):
    for c in columns:
        if c not in df.columns:
            die(f"{path}: missing column '{c}'")


def pairs_of(columns, prefix="relation_", suffix=""):
    """Pair ids (e.g. JPN_KOR) of columns named <prefix><A>_<B><suffix>."""
    pat = re.compile("^" + re.escape(prefix) + r"([A-Z0-9]+_[A-Z0-9]+)" + re.escape(suffix) + "$")
    return [m.group(1) for m in map(pat.match, columns) if m]


def ids_of(columns, prefix, suffix=""):
    """Agent ids (e.g. JPN) of columns named <prefix><ID><suffix>, in column order."""
    pat = re.compile("^" + re.escape(prefix) + r"([A-Z0-9]+)" + re.escape(suffix) + "$")
    return [m.group(1) for m in map(pat.match, columns) if m]


def design_params(points, path):
    """The swept parameters of a points.csv: the columns between `point` and
    `replicates_completed`."""
    cols = list(points.columns)
    if "point" not in cols or "replicates_completed" not in cols:
        die(f"{path}: missing column 'point' or 'replicates_completed' (is it a sweep's points.csv?)")
    return cols[cols.index("point") + 1:cols.index("replicates_completed")]


def parse_where(items):
    """["a=1", "b=cha"] -> {"a": "1", "b": "cha"}."""
    out = {}
    for it in items or []:
        if "=" not in it:
            die(f"--where takes PARAM=VALUE, got '{it}'")
        k, v = it.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def filter_where(df, where, path):
    """Keep the rows whose parameters equal the given values (numbers
    compared with a tolerance of 1e-9, anything else as text)."""
    for k, v in where.items():
        require(df, path, [k])
        col = df[k]
        try:
            keep = np.isclose(pd.to_numeric(col), float(v), atol=1e-9, rtol=0)
        except (ValueError, TypeError):
            keep = col.astype(str) == v
        df = df[keep]
        if df.empty:
            die(f"{path}: no design point has {k} = {v}")
    return df


def point_label(points, point, params):
    """'commitment=0.3, model.rule=cha' for one design point."""
    row = points[points["point"] == point]
    if row.empty:
        return f"point {point}"
    return ", ".join(f"{p}={fmt(row.iloc[0][p])}" for p in params)


def fmt(v):
    return f"{v:g}" if isinstance(v, (float, np.floating)) else str(v)


def quantile_series(ts, path, group="step"):
    """Per-step mean, sd, p05, p50, p95 over replicates of every numeric
    per-step variable of a timeseries.csv, and the share of replicates in each
    regime (columns share_<regime>_<pair>): the layout of a sweep's series.csv
    for one design point."""
    require(ts, path, ["step", "year"])
    skip = {"run", "replicate", "point", "step", "year"}
    num = [c for c in ts.columns if c not in skip and pd.api.types.is_numeric_dtype(ts[c])]
    g = ts.groupby(group, sort=True)
    out = pd.DataFrame({"step": list(g.groups.keys())})
    out["year"] = g["year"].first().values
    parts = {}
    for c in num:
        parts[c + "_mean"] = g[c].mean().values
        parts[c + "_sd"] = g[c].std(ddof=1).fillna(0).values
        for q, name in ((0.05, "p05"), (0.5, "p50"), (0.95, "p95")):
            parts[f"{c}_{name}"] = g[c].quantile(q).values
    for pair in pairs_of(ts.columns, "regime_"):
        col = ts["regime_" + pair]
        for r in REGIMES:
            parts[f"share_{r}_{pair}"] = (col == r).groupby(ts[group]).mean().values
    return pd.concat([out, pd.DataFrame(parts)], axis=1)


def load_series(path, point=None, where=None):
    """Per-step quantiles over replicates from a results directory (or file):
    a sweep's series.csv (one design point, chosen by `point` or `where`), or
    the timeseries.csv of a run (all its replicates) or of a sweep (joined to
    runs.csv to find each run's point). Returns (series, label, source)."""
    d = path if os.path.isdir(path) else os.path.dirname(path) or "."
    if os.path.isdir(path):
        f = os.path.join(d, "series.csv")
        if not os.path.isfile(f) or not is_listed(f):  # a series.csv left by an earlier sweep is not this one's
            f = os.path.join(d, "timeseries.csv")
    else:
        f = path
    if not os.path.isfile(f):
        die(f"{path}: no series.csv or timeseries.csv (run allysim run, or allysim sweep --series)")
    is_series = os.path.basename(f).startswith("series")
    pf = os.path.join(d, "points.csv")
    rf = os.path.join(d, "runs.csv")
    label = ""
    if (point is not None or where) and not os.path.isfile(pf):
        die(f"{pf}: no such file (--point and --where need a sweep's points.csv)")
    if os.path.isfile(pf):
        points = read_csv(pf, ["point"])
        params = design_params(points, pf)
        if where:
            sel = filter_where(points, where, pf)
            if len(sel) > 1:
                die(f"{pf}: --where matches {len(sel)} design points; add conditions on: {', '.join(params)}")
            point = int(sel["point"].iloc[0])
        if point is None:
            point = 0
        if point not in set(points["point"]):
            die(f"{pf}: no design point {point}")
        label = point_label(points, point, params)
        if is_series:
            n = points.loc[points["point"] == point, "replicates_completed"].iloc[0]
            label += f", {n} replicates"
    df = read_csv(f, ["step", "year"])
    if is_series:
        require(df, f, ["point"])
        df = df[df["point"] == point].reset_index(drop=True)
        if df.empty:
            die(f"{f}: no rows for point {point}")
        return df, label, f
    if point is not None and "point" not in df.columns:
        runs = read_csv(rf, ["run", "point"])
        df = df.merge(runs[["run", "point"]], on="run", how="left")
    if point is not None:
        df = df[df["point"] == point]
        if df.empty:
            die(f"{f}: no rows for point {point}")
    n = df["replicate"].nunique() if "replicate" in df.columns else 1
    label = (label + ", " if label else "") + f"{n} replicate{'s' if n != 1 else ''}"
    return quantile_series(df, f), label, f


def read_config_text(path):
    """The text of a results directory's config.cfg (or of a .cfg file)."""
    f = find_input(path, "config.cfg")
    with open(f, encoding="utf-8") as fh:
        return fh.read(), f


def cfg_group(text, name):
    """The text of the first group `name: { ... }` (balanced braces), or ''."""
    m = re.search(r"(^|[\s{;])" + re.escape(name) + r"\s*:\s*\{", text)
    if not m:
        return ""
    i, depth = m.end(), 1
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[m.end():i - 1]


def cfg_value(text, name):
    """The value of setting `name = ...;` in a libconfig text: a float, or a
    schedule as a list of (year, value) keyframes; None when absent."""
    m = re.search(r"(^|[\s{;])" + re.escape(name) + r"\s*=\s*([^;]*);", text)
    if not m:
        return None
    v = re.sub(r"#[^\n]*|//[^\n]*", "", m.group(2)).strip()
    if v.startswith("("):
        nums = [float(x) for x in re.findall(r"[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?", v)]
        if len(nums) % 2:
            return None
        return list(zip(nums[0::2], nums[1::2]))
    try:
        return float(v.rstrip("L"))
    except ValueError:
        return v.strip('"')


def sched(keys, year):
    """A schedule's value at `year` (spec section 2: flat outside, linear
    between keyframes, the later of two keyframes at one year holds)."""
    if not isinstance(keys, list):
        return float(keys)
    ys = [k[0] for k in keys]
    i = int(np.searchsorted(ys, year, side="right")) - 1
    if i < 0:
        return keys[0][1]
    if i >= len(keys) - 1:
        return keys[-1][1]
    (y0, v0), (y1, v1) = keys[i], keys[i + 1]
    return v0 + (v1 - v0) * (year - y0) / (y1 - y0)


def add_output_args(ap):
    ap.add_argument("-o", "--out", help="output directory, or a path without extension "
                    "(default: next to the input data)")
    ap.add_argument("--format", default="png,pdf",
                    help="comma-separated formats to write (default: png,pdf)")
    ap.add_argument("--compact", action="store_true",
                    help="write the PNG as a 256-colour palette image (about 3x smaller; for the README gallery)")


def output_base(args, data_path, name):
    """Where to write: --out as a directory (existing, or ending in '/')
    gets `name`; any other --out is the path without extension; without
    --out, `name` goes next to the data."""
    out = args.out
    if out is None:
        d = data_path if os.path.isdir(data_path) else os.path.dirname(data_path) or "."
        return os.path.join(d, name)
    if os.path.isdir(out) or out.endswith(os.sep):
        os.makedirs(out, exist_ok=True)
        return os.path.join(out, name)
    parent = os.path.dirname(out)
    if parent:
        os.makedirs(parent, exist_ok=True)
    return re.sub(r"\.(png|pdf)$", "", out)


def save(fig, base, formats="png,pdf", compact=False):
    """Write the figure as base.png (dpi 150) and/or base.pdf, print the
    paths. compact: quantize the PNG to a 256-colour palette."""
    for ext in [e.strip().lower() for e in formats.split(",") if e.strip()]:
        if ext not in ("png", "pdf"):
            die(f"--format: unknown format '{ext}' (png, pdf)")
        f = f"{base}.{ext}"
        fig.savefig(f, dpi=150, bbox_inches="tight")
        if compact and ext == "png":
            from PIL import Image
            with Image.open(f) as im:
                q = im.convert("RGB").quantize(colors=256, method=0, dither=0)  # median cut, no dither
            q.save(f, optimize=True)
        print(f"wrote {f}")
    plt.close(fig)


def param_label(param):
    """Axis label of a swept parameter: 'US commitment to JPN (patron.commitment.JPN)'."""
    m = re.match(r"patron\.commitment\.([A-Z0-9]+)$", param)
    if m:
        return f"US commitment to {m.group(1)} (0..1; {param})"
    known = {"commitment": "US commitment to both allies (0..1)",
             "cyber.anonymity": "anonymity of cyber burden-sharing (0..1)",
             "model.rule": "quasi-alliance rule"}
    if param in known:
        return known[param]
    m = re.match(r"allies\.([A-Z0-9]+)\.cyber_share$", param)
    if m:
        return f"{m.group(1)}'s cyber share of burden-sharing (0..1)"
    return param


def metric_label(metric):
    """Axis label of a summary metric (spec section 5)."""
    m = re.match(r"(mean|final)_relation_([A-Z0-9]+)_([A-Z0-9]+)$", metric)
    if m:
        return f"{m.group(1)} relation {m.group(2)}-{m.group(3)} (-1 friction .. +1 cooperation)"
    m = re.match(r"share_(MA|AS|ME|SE)_([A-Z0-9_]+)$", metric)
    if m:
        return f"share of steps in {REGIME_NAMES[m.group(1)].split(' (')[0]} ({m.group(2).replace('_', '-')})"
    m = re.match(r"coop_share_([A-Z0-9_]+)$", metric)
    if m:
        return f"share of steps with relation > 0 ({m.group(1).replace('_', '-')})"
    m = re.match(r"mean_([a-z]+)_([A-Z0-9]+)$", metric)
    if m and m.group(1) in VAR_LABELS:
        return f"mean {VAR_LABELS[m.group(1)]}, {m.group(2)}"
    if metric == "mean_outcry":
        return "mean regional outcry (0..1)"
    return metric


def var_label(var):
    """Axis label of a per-step variable (relation_JPN_KOR, burden_JPN, ...)."""
    for k, v in VAR_LABELS.items():
        if var == k or var.startswith(k + "_"):
            return v
    return var
