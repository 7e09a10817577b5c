// The reports screen (issue 16): a day, week, month or range in the tenant's time zone, rows by
// queue, skill group, team, agent, channel, number or VIP level; the headline figures against
// their targets and the period before; the hourly profile, the top-10 contact reasons, the
// agent ranking and the VIP line; drill-down from a count to the contacts behind it; CSV, XLSX
// and PDF downloads. Agents see "my figures" only (the server decides, ADR 0132). The figures
// come from one call (/api/v1/reports/page), the same the PDF is printed from.
import { get } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { CHANNELS, Names, OUTCOMES, duration, el, errorText, queueOf, resolvedMark, show, timeZone, when } from "./interaction-format.js";
import { compareChart, hourlyChart, loadChart, reasonsChart } from "./report-charts.js";

const LABELS = {
  contacts: "Contacts", offered: "Offered", answered: "Answered", abandoned: "Abandoned",
  short_abandoned: "Short abandons", answer_rate: "Answer rate", abandon_rate: "Abandon rate",
  service_level: "Service level", asa_s: "ASA (s)", longest_wait_s: "Longest wait (s)",
  callbacks_requested: "Callbacks requested", voicemails: "Voicemails", handled: "Handled",
  aht_s: "AHT (s)", talk_s: "Average talk (s)", hold_s: "Average hold (s)", acw_s: "ACW (s)",
  acw_overruns: "ACW overruns", transfers: "Transfers", fcr: "FCR", csat: "CSAT",
  csat_average: "CSAT average", csat_answers: "Survey answers", occupancy: "Occupancy",
  utilization: "Utilization", login_s: "Logged in (s)", not_ready_s: "Not ready (s)",
  dispositioned: "Dispositioned",
};
const DIMENSIONS = {
  center: "Center", queue: "Skill group", skill: "Skills required", team: "Team", agent: "Agent",
  channel: "Channel", did: "Number", vip: "VIP level",
};
const LOWER_IS_BETTER = new Set(["asa_s", "aht_s", "acw_s", "hold_s", "abandon_rate", "longest_wait_s"]);
const DRILL_PAGE = 50;

const label = (name) => t(LABELS[name] || name);

/** A figure as the PDF shows it too (web/report_print.py `shown`). */
export function shown(value, kind) {
  if (value === null || value === undefined) return "—";
  if (kind === "rate") return `${(value * 100).toFixed(1)}%`;
  if (kind === "seconds") return Number(value).toFixed(1);
  if (kind === "number") return Number(value).toFixed(2);
  return String(value);
}

/** Today in the tenant's time zone, as YYYY-MM-DD. */
function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone(), year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

export async function mount(scope) {
  await loadCatalog();
  const root = scope.root;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $("report-filters");
  const overseer = form.dataset.overseer === "true";
  const errorLine = $("report-error");
  const charts = [];
  scope.onClose(() => charts.splice(0).forEach((c) => c.destroy()));
  const names = await new Names().load({ agents: overseer, queues: true, dispositions: true });
  let Chart = null;
  try {
    Chart = await loadChart();
  } catch (error) {
    console.warn("charts", error);
    $("report-charts-missing").hidden = false;
  }
  if (scope.closed) return;

  // The filters live in the address, so a report can be bookmarked and shared.
  const url = new URL(window.location.href);
  form.period.value = url.searchParams.get("period") || "day";
  form.date.value = url.searchParams.get("date") || today();
  form.until.value = url.searchParams.get("until") || "";
  if (overseer) form.by.value = url.searchParams.get("by") || "queue";
  let wantedKey = overseer ? url.searchParams.get("key") || "" : "";
  const rangeLabel = root.querySelector("[data-range]");
  const syncRange = () => {
    rangeLabel.hidden = form.period.value !== "range";
    form.until.required = form.period.value === "range";
  };
  syncRange();
  form.period.addEventListener("change", syncRange);
  if (overseer) {
    form.by.addEventListener("change", () => {
      wantedKey = "";
      form.key.replaceChildren(el("option", { value: "" }, t("All")));
      load();
    });
  }

  function params(extra = {}) {
    const p = new URLSearchParams({ period: form.period.value, date: form.date.value });
    if (form.period.value === "range" && form.until.value) p.set("until", form.until.value);
    if (overseer) {
      p.set("by", form.by.value);
      if (form.key.value) p.set("key", form.key.value);
    }
    for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined && v !== "") p.set(k, v);
    return p;
  }

  let bundle = null;
  const keyLabel = (by, key, labels = {}) => {
    if (by === "queue") return labels[key] || queueOf(key, names);
    if (by === "agent") return labels[key] || names.agent(key);
    if (by === "channel") return CHANNELS()[key] || key;
    if (by === "vip") return `VIP ${key}`;
    if (by === "center") return t("Center");
    return key;
  };

  let first = true;
  async function load() {
    show(errorLine, "");
    if (overseer && !first) wantedKey = form.key.value;
    first = false;
    const p = params({ key: overseer ? wantedKey : "", order: $("ranking-order")?.value });
    history.replaceState(history.state, "", `${window.location.pathname}?${params({ key: overseer ? wantedKey : "" })}`);
    try {
      bundle = await get(`/api/v1/reports/page?${p}`);
    } catch (error) {
      show(errorLine, errorText(error));
      return;
    }
    if (scope.closed) return;
    if (overseer && !wantedKey) fillKeys(bundle.summary);
    else if (overseer && form.key.options.length <= 1) {
      // Opened on one key (a shared address): the other choices come from the whole report.
      const all = await get(`/api/v1/reports/summary?${params({ compare: "false" })}`).catch(() => null);
      if (all) fillKeys(all);
      form.key.value = wantedKey;
    }
    render();
  }

  /** The "only" choices: the keys the unfiltered report has rows for (and the viewer sees). */
  function fillKeys(summary) {
    const choices = summary.rows.map((r) => el("option", { value: r.key }, keyLabel(summary.by, r.key, summary.labels)));
    form.key.replaceChildren(el("option", { value: "" }, t("All")), ...choices);
  }

  function render() {
    const b = bundle;
    $("report-period-line").textContent = t("%(first)s to %(last)s (%(zone)s), compared with %(previous)s", {
      first: b.period.first, last: b.period.last, zone: b.period.time_zone, previous: b.previous_period?.label || "—",
    });
    $("report-provisional").hidden = !b.fcr_provisional;
    renderHeadline(b);
    renderRows(b);
    renderReasons(b);
    if (overseer) renderRanking(b), renderVip(b), renderHints(), renderQuality(), renderCampaigns();
    for (const format of ["csv", "xlsx", "pdf"]) {
      $(`export-${format}`).href = `/api/v1/reports/export?${params({ key: overseer ? wantedKey : "", format, lang: language() })}`;
    }
    charts.splice(0).forEach((c) => c.destroy());
    if (Chart) {
      charts.push(hourlyChart(Chart, $("hourly-chart"), b.hourly.hours, t));
      charts.push(compareChart(Chart, $("compare-chart"), b.headline, b.headline_figures, label, t));
      if (b.reasons.reasons.length) charts.push(reasonsChart(Chart, $("reasons-chart"), b.reasons.reasons, t));
      root.dataset.charts = String(charts.length);
    }
  }

  /** Where the headline's contacts are listed from: the chosen key, else the center (or, for an
   *  agent, her own segments). */
  function headlineDrill(figure) {
    if (!overseer) return { figure };
    if (wantedKey) return { figure, by: form.by.value, key: wantedKey };
    return { figure, by: "center" };
  }

  function drillButton(text, drill, testid) {
    return el("button", { type: "button", className: "link drill", "data-testid": testid, onclick: () => openDrill(drill) }, text);
  }

  function renderHeadline(b) {
    const head = b.headline;
    const cards = b.headline_figures.map((name) => {
      const kind = b.kinds[name];
      const value = shown(head.figures[name], kind);
      const verdict = head.targets[name];
      const drillable = b.drillable.includes(name) && head.figures[name] > 0;
      const valueNode = drillable ? drillButton(value, headlineDrill(name), `kpi-drill-${name}`) : value;
      const previous = head.previous ? head.previous[name] : null;
      let delta = null;
      if (previous !== null && previous !== undefined && head.figures[name] !== null && head.figures[name] !== undefined) {
        const diff = head.figures[name] - previous;
        const better = LOWER_IS_BETTER.has(name) ? diff < 0 : diff > 0;
        const arrow = diff === 0 ? "=" : diff > 0 ? "▲" : "▼";
        delta = el("span", { className: diff === 0 ? "delta" : better ? "delta up" : "delta down" }, arrow);
      }
      return el(
        "div",
        { className: "kpi", "data-testid": `kpi-${name}`, dataset: { figure: name } },
        el("div", { className: "kpi-label" }, label(name)),
        el("div", { className: "kpi-value", "data-testid": `kpi-value-${name}` }, valueNode),
        verdict && verdict.met !== null
          ? el("div", { className: verdict.met ? "kpi-target met" : "kpi-target missed", "data-testid": `kpi-target-${name}` },
              `${verdict.met ? t("met") : t("missed")} · ${t("target %(value)s", { value: shown(verdict.target, kind) })}`)
          : null,
        el("div", { className: "kpi-previous" }, t("previous %(value)s", { value: shown(previous, kind) }), " ", delta),
      );
    });
    $("report-kpis").replaceChildren(...cards);
  }

  function renderRows(b) {
    const s = b.summary;
    $("report-rows-title").textContent = t("By %(dimension)s", { dimension: t(DIMENSIONS[s.by] || s.by) });
    $("report-head").replaceChildren(el("tr", {}, el("th", {}, t(DIMENSIONS[s.by] || s.by)), ...b.columns.map((n) => el("th", {}, label(n)))));
    const rows = s.rows.map((row) =>
      el("tr", { "data-key": row.key },
        el("td", {}, keyLabel(s.by, row.key, s.labels)),
        ...b.columns.map((name) => {
          const verdict = row.targets[name];
          const cls = ["num", verdict && verdict.met !== null ? (verdict.met ? "met" : "missed") : ""].join(" ").trim();
          const value = shown(row.figures[name], b.kinds[name]);
          const drillable = b.drillable.includes(name) && row.figures[name] > 0;
          return el("td", { className: cls, "data-figure": name },
            drillable ? drillButton(value, { figure: name, by: s.by, key: row.key }, `drill-${row.key}-${name}`) : value);
        }),
      ),
    );
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: b.columns.length + 1 }, t("Nothing was counted in this period."))));
    $("report-body").replaceChildren(...rows);
  }

  function renderReasons(b) {
    const rows = b.reasons.reasons.map((r, i) => el("tr", {}, el("td", {}, String(i + 1)), el("td", {}, names.disposition(r.reason)), el("td", { className: "num" }, String(r.times))));
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 3 }, t("No dispositions in this period."))));
    $("reason-rows").replaceChildren(...rows);
    $("reasons-chart").hidden = !b.reasons.reasons.length;
  }

  function renderRanking(b) {
    const r = b.ranking;
    $("ranking-rows").replaceChildren(
      ...r.rows.map((row) =>
        el("tr", { "data-agent": row.agent_id },
          el("td", {}, String(row.rank)),
          el("td", {}, r.labels[row.agent_id] || names.agent(row.agent_id)),
          ...["handled", "aht_s", "fcr", "csat", "occupancy"].map((n) => el("td", { className: "num" }, shown(row.figures[n], b.kinds[n]))),
        ),
      ),
    );
  }

  function renderVip(b) {
    const rows = b.vip.rows.map((row) => {
      const v = row.targets.service_level;
      return el("tr", { "data-level": row.key },
        el("td", {}, `VIP ${row.key}`),
        el("td", { className: "num" }, String(row.figures.offered)),
        el("td", { className: "num" }, String(row.figures.answered)),
        el("td", { className: `num ${v.met === null ? "" : v.met ? "met" : "missed"}` }, shown(row.figures.service_level, "rate")),
        el("td", { className: "num" }, shown(v.target, "rate")),
        el("td", { className: "num" }, shown(row.figures.asa_s, "seconds")),
      );
    });
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 6 }, t("No VIP customer called in this period."))));
    $("vip-rows").replaceChildren(...rows);
  }

  /** How each hint during service was answered in the period (the agent's last answer per
   *  contact); acceptance = accepted of those answered. */
  async function renderHints() {
    const body = $("hint-rows");
    let found;
    try {
      found = await get(`/api/v1/reports/hints?${params()}`);
    } catch (error) {
      show(errorLine, errorText(error));
      return;
    }
    if (scope.closed) return;
    const rows = found.items.map((h) => {
      const answered = h.accepted + h.declined;
      return el("tr", { "data-rule": h.rule_id },
        el("td", {}, h.name),
        ...[h.offered, h.accepted, h.declined].map((n) => el("td", { className: "num" }, String(n))),
        el("td", { className: "num" }, shown(answered ? h.accepted / answered : null, "rate")),
      );
    });
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 5 }, t("No hint was answered in this period."))));
    body.replaceChildren(...rows);
    root.dataset.hints = "shown";
  }

  /** Surveys and forced reviews in the period (docs/quality.md): review completion, escalated
   *  reviews, the closed ones' root causes, and response rates per survey and channel. */
  const CAUSES = { agent_skill: "Agent skill", process: "Process", product: "Product", policy: "Policy", other: "Other" };
  const SURVEY_CHANNELS = { ivr: "IVR", email: "E-mail" };
  async function renderQuality() {
    let found;
    try {
      found = await get(`/api/v1/reports/quality?${params()}`);
    } catch (error) {
      show(errorLine, errorText(error));
      return;
    }
    if (scope.closed) return;
    const r = found.reviews;
    $("review-rows").replaceChildren(el("tr", {},
      ...[r.opened, r.closed].map((n) => el("td", { className: "num" }, String(n))),
      el("td", { className: "num", "data-testid": "review-completion" }, shown(r.opened ? r.closed / r.opened : null, "rate")),
      el("td", { className: "num" }, String(r.escalated)),
    ));
    const causes = Object.entries(r.causes).map(([cause, n]) => el("tr", { "data-cause": cause },
      el("td", {}, t(CAUSES[cause] || cause)), el("td", { className: "num" }, String(n))));
    if (!causes.length) causes.push(el("tr", {}, el("td", { colspan: 2 }, t("No review was closed in this period."))));
    $("cause-rows").replaceChildren(...causes);
    const responses = found.responses.map((x) => el("tr", { "data-survey": x.survey, "data-channel": x.channel },
      el("td", {}, x.survey),
      el("td", {}, t(SURVEY_CHANNELS[x.channel] || x.channel)),
      ...[x.offered, x.answered].map((n) => el("td", { className: "num" }, String(n))),
      el("td", { className: "num" }, shown(x.offered ? x.answered / x.offered : null, "rate")),
    ));
    if (!responses.length) responses.push(el("tr", {}, el("td", { colspan: 5 }, t("No survey was offered in this period."))));
    $("response-rows").replaceChildren(...responses);
    const qa = found.qa;
    const BY = { by_agent: t("Agent"), by_team: t("Team"), by_question: t("Question"), by_evaluator: t("Evaluator") };
    const qaRows = [];
    for (const [by, label] of Object.entries(BY)) {
      for (const a of qa[by]) {
        const name = by === "by_agent" ? names.agent(a.key) : a.name;
        qaRows.push(el("tr", { "data-by": by.slice(3), "data-key": a.key },
          el("td", {}, label), el("td", {}, name),
          el("td", { className: "num" }, String(a.evaluations)),
          el("td", { className: "num", "data-testid": "qa-average" }, `${a.average}%`),
          el("td", { className: "num" }, by === "by_question" ? "" : String(a.critical_failed))));
      }
    }
    if (!qaRows.length) qaRows.push(el("tr", {}, el("td", { colspan: 5 }, t("No evaluation was submitted in this period."))));
    $("qa-rows").replaceChildren(...qaRows);
    root.dataset.quality = "shown";
  }

  /** Outbound campaigns in the period (docs/dialer.md): the campaigns screen's figures over
   *  the period's dial log, with their own CSV and XLSX downloads. */
  async function renderCampaigns() {
    for (const format of ["csv", "xlsx"]) {
      $(`campaigns-${format}`).href = `/api/v1/reports/campaigns?${params({ format, lang: language() })}`;
    }
    let found;
    try {
      found = await get(`/api/v1/reports/campaigns?${params()}`);
    } catch (error) {
      show(errorLine, errorText(error));
      return;
    }
    if (scope.closed) return;
    const rows = found.items.map((c) => {
      const f = c.figures;
      return el("tr", { "data-campaign": c.id },
        el("td", {}, c.name),
        ...[f.dials, f.connects, f.right_party, f.conversions].map((n) => el("td", { className: "num" }, String(n))),
        ...[f.abandon_rate_period, f.abandon_rate_window, f.abandon_rate_lifetime].map((r) => el("td", { className: "num" }, shown(r, "rate"))),
        el("td", { className: "num" }, `${f.amd_human} / ${f.amd_machine} / ${f.amd_unsure}`),
        ...[f.talk_occupancy, f.penetration].map((r) => el("td", { className: "num" }, shown(r, "rate"))),
      );
    });
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 11 }, t("No campaign dialed in this period."))));
    $("campaign-rows").replaceChildren(...rows);
    root.dataset.campaigns = "shown";
  }

  // Drill-down: the contacts behind a figure, each linking to its own page. ------------------
  let drill = null;
  let drillOffset = 0;
  let drillAsked = 0; // the latest page asked for: an answer to an older one is dropped

  async function openDrill(which) {
    drill = which;
    drillOffset = 0;
    $("drill-mark").value = "";
    $("drill-rows").replaceChildren();
    const who = which.key ? keyLabel(which.by, which.key, bundle.summary.by === which.by ? bundle.summary.labels : {}) : which.by === "center" ? t("Center") : t("My figures");
    $("drill-title").textContent = t("The contacts behind %(figure)s · %(key)s", { figure: label(which.figure), key: who });
    $("drill").hidden = false;
    await drillPage();
    $("drill").scrollIntoView({ block: "start" });
  }

  async function drillPage() {
    const p = new URLSearchParams({ period: form.period.value, date: form.date.value, figure: drill.figure, limit: DRILL_PAGE, offset: drillOffset });
    if (form.period.value === "range" && form.until.value) p.set("until", form.until.value);
    if (drill.by) p.set("by", drill.by);
    if (drill.key) p.set("key", drill.key);
    if ($("drill-mark").value) p.set("mark", $("drill-mark").value);
    const asked = ++drillAsked;
    let found;
    try {
      found = await get(`/api/v1/reports/contacts?${p}`);
    } catch (error) {
      show(errorLine, errorText(error));
      return;
    }
    if (scope.closed || asked !== drillAsked) return; // a newer drill or filter was asked for
    const rows = found.items.map((c) =>
      el("tr", { "data-interaction": c.id },
        el("td", {}, el("a", { href: `/interactions/${encodeURIComponent(c.id)}` }, when(c.started_at))),
        el("td", {}, CHANNELS()[c.channel] || c.channel),
        el("td", {}, c.caller_number || ""),
        el("td", {}, queueOf(c.queue_id, names)),
        el("td", {}, names.agent(c.agent_id)),
        el("td", {}, OUTCOMES()[c.outcome] || c.outcome || ""),
        el("td", {}, duration(c.wait_s)),
        el("td", {}, duration(c.talk_s)),
        el("td", {}, c.csat === null || c.csat === undefined ? "" : String(c.csat)),
        el("td", {}, names.disposition(c.disposition)),
        el("td", { "data-testid": "drill-resolved" }, resolvedMark(c.resolved)),
      ),
    );
    if (!rows.length && drillOffset === 0) rows.push(el("tr", {}, el("td", { colspan: 11 }, t("No contacts."))));
    $("drill-rows").append(...rows);
    drillOffset += found.items.length;
    const more = $("drill-more");
    more.hidden = drillOffset >= found.total;
    more.textContent = `${t("More")} (${t("%(shown)s of %(total)s", { shown: drillOffset, total: found.total })})`;
  }

  $("drill-more").addEventListener("click", () => drillPage());
  $("drill-mark").addEventListener("change", () => {
    drillOffset = 0;
    $("drill-rows").replaceChildren();
    drillPage();
  });
  $("drill-close").addEventListener("click", () => ($("drill").hidden = true));
  $("ranking-order")?.addEventListener("change", () => load());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  await load();
}
