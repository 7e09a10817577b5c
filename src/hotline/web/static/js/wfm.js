// Workforce planning for supervisors: import history, forecast a queue's week (with its 80 %
// range and backtest score), staff it, generate a schedule per team, simulate and publish it,
// decide agents' requests and read adherence. Every figure comes from /api/v1/wfm.
import { get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { el, percent, show } from "./interaction-format.js";
import { forecastChart, staffingChart } from "./wfm-charts.js";
import { activityName, addDays, dayLabel, hm, kindName, localDate, nextMonday, statusName, upload, wfmError } from "./wfm-common.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const $ = (id) => document.getElementById(id);
  const errorBox = $("wfm-error");
  const statusBox = $("wfm-status");
  const canWrite = Boolean($("plan-build"));
  let plan = null;
  let schedule = null;

  function fail(error) {
    show(errorBox, wfmError(error));
    show(statusBox, "");
  }

  function done(message) {
    show(statusBox, message);
    show(errorBox, "");
  }

  async function busy(button, work) {
    if (button) button.disabled = true;
    try {
      await work();
    } catch (error) {
      fail(error);
    } finally {
      if (button) button.disabled = false;
    }
  }

  const MODELS = () => ({
    seasonal_naive: t("Seasonal naive (same time last week)"),
    profile_median: t("Median of recent weeks"),
    exp_smoothing: t("Exponential smoothing (daily and weekly)"),
    top_down: t("Top-down (day totals × intraday shape)"),
    combined: t("Combined (smoothing and median)"),
  });
  const modelName = (m) => MODELS()[m] || m;

  // -- lists ------------------------------------------------------------------------------

  async function loadQueues() {
    const select = $("plan-queue");
    const queues = (await get("/api/v1/wfm/queues")).items;
    select.replaceChildren(...queues.map((q) => el("option", { value: q.name }, q.name)));
  }

  async function loadTeams() {
    try {
      const teams = (await get("/api/v1/teams")).items;
      $("schedule-team").append(...teams.map((team) => el("option", { value: team.id }, team.name)));
    } catch (error) {
      console.warn("teams", error);
    }
  }

  async function loadPlans(selected) {
    const select = $("plan-list");
    const plans = (await get("/api/v1/wfm/plans")).items;
    select.replaceChildren(
      el("option", { value: "" }, "—"),
      ...plans.map((p) => el("option", { value: p.id, selected: p.id === selected }, `${p.queue_id} · ${p.week_start}`)),
    );
  }

  async function loadSchedules(selected) {
    const select = $("schedule-list");
    const schedules = (await get("/api/v1/wfm/schedules")).items;
    select.replaceChildren(
      el("option", { value: "" }, "—"),
      ...schedules.map((s) =>
        el("option", { value: s.id, selected: s.id === selected }, `${s.week_start} · ${statusName(s.status)}`),
      ),
    );
  }

  // -- plan -------------------------------------------------------------------------------

  function renderPlan(p) {
    plan = p;
    $("plan-view").hidden = false;
    // the form shows what the plan was made for
    if (![...$("plan-queue").options].some((o) => o.value === p.queue_id)) $("plan-queue").append(el("option", { value: p.queue_id }, p.queue_id));
    $("plan-queue").value = p.queue_id;
    $("plan-week").value = p.week_start;
    $("plan-form").elements.interval_s.value = String(p.interval_s);
    $("plan-list").value = p.id;
    const labels = p.forecast.days.map(dayLabel);
    const week = p.scores.find((s) => s.model === p.model && s.horizon === "week");
    const peak = Math.max(...p.staffing.agents);
    const peakLines = Math.max(...p.staffing.lines);
    const peakPeople = Math.max(...p.staffing.scheduled);
    const total = p.forecast.calls.reduce((a, b) => a + b, 0);
    const parts = [
      t("Model: %(model)s.", { model: modelName(p.model) }),
      week
        ? t("Week-ahead backtest over %(days)s days: MASE %(mase)s, error %(relative)s× seasonal naive's.", {
            days: week.window_days, mase: week.mase?.toFixed(3), relative: week.relative?.toFixed(2),
          })
        : t("Too little history to backtest: the median of recent weeks is used."),
      t("%(calls)s contacts expected; peak %(agents)s agents on the phones (%(people)s people with shrinkage), %(lines)s lines.", {
        calls: Math.round(total), agents: peak, people: peakPeople, lines: peakLines,
      }),
      p.staffing.model === "erlang_a"
        ? t("Erlang A with a patience of %(s)s s estimated from abandons.", { s: Math.round(p.staffing.patience_s) })
        : t("Erlang C (no abandons known)."),
    ];
    $("plan-summary").textContent = parts.join(" ");
    $("plan-days").replaceChildren(
      ...p.forecast.days.map((d) => el("span", { className: p.forecast.special.includes(d) ? "chip special" : "chip" }, dayLabel(d))),
    );
    $("forecast-chart").replaceChildren(forecastChart(p.forecast, labels));
    drawStaffing();
    $("score-rows").replaceChildren(
      ...p.scores.map((s) =>
        el(
          "tr",
          { className: s.model === p.model ? "chosen" : "" },
          el("td", {}, modelName(s.model), s.model === p.model ? el("span", { className: "chip" }, t("chosen")) : null),
          el("td", {}, s.horizon === "week" ? t("week-ahead") : t("day-ahead")),
          el("td", {}, s.mase === null ? "—" : s.mase.toFixed(3)),
          el("td", {}, percent(s.wape)),
          el("td", {}, s.relative === null ? "—" : `${s.relative.toFixed(2)}×`),
        ),
      ),
    );
    $("plan-csv").href = `/api/v1/wfm/plans/${p.id}/export?format=csv`;
    $("plan-xlsx").href = `/api/v1/wfm/plans/${p.id}/export?format=xlsx`;
  }

  function drawStaffing() {
    if (!plan) return;
    const labels = plan.forecast.days.map(dayLabel);
    const covered = schedule && schedule.plan_id === plan.id ? schedule.result.coverage : null;
    $("staffing-chart").replaceChildren(staffingChart(plan.staffing.agents, covered, labels));
  }

  $("plan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    busy($("plan-build"), async () => {
      show(statusBox, t("Backtesting the models and forecasting…"));
      const created = await post("/api/v1/wfm/plans", {
        queue_id: form.get("queue_id"),
        week_start: form.get("week_start"),
        interval_s: Number(form.get("interval_s")),
      });
      renderPlan(created);
      await loadPlans(created.id);
      done(t("Forecast ready."));
    });
  });

  $("plan-list").addEventListener("change", (event) => {
    if (!event.target.value) return;
    busy(null, async () => renderPlan(await get(`/api/v1/wfm/plans/${event.target.value}`)));
  });

  // -- schedule ---------------------------------------------------------------------------

  function shiftCell(shift) {
    const breaks = shift.activities.filter((a) => a.activity !== "work");
    return el(
      "div",
      { className: "shift", dataset: { testid: "shift", agent: shift.agent_id } },
      el("strong", {}, `${hm(shift.start_at)}–${hm(shift.end_at)}`),
      ...breaks.map((b) => el("small", {}, `${activityName(b.activity)} ${hm(b.start_at)}`)),
    );
  }

  function renderSchedule(s) {
    schedule = s;
    $("schedule-view").hidden = false;
    const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(s.week_start, i));
    const shortfall = s.result.shortfall.reduce((a, b) => a + b, 0) * (s.result.slot_minutes / 60);
    const gap = s.result.bound ? (s.result.objective - s.result.bound) / s.result.bound : 0;
    $("schedule-summary").textContent = [
      t("%(status)s · %(shifts)s shifts.", { status: statusName(s.status), shifts: s.shifts.length }),
      t("Short by %(hours)s agent-hours over the week.", { hours: shortfall.toFixed(1) }),
      t("Objective %(objective)s against the best possible %(bound)s (%(gap)s).", {
        objective: s.result.objective.toFixed(1), bound: s.result.bound.toFixed(1), gap: `${(gap * 100).toFixed(1)}%`,
      }),
    ].join(" ");
    renderWhatIf(s.what_if);
    $("grid-head").replaceChildren(el("tr", {}, el("th", {}, t("Agent")), ...days.map((d) => el("th", {}, dayLabel(d)))));
    const byAgent = new Map();
    for (const shift of s.shifts) {
      if (!byAgent.has(shift.agent_id)) byAgent.set(shift.agent_id, { name: shift.agent_name, days: {} });
      byAgent.get(shift.agent_id).days[localDate(shift.start_at)] = shift;
    }
    $("grid-rows").replaceChildren(
      ...[...byAgent.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((agent) =>
          el("tr", {}, el("th", {}, agent.name), ...days.map((d) => el("td", {}, agent.days[d] ? shiftCell(agent.days[d]) : el("span", { className: "muted" }, t("off"))))),
        ),
    );
    if ($("publish")) $("publish").disabled = s.status === "published";
    $("schedule-csv").href = `/api/v1/wfm/schedules/${s.id}/export?format=csv`;
    $("schedule-xlsx").href = `/api/v1/wfm/schedules/${s.id}/export?format=xlsx`;
    drawStaffing();
  }

  function renderWhatIf(w) {
    $("what-if").textContent = w
      ? t("Simulated: service level %(sl)s in %(s)s s against the target %(target)s; ASA %(asa)s s; %(abandoned)s abandoned.", {
          sl: percent(w.service_level), s: w.target_s, target: percent(w.target), asa: Math.round(w.asa_s), abandoned: percent(w.abandon_share),
        })
      : "";
  }

  $("schedule-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!plan) {
      show(errorBox, t("Forecast a week first."));
      return;
    }
    const team = new FormData(event.target).get("team_id") || null;
    busy($("schedule-generate"), async () => {
      show(statusBox, t("Generating the schedule (this can take half a minute)…"));
      const created = await post("/api/v1/wfm/schedules", { plan_id: plan.id, team_id: team });
      renderSchedule(created);
      await loadSchedules(created.id);
      done(t("Schedule generated."));
    });
  });

  $("schedule-list").addEventListener("change", (event) => {
    if (!event.target.value) return;
    busy(null, async () => {
      const s = await get(`/api/v1/wfm/schedules/${event.target.value}`);
      if (!plan || plan.id !== s.plan_id) renderPlan(await get(`/api/v1/wfm/plans/${s.plan_id}`));
      renderSchedule(s);
    });
  });

  if (canWrite) {
    $("publish").addEventListener("click", () =>
      busy($("publish"), async () => {
        renderSchedule(await post(`/api/v1/wfm/schedules/${schedule.id}/publish`));
        await loadSchedules(schedule.id);
        done(t("Published: each agent now sees her own shifts."));
      }),
    );
    $("what-if-run").addEventListener("click", () =>
      busy($("what-if-run"), async () => {
        show(statusBox, t("Simulating the week…"));
        schedule.what_if = await post(`/api/v1/wfm/schedules/${schedule.id}/what-if`);
        renderWhatIf(schedule.what_if);
        done(t("Simulation done."));
      }),
    );
    $("history-form").addEventListener("submit", (event) => {
      event.preventDefault();
      busy($("history-import"), async () => {
        const summary = await upload("/api/v1/wfm/history", new FormData(event.target));
        done(t("Imported %(n)s intervals for %(queues)s (%(first)s to %(last)s).", {
          n: summary.intervals, queues: summary.queues.join(", "), first: summary.first_day, last: summary.last_day,
        }));
        await loadQueues();
      });
    });
  }

  // -- templates --------------------------------------------------------------------------

  const clockText = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  const minutesOf = (text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

  async function loadTemplates() {
    const templates = (await get("/api/v1/wfm/templates")).items;
    $("template-rows").replaceChildren(
      ...templates.map((tpl) =>
        el(
          "tr",
          {},
          el("td", {}, tpl.name),
          el("td", {}, t("%(h)s h", { h: tpl.minutes / 60 })),
          el("td", {}, `${clockText(tpl.earliest_start)}–${clockText(tpl.latest_start)}`),
          el("td", {}, tpl.breaks.map((b) => `${activityName(b.activity)} ${b.minutes}′`).join(", ") || "—"),
        ),
      ),
    );
  }

  if (canWrite) {
    $("template-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const f = new FormData(event.target);
      const minutes = Math.round(Number(f.get("hours")) * 60 / 15) * 15;
      const breaks = [];
      if (f.get("breaks")) breaks.push({ activity: "break", minutes: 15, earliest: Math.max(60, Math.round(minutes / 4 / 15) * 15 - 30), latest: Math.round(minutes / 4 / 15) * 15 + 30 });
      if (f.get("lunch") && minutes >= 300) breaks.push({ activity: "lunch", minutes: 30, earliest: Math.round(minutes / 2 / 15) * 15 - 60, latest: Math.round(minutes / 2 / 15) * 15 + 15 });
      if (f.get("breaks") && minutes >= 360) breaks.push({ activity: "break", minutes: 15, earliest: Math.round(minutes * 3 / 4 / 15) * 15 - 30, latest: Math.min(minutes - 30, Math.round(minutes * 3 / 4 / 15) * 15 + 30) });
      busy($("template-add"), async () => {
        await post("/api/v1/wfm/templates", {
          name: f.get("name"), minutes, earliest_start: minutesOf(f.get("earliest")), latest_start: minutesOf(f.get("latest")),
          start_step: 30, breaks,
        });
        event.target.reset();
        await loadTemplates();
        done(t("Template added."));
      });
    });
  }

  // -- requests and adherence -------------------------------------------------------------

  function when(r) {
    if (r.kind === "time_off") return `${localDate(r.starts_at)} ${hm(r.starts_at)} – ${localDate(r.ends_at)} ${hm(r.ends_at)}`;
    return t("with %(name)s", { name: r.other_agent_name || "—" });
  }

  async function loadRequests() {
    const requests = (await get("/api/v1/wfm/requests")).items;
    $("request-rows").replaceChildren(
      ...requests.map((r) => {
        const actions = el("td", { className: "row-actions" });
        if (canWrite && r.status === "pending") {
          for (const [approve, label] of [[true, t("Approve")], [false, t("Reject")]]) {
            const button = el("button", { type: "button", className: "small", dataset: { testid: approve ? "approve" : "reject" } }, label);
            button.addEventListener("click", () =>
              busy(button, async () => {
                await post(`/api/v1/wfm/requests/${r.id}/decision`, { approve });
                await loadRequests();
                if (schedule) renderSchedule(await get(`/api/v1/wfm/schedules/${schedule.id}`));
                done(approve ? t("Approved.") : t("Rejected."));
              }),
            );
            actions.append(button);
          }
        }
        return el("tr", {}, el("td", {}, r.agent_name), el("td", {}, kindName(r.kind)), el("td", {}, when(r)), el("td", {}, r.note), el("td", {}, statusName(r.status)), actions);
      }),
    );
  }

  $("adherence-form").addEventListener("submit", (event) => {
    event.preventDefault();
    busy(null, async () => {
      const rows = (await get(`/api/v1/wfm/adherence?day=${$("adherence-day").value}`)).items;
      $("adherence-rows").replaceChildren(
        ...(rows.length
          ? rows.map((r) =>
              el("tr", {}, el("td", {}, r.agent_name), el("td", {}, t("%(m)s min", { m: r.scheduled_minutes })), el("td", {}, t("%(m)s min", { m: r.out_minutes })), el("td", {}, percent(r.adherence)), el("td", {}, percent(r.conformance))),
            )
          : [el("tr", {}, el("td", { colspan: 5, className: "muted" }, t("No published shifts that day.")))]),
      );
    });
  });

  $("plan-week").value = nextMonday();
  $("adherence-day").value = localDate(new Date()); // today in the tenant's zone
  await Promise.all([loadQueues(), loadTeams(), loadPlans(), loadSchedules(), loadTemplates(), loadRequests()]).catch(fail);
  document.body.dataset.ready = "true";
}
