// The report's charts, drawn by Chart.js (the pinned npm package the app serves, ADR 0170): the
// hourly profile, this period against the previous one with the targets, the top-10 contact
// reasons. The screen (reports.js) and the printed PDF (report-print.js) draw the same charts;
// `tr` translates the few words a chart shows.

const COLORS = {
  offered: "#7aa7d8",
  answered: "#2f7d4f",
  abandoned: "#c0392b",
  level: "#e08e0b",
  previous: "#b8bfc7",
  current: "#2a6fb0",
  target: "#c0392b",
};

const RATE_FIGURES = ["answer_rate", "service_level", "fcr", "csat", "occupancy", "utilization"];

/** Chart.js's constructor: the library is loaded once (a classic script that sets
 *  globalThis.Chart, imported here as a module so the strict CSP needs nothing inline). */
let loading = null;
export function loadChart(url = "/static/vendor/chart.js/chart.umd.min.js") {
  if (globalThis.Chart) return Promise.resolve(globalThis.Chart);
  loading = loading || import(url).then(() => {
    if (!globalThis.Chart) throw new Error("chart library did not load");
    return globalThis.Chart;
  });
  return loading;
}

function options(print, extra = {}) {
  return {
    animation: false,
    responsive: !print,
    maintainAspectRatio: false,
    devicePixelRatio: print ? 2 : undefined,
    plugins: { legend: { position: "bottom" } },
    ...extra,
  };
}

const pct = (x) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);

/** Offered, answered and abandoned per local hour (bars), the service level (line, %). */
export function hourlyChart(Chart, canvas, hours, tr, { print = false } = {}) {
  const labels = hours.map((h) => `${String(h.hour).padStart(2, "0")}:00`);
  const f = (name) => hours.map((h) => h.figures[name]);
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels,
      datasets: [
        { label: tr("Offered"), data: f("offered"), backgroundColor: COLORS.offered, yAxisID: "y" },
        { label: tr("Answered"), data: f("answered"), backgroundColor: COLORS.answered, yAxisID: "y" },
        { label: tr("Abandoned"), data: f("abandoned"), backgroundColor: COLORS.abandoned, yAxisID: "y" },
        {
          type: "line", label: `${tr("Service level")} %`, data: hours.map((h) => pct(h.figures.service_level)),
          borderColor: COLORS.level, backgroundColor: COLORS.level, yAxisID: "pct", spanGaps: false,
        },
      ],
    },
    options: options(print, {
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0 } },
        pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } },
      },
    }),
  });
}

/** The headline's rates this period, the period before and the target. */
export function compareChart(Chart, canvas, headline, figureNames, labelOf, tr, { print = false } = {}) {
  const names = figureNames.filter((n) => RATE_FIGURES.includes(n));
  const target = (n) => (headline.targets[n] ? pct(headline.targets[n].target) : null);
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: names.map(labelOf),
      datasets: [
        { label: tr("This period"), data: names.map((n) => pct(headline.figures[n])), backgroundColor: COLORS.current },
        { label: tr("Previous period"), data: names.map((n) => pct(headline.previous?.[n])), backgroundColor: COLORS.previous },
        {
          type: "line", label: tr("Target"), data: names.map(target), borderColor: COLORS.target,
          backgroundColor: COLORS.target, showLine: false, pointStyle: "line", pointRadius: 18, borderWidth: 3,
        },
      ],
    },
    options: options(print, { scales: { y: { min: 0, max: 100 } } }),
  });
}

/** The top contact reasons (dispositions), most frequent first. */
export function reasonsChart(Chart, canvas, reasons, tr, { print = false } = {}) {
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: reasons.map((r) => r.reason),
      datasets: [{ label: tr("Times"), data: reasons.map((r) => r.times), backgroundColor: COLORS.current }],
    },
    options: options(print, { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }),
  });
}
