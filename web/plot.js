/* plot.js: the explorer's small line-chart drawer (canvas 2D, no library).
 * One function, asimPlot(canvas, spec), draws a whole chart:
 *   spec.x        x values (years), one per step
 *   spec.ylim     [lo, hi]
 *   spec.ylabel   axis title
 *   spec.shades   [{x0, x1, color, alpha, label}]: periods behind the data
 *   spec.bands    [{lo, hi, color}]: filled between two series
 *   spec.lines    [{y, color, label, dash, width}]
 *   spec.strip    {shares: [[...] per category], colors, labels, title}:
 *                 a stacked strip below the chart (the regime band)
 * The canvas is drawn at the device's pixel ratio, so it stays sharp on
 * a projector; sizes follow the page's font size. */
"use strict";

function asimPlot(canvas, spec) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth, cssH = canvas.clientHeight;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, cssW, cssH);
  const em = parseFloat(getComputedStyle(canvas).fontSize) || 16;
  const font = (k) => `${Math.round(em * k)}px system-ui, "DejaVu Sans", sans-serif`;
  const stripH = spec.strip ? Math.round(em * 1.6) : 0;
  const left = Math.round(em * 3.6), right = cssW - Math.round(em * 0.8);
  g.font = font(0.9);
  const legend = layoutLegend(g, legendItems(spec), left, right, Math.round(em * 1.25));
  const box = { left, right, top: legend.height + Math.round(em * 0.4),
                bottom: cssH - Math.round(em * 2.2) - stripH };
  if (box.right - box.left < 20 || box.bottom - box.top < 20) return;
  const x = spec.x, n = x.length;
  const x0 = x[0], x1 = n > 1 ? x[n - 1] : x0 + 1;
  const [y0, y1] = spec.ylim;
  const px = (v) => box.left + (v - x0) / (x1 - x0) * (box.right - box.left);
  const py = (v) => box.bottom - (Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0) * (box.bottom - box.top);

  drawShades(g, spec.shades || [], px, box, x0, x1, font);
  drawAxes(g, box, x0, x1, y0, y1, px, py, font, spec.ylabel);
  for (const b of spec.bands || []) drawBand(g, x, b, px, py);
  for (const l of spec.lines || []) drawLine(g, x, l, px, py);
  if (spec.strip) drawStrip(g, x, spec.strip, px, box, stripH, font);
  drawLegend(g, legend, font);
}

function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step)
    ticks.push(Math.abs(v) < 1e-12 ? 0 : v);
  return ticks;
}

function drawAxes(g, box, x0, x1, y0, y1, px, py, font, ylabel) {
  g.strokeStyle = "#ccc";
  g.fillStyle = "#222";
  g.lineWidth = 1;
  g.font = font(0.9);
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (const v of niceTicks(y0, y1, 4)) {
    g.beginPath();
    g.moveTo(box.left, py(v));
    g.lineTo(box.right, py(v));
    g.stroke();
    g.fillText(String(+v.toFixed(2)), box.left - 6, py(v));
  }
  g.textAlign = "center";
  g.textBaseline = "top";
  const xt = niceTicks(x0, x1, Math.max(2, Math.floor((box.right - box.left) / 110)));
  for (const v of xt) { /* kept within the box, clear of the y labels */
    const text = String(+v.toFixed(1)), half = g.measureText(text).width / 2;
    g.fillText(text, Math.min(Math.max(px(v), box.left + half), box.right - half), box.bottom + 5);
  }
  g.strokeStyle = "#333";
  g.strokeRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  if (ylabel) {
    g.save();
    g.translate(parseFloat(font(0.9)) * 0.8, (box.top + box.bottom) / 2);
    g.rotate(-Math.PI / 2);
    g.font = font(0.9);
    g.fillText(ylabel, 0, -parseFloat(font(0.9)) * 0.5);
    g.restore();
  }
}

function drawShades(g, shades, px, box, x0, x1, font) {
  g.font = font(0.75);
  g.textAlign = "center";
  g.textBaseline = "top";
  for (const s of shades) {
    const a = Math.max(s.x0, x0), b = Math.min(s.x1, x1);
    if (b <= a) continue;
    g.globalAlpha = s.alpha;
    g.fillStyle = s.color;
    g.fillRect(px(a), box.top, px(b) - px(a), box.bottom - box.top);
    g.globalAlpha = 1;
    if (s.label && px(b) - px(a) > g.measureText(s.label).width + 4) {
      g.fillStyle = "#333";
      g.fillText(s.label, (px(a) + px(b)) / 2, box.top + 3);
    }
  }
}

function drawBand(g, x, b, px, py) {
  g.beginPath();
  for (let i = 0; i < x.length; i++) g.lineTo(px(x[i]), py(b.hi[i]));
  for (let i = x.length - 1; i >= 0; i--) g.lineTo(px(x[i]), py(b.lo[i]));
  g.closePath();
  g.globalAlpha = 0.25;
  g.fillStyle = b.color;
  g.fill();
  g.globalAlpha = 1;
}

function drawLine(g, x, l, px, py) {
  g.beginPath();
  g.setLineDash(l.dash ? [7, 5] : []);
  for (let i = 0; i < x.length; i++) g.lineTo(px(x[i]), py(l.y[i]));
  g.strokeStyle = l.color;
  g.lineWidth = l.width || 2.2;
  g.stroke();
  g.setLineDash([]);
}

function drawStrip(g, x, strip, px, box, h, font) {
  const top = box.bottom + Math.round(h * 0.95), n = x.length;
  const step = n > 1 ? (x[n - 1] - x[0]) / (n - 1) : 1;
  for (let i = 0; i < n; i++) {
    const a = px(x[i]), b = px(x[i] + step) + 0.5;
    let y = top;
    strip.shares.forEach((share, r) => {
      const hh = share[i] * h * 0.9;
      if (hh <= 0) return;
      g.fillStyle = strip.colors[r];
      g.fillRect(a, y, b - a, hh);
      y += hh;
    });
  }
  g.fillStyle = "#222";
  g.font = font(0.85);
  g.textAlign = "right";
  g.textBaseline = "middle";
  g.fillText(strip.title, box.left - 6, top + h * 0.45);
}

/* The legend's entries: lines, then shaded periods, then the strip's categories. */
function legendItems(spec) {
  const items = (spec.lines || []).filter((l) => l.label).map((l) => ({ kind: "line", ...l }));
  for (const s of spec.legendShades || []) items.push({ kind: "box", ...s });
  if (spec.strip) spec.strip.labels.forEach((lab, r) => items.push({ kind: "box", color: spec.strip.colors[r], alpha: 1, label: lab }));
  return items;
}

/* Place the entries in rows between left and right (g.font set); the chart
 * starts below the last row, so a wrapped legend never covers it. */
function layoutLegend(g, items, left, right, rowH) {
  let xx = left, y = rowH / 2 + 2;
  const placed = items.map((it) => {
    const w = g.measureText(it.label).width + 34;
    if (xx + w > right && xx > left) { xx = left; y += rowH; }
    const at = { ...it, x: xx, y };
    xx += w;
    return at;
  });
  return { items: placed, height: Math.round(y + rowH / 2) };
}

function drawLegend(g, legend, font) {
  g.font = font(0.9);
  g.textBaseline = "middle";
  g.textAlign = "left";
  for (const it of legend.items) {
    if (it.kind === "line") {
      g.beginPath();
      g.setLineDash(it.dash ? [7, 5] : []);
      g.moveTo(it.x, it.y);
      g.lineTo(it.x + 24, it.y);
      g.strokeStyle = it.color;
      g.lineWidth = it.width || 2.2;
      g.stroke();
      g.setLineDash([]);
    } else {
      g.globalAlpha = it.alpha;
      g.fillStyle = it.color;
      g.fillRect(it.x, it.y - 6, 24, 12);
      g.globalAlpha = 1;
    }
    g.fillStyle = "#222";
    g.fillText(it.label, it.x + 28, it.y);
  }
}
