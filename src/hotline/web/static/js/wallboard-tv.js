// The wallboard's TV mode (/wallboard/tv): large figures readable across a room, coloured at
// each queue's thresholds, today's service level and waiting per hour (Chart.js, ADR 0170), and
// the queues shown a group at a time, rotating. `?groups=sales,support;vip` chooses the groups
// (queue codes; `;` between groups), `?rotate=20` the seconds per group; by default the queues
// go three to a group in their code order.
import { get } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { clock, percent as pct, timeOfDay } from "./interaction-format.js";
import { loadChart } from "./report-charts.js";
import { mount as mountCampaigns } from "./wallboard-campaigns.js";
import { level, openFeed } from "./wallboard-feed.js";

const PER_GROUP = 3;
const CHART_REFRESH_MS = 60_000;
const LINE_COLORS = ["#4fc3f7", "#ffb74d", "#ba68c8", "#81c784", "#f06292", "#fff176"];

/** Mount this screen (shell.js): its socket, timers and charts go with `scope`. */
export async function mount(scope) {
  await loadCatalog();
  document.documentElement.lang = language();
  const params = new URLSearchParams(window.location.search);
  const rotateS = Math.max(5, Number(params.get("rotate")) || 20);
  const chosen = (params.get("groups") || "")
    .split(";")
    .map((g) => g.split(",").map((q) => q.trim()).filter(Boolean))
    .filter((g) => g.length);
  const names = {};
  for (const q of (await get("/api/v1/queues?limit=500")).items) names[q.name] = q.display_name;
  let rules = {};
  try {
    rules = (await get("/api/v1/wallboard/thresholds")).queues;
  } catch (error) {
    console.warn("no thresholds: colours follow the SL target only", error);
  }
  const Chart = await loadChart().catch(() => null);
  if (scope.closed) return;

  const root = document.getElementById("tv");
  const status = document.getElementById("board-status");
  let groupIndex = 0;
  let groupKey = "";
  let charts = [];
  let chartsFor = "";

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function figure(label, value, { testid, tone, size = "" } = {}) {
    const strong = el("strong", testid ? { dataset: { testid } } : {}, value);
    return el("div", { className: `tv-figure ${size} ${tone ? `tone-${tone}` : ""}`.trim(), dataset: tone ? { tone } : {} },
      strong, el("span", {}, label));
  }

  /** The queue groups now: the chosen ones (queues the board knows), else three to a group. */
  function groups(state) {
    const known = Object.keys(state.queues).filter((q) => !q.startsWith("@")).sort();
    if (chosen.length) {
      const picked = chosen.map((g) => g.filter((q) => known.includes(q))).filter((g) => g.length);
      if (picked.length) return picked;
    }
    const out = [];
    for (let i = 0; i < known.length; i += PER_GROUP) out.push(known.slice(i, i + PER_GROUP));
    return out;
  }

  function renderCenter(state, dt) {
    const c = state.center.all;
    const box = document.getElementById("tv-center");
    if (!c) return;
    const longest = c.oldest_entered_at ? c.longest_wait_s + dt : null;
    box.replaceChildren(
      figure(t("Waiting"), String(c.waiting), { testid: "tv-center-waiting" }),
      figure(t("Longest wait"), clock(longest)),
      figure(t("Service level today"), pct(c.today.service_level), { testid: "tv-center-sl" }),
      figure(t("Answered"), String(c.today.answered)),
      figure(t("Abandoned"), String(c.today.abandoned)),
      figure(t("Available"), String(c.agents.available)),
      figure(t("On call"), String(c.agents.busy)),
    );
  }

  function queueCard(q, dt) {
    const r = rules[q.queue_id];
    const longest = q.oldest_entered_at ? q.longest_wait_s + dt : null;
    const sl = q.today.service_level;
    const tones = {
      waiting: level("waiting", q.waiting, r, q.sl_target),
      longest: level("longest_wait", longest, r, q.sl_target),
      sl: level("service_level", sl, r, q.sl_target),
    };
    const worst = ["bad", "warn", "ok"].find((tone) => Object.values(tones).includes(tone)) || "none";
    const a = q.agents;
    return el("article", { className: `tv-queue tone-edge-${worst}`, dataset: { queue: q.queue_id, testid: `tv-queue-${q.queue_id}` } },
      el("h2", {}, names[q.queue_id] || q.queue_id),
      el("div", { className: "tv-big" },
        figure(t("Waiting"), String(q.waiting), { testid: `tv-waiting-${q.queue_id}`, tone: tones.waiting, size: "huge" }),
        figure(t("Service level today"), pct(sl), { testid: `tv-sl-${q.queue_id}`, tone: tones.sl, size: "huge" })),
      el("div", { className: "tv-small" },
        figure(t("Longest wait"), clock(longest), { testid: `tv-longest-${q.queue_id}`, tone: tones.longest }),
        figure(t("Target"), pct(r?.sl_below ?? q.sl_target)),
        figure(t("Answered"), String(q.today.answered)),
        figure(t("Abandoned"), String(q.today.abandoned)),
        figure(t("Available"), String(a.available)),
        figure(t("On call"), String(a.busy))),
    );
  }

  const hourLabel = (h) => `${String(h).padStart(2, "0")}:00`;

  /** Today's hours worth showing: the working day, stretched to any hour with contacts. */
  function span(series) {
    const now = Number(timeOfDay(Date.now() / 1000).slice(0, 2));
    let first = 8;
    let last = Math.max(18, now);
    for (const hours of series) for (const h of hours) if (h.figures.offered) {
      first = Math.min(first, h.hour);
      last = Math.max(last, h.hour);
    }
    return [first, Math.min(23, last)];
  }

  async function drawCharts(group) {
    const key = group.join(",");
    if (!Chart) return;
    let series;
    try {
      series = await Promise.all(group.map((q) =>
        get(`/api/v1/reports/hourly?period=day&by=queue&key=${encodeURIComponent(q)}`).then((r) => r.hours)));
    } catch (error) {
      document.getElementById("tv-charts").hidden = true; // no reports for this user
      return;
    }
    if (scope.closed || key !== groupKey) return;
    for (const chart of charts) chart.destroy();
    const [first, last] = span(series);
    const hours = [];
    for (let h = first; h <= last; h += 1) hours.push(h);
    const pick = (hoursOf, name, scale = 1) => hours.map((h) => {
      const v = hoursOf.find((x) => x.hour === h)?.figures[name];
      return v === null || v === undefined ? null : Math.round(v * scale * 10) / 10;
    });
    Chart.defaults.color = "#e8ecf2";
    Chart.defaults.font.size = 20;
    const common = {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 24, font: { size: 20 } } } },
      scales: { x: { grid: { color: "#2c3445" } }, y: { beginAtZero: true, grid: { color: "#2c3445" } } },
    };
    const target = group.map((q) => rules[q]?.sl_below ?? state.queues[q]?.sl_target).find((x) => x != null);
    const slSets = group.map((q, i) => ({
      label: names[q] || q, data: pick(series[i], "service_level", 100), borderColor: LINE_COLORS[i % LINE_COLORS.length],
      backgroundColor: LINE_COLORS[i % LINE_COLORS.length], borderWidth: 4, pointRadius: 4, spanGaps: true,
    }));
    if (target != null) {
      slSets.push({ label: t("Target"), data: hours.map(() => Math.round(target * 1000) / 10), borderColor: "#e57373",
        borderDash: [10, 8], borderWidth: 3, pointRadius: 0 });
    }
    charts = [
      new Chart(document.getElementById("tv-sl-chart"), {
        type: "line",
        data: { labels: hours.map(hourLabel), datasets: slSets },
        options: { ...common, scales: { ...common.scales, y: { ...common.scales.y, max: 100, ticks: { callback: (v) => `${v}%` } } } },
      }),
      new Chart(document.getElementById("tv-wait-chart"), {
        type: "bar",
        data: {
          labels: hours.map(hourLabel),
          datasets: group.map((q, i) => ({
            label: names[q] || q, data: pick(series[i], "asa_s"), backgroundColor: LINE_COLORS[i % LINE_COLORS.length],
          })),
        },
        options: { ...common, scales: { ...common.scales, y: { ...common.scales.y, ticks: { callback: (v) => t("%(s)s s", { s: v }) } } } },
      }),
    ];
    chartsFor = key;
  }

  let state = null;

  function render() {
    if (!state) return;
    const dt = feed.elapsed();
    renderCenter(state, dt);
    const all = groups(state);
    if (!all.length) {
      document.getElementById("tv-queues").replaceChildren(el("p", { className: "tv-empty" }, t("No queues yet")));
      return;
    }
    groupIndex %= all.length;
    const group = all[groupIndex];
    groupKey = group.join(",");
    document.getElementById("tv-group").textContent = group.map((q) => names[q] || q).join(" · ");
    document.getElementById("tv-page").textContent = all.length > 1
      ? t("Group %(n)s of %(total)s", { n: groupIndex + 1, total: all.length }) : "";
    document.getElementById("tv-page").dataset.group = String(groupIndex + 1);
    document.getElementById("tv-clock").textContent = timeOfDay(Date.now() / 1000).slice(0, 5);
    const queues = document.getElementById("tv-queues");
    queues.style.setProperty("--columns", String(group.length));
    queues.replaceChildren(...group.map((q) => queueCard(state.queues[q], dt)));
    if (chartsFor !== groupKey) {
      chartsFor = groupKey;
      drawCharts(group);
    }
  }

  const feed = openFeed(scope, {
    status,
    next: window.location.pathname + window.location.search,
    changed: (s) => {
      state = s;
      root.dataset.ready = "true";
      render();
    },
  });
  scope.every(render, 1000);
  scope.every(() => {
    groupIndex += 1;
    render();
  }, rotateS * 1000);
  scope.every(() => {
    chartsFor = ""; // today's hours grow: draw them again
    render();
  }, CHART_REFRESH_MS);
  scope.onClose(() => charts.forEach((c) => c.destroy()));
  document.getElementById("tv-full")?.addEventListener("click", () => document.documentElement.requestFullscreen?.());
  await mountCampaigns(scope, { tv: true });
}
