// Small SVG charts for workforce planning: a week of intervals on one axis, a band (the 80 %
// range) under a line (the forecast), and step lines (agents needed against agents scheduled).
// Drawn by hand: two chart types do not justify a charting library.

const NS = "http://www.w3.org/2000/svg";
const WIDTH = 1100;
const HEIGHT = 220;
const PAD = { left: 40, right: 10, top: 10, bottom: 26 };

function node(tag, attrs = {}) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  return n;
}

function frame(days, top, labels) {
  const svg = node("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "wfm-chart", role: "img" });
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const ticks = 4;
  for (let i = 0; i <= ticks; i++) {
    const value = (top * i) / ticks;
    const y = PAD.top + plotH - (plotH * i) / ticks;
    svg.append(node("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: "gridline" }));
    const label = node("text", { x: PAD.left - 4, y: y + 4, class: "axis", "text-anchor": "end" });
    label.textContent = Number.isInteger(value) ? String(value) : value.toFixed(1);
    svg.append(label);
  }
  for (let d = 0; d < days; d++) {
    const x = PAD.left + (plotW * d) / days;
    svg.append(node("line", { x1: x, x2: x, y1: PAD.top, y2: PAD.top + plotH, class: "dayline" }));
    const label = node("text", { x: x + plotW / days / 2, y: HEIGHT - 8, class: "axis", "text-anchor": "middle" });
    label.textContent = labels[d] || "";
    svg.append(label);
  }
  const x = (i, n) => PAD.left + (plotW * i) / n;
  const y = (v) => PAD.top + plotH - (plotH * v) / (top || 1);
  return { svg, x, y };
}

/** A round top for the axis whose four ticks are whole numbers when the values are small. */
function niceTop(values) {
  const max = Math.max(1, ...values);
  const step = Math.max(1, 10 ** Math.floor(Math.log10(max)) / 2);
  return Math.ceil(max / (4 * step)) * 4 * step;
}

/** Forecast line with its range as a band; `labels` name the days. */
export function forecastChart(forecast, labels) {
  const n = forecast.calls.length;
  const { svg, x, y } = frame(labels.length, niceTop(forecast.upper), labels);
  let band = "";
  for (let i = 0; i < n; i++) band += `${i ? "L" : "M"}${x(i, n)},${y(forecast.upper[i])}`;
  for (let i = n - 1; i >= 0; i--) band += `L${x(i, n)},${y(forecast.lower[i])}`;
  svg.append(node("path", { d: band + "Z", class: "band" }));
  let line = "";
  for (let i = 0; i < n; i++) line += `${i ? "L" : "M"}${x(i, n)},${y(forecast.calls[i])}`;
  svg.append(node("path", { d: line, class: "line forecast" }));
  return svg;
}

function steps(values, x, y) {
  const n = values.length;
  let d = "";
  for (let i = 0; i < n; i++) d += `${i ? "L" : "M"}${x(i, n)},${y(values[i])}H${x(i + 1, n)}`;
  return d;
}

/** Agents needed (step line) and, when a schedule exists, agents scheduled over it. */
export function staffingChart(needed, covered, labels) {
  const { svg, x, y } = frame(labels.length, niceTop([...needed, ...(covered || [])]), labels);
  if (covered) svg.append(node("path", { d: steps(covered, x, y), class: "line cover" }));
  svg.append(node("path", { d: steps(needed, x, y), class: "line need" }));
  return svg;
}
