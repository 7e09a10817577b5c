// The supervisor wallboard: a snapshot then deltas over /api/v1/wallboard (wallboard-feed.js),
// rows replaced whole, ticking fields advanced locally between messages (docs/realtime.md).
import { get } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { SYSTEM_REASONS, clock, duration, percent as pct } from "./interaction-format.js";
import { SupervisorActions } from "./wallboard-actions.js";
import { mount as mountAdherence } from "./wallboard-adherence.js";
import { mount as mountCampaigns } from "./wallboard-campaigns.js";
import { openFeed } from "./wallboard-feed.js";

/** Mount this screen (shell.js): the board's socket and timers go with `scope`. */
export async function mount(scope) {
  await loadCatalog();
  const names = { queues: {}, agents: {}, reasons: {} };
  const status = document.getElementById("board-status");
  let audio = null;

  const STATES = {
    logged_out: t("Logged out"),
    available: t("Available"),
    reserved: t("Ringing"),
    busy: t("On call"),
    wrap_up: t("Wrap-up"),
    not_ready: t("Not ready"),
  };

  async function loadNames() {
    const [queues, agents, reasons] = await Promise.all([
      get("/api/v1/queues?limit=500"),
      get("/api/v1/agents?limit=500"),
      get("/api/v1/not-ready-reasons?limit=500"),
    ]);
    for (const q of queues.items) names.queues[q.name] = q.display_name;
    for (const a of agents.items) names.agents[a.id] = a.display_name || a.username;
    Object.assign(names.reasons, SYSTEM_REASONS());
    for (const r of reasons.items) names.reasons[r.code] = language() === "en" ? r.label_en : r.label_zh;
  }

  function beep() {
    try {
      audio = audio || new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.1;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.25);
    } catch (error) {
      console.warn("no alert sound", error);
    }
  }

  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function figure(label, value, testid) {
    const div = document.createElement("div");
    div.className = "figure";
    const v = document.createElement("strong");
    v.textContent = value;
    if (testid) v.dataset.testid = testid;
    const l = document.createElement("span");
    l.textContent = label;
    div.append(v, l);
    return div;
  }

  /** Who an agent talks to: the customer's name, else the number that called (looked up once
   *  per contact; the row is drawn again every second). */
  const customers = new Map();
  function customerOf(interactionId) {
    if (!interactionId) return "";
    if (!customers.has(interactionId)) {
      customers.set(interactionId, "…");
      get(`/api/v1/desk/screenpop/${encodeURIComponent(interactionId)}`)
        .then((p) => customers.set(interactionId, p.customer?.name || p.caller_number || t("Unknown number")))
        .catch(() => customers.set(interactionId, ""));
    }
    return customers.get(interactionId);
  }

  /** The personal line (work routed to one agent) is no queue: it reads "direct to an agent". */
  function queueName(id) {
    if (id === "@agent") return t("Direct to an agent");
    return id ? names.queues[id] || id : "";
  }

  /** The whole center, each contact counted once however many queues it visited. */
  function renderCenter(dt) {
    const strip = document.getElementById("center");
    const c = state.center.all;
    if (!strip || !c) return;
    const longest = c.oldest_entered_at ? c.longest_wait_s + dt : null;
    strip.replaceChildren(
      figure(t("Waiting"), String(c.waiting), "center-waiting"),
      figure(t("Longest wait"), clock(longest)),
      figure(t("Offered today"), String(c.today.offered), "center-offered"),
      figure(t("Answered"), String(c.today.answered), "center-answered"),
      figure(t("Abandoned"), String(c.today.abandoned), "center-abandoned"),
      figure(t("Service level today"), pct(c.today.service_level), "center-sl"),
      figure(t("ASA"), duration(c.today.asa_s)),
      figure(t("AHT"), duration(c.today.aht_s)),
      figure(t("CSAT"), pct(c.today.csat)),
    );
  }

  function render() {
    const dt = feed.elapsed();
    renderCenter(dt);
    const queues = document.getElementById("queues");
    queues.replaceChildren(
      ...Object.values(state.queues)
        .filter((q) => !q.queue_id.startsWith("@")) // the personal line is no queue
        .sort((a, b) => a.queue_id.localeCompare(b.queue_id))
        .map((q) => {
          const card = document.createElement("article");
          card.className = "queue-card";
          card.dataset.queue = q.queue_id;
          const title = document.createElement("h3");
          title.textContent = names.queues[q.queue_id] || q.queue_id;
          const longest = q.oldest_entered_at ? q.longest_wait_s + dt : null;
          const sl = q.today.service_level;
          const grid = document.createElement("div");
          grid.className = "figures";
          grid.append(
            figure(t("Waiting"), String(q.waiting), `waiting-${q.queue_id}`),
            figure(t("Longest wait"), clock(longest)),
            figure(t("Service level today"), pct(sl), `sl-${q.queue_id}`),
            figure(t("Service level, last 30 min"), pct(q.window.service_level)),
            figure(t("ASA"), duration(q.today.asa_s)),
            figure(t("Answered"), String(q.today.answered), `answered-${q.queue_id}`),
            figure(t("Abandoned"), String(q.today.abandoned), `abandoned-${q.queue_id}`),
            figure(t("Abandon rate"), pct(q.today.abandon_rate)),
          );
          const agents = document.createElement("p");
          agents.className = "agent-counts";
          agents.dataset.testid = `agents-${q.queue_id}`;
          const a = q.agents;
          agents.textContent = [
            `${t("Available")} ${a.available}`,
            `${t("On call")} ${a.busy}`,
            `${t("Wrap-up")} ${a.wrap_up}`,
            `${t("Not ready")} ${a.not_ready}`,
            `${t("Ringing")} ${a.reserved}`,
          ].join(" · ");
          if (sl !== null && sl < q.sl_target) card.classList.add("below-target");
          card.append(title, grid, agents);
          return card;
        }),
    );
    const rows = document.getElementById("agent-rows");
    rows.replaceChildren(
      ...Object.values(state.agents)
        .filter((a) => a.state !== "logged_out")
        .sort((a, b) => (names.agents[a.agent_id] || a.agent_id).localeCompare(names.agents[b.agent_id] || b.agent_id))
        .map((a) => {
          const tr = document.createElement("tr");
          tr.dataset.agent = a.agent_id;
          const reason = a.reason && a.state === "not_ready" ? names.reasons[a.reason] || a.reason : null;
          let stateText = reason ? STATES[a.state] + " (" + reason + ")" : STATES[a.state];
          if (a.overrun_since) stateText += " · " + t("overran");
          tr.append(
            cell(names.agents[a.agent_id] || a.agent_id),
            cell(stateText, `state state-${a.state}${a.overrun_since ? " overrun" : ""}`),
            cell(clock(a.time_in_state_s + dt)),
            cell(queueName(a.queue_id)),
            cell(customerOf(a.interaction_id), "customer"),
            cell(String(a.handled)),
            cell(duration(a.aht_s)),
            cell(pct(a.occupancy)),
          );
          if (actions) tr.append(actions.cell(a));
          return tr;
        }),
    );
    const alerts = document.getElementById("alerts");
    alerts.replaceChildren(
      ...Object.values(state.alerts).map((alert) => {
        const div = document.createElement("div");
        div.className = "alert";
        const queue = names.queues[alert.queue_id] || alert.queue_id;
        const what = {
          waiting: t("%(queue)s: %(n)s callers waiting", { queue, n: alert.value_at_raise }),
          longest_wait: t("%(queue)s: a caller has waited %(s)s", { queue, s: clock(alert.value_at_raise) }),
          service_level: t("%(queue)s: service level %(sl)s below target", { queue, sl: pct(alert.value_at_raise) }),
        }[alert.kind];
        const add = alert.staffing?.add_agents;
        div.textContent = add > 0 ? what + " — " + t("Add %(n)s agents", { n: add }) : what;
        return div;
      }),
    );
  }

  document.documentElement.lang = language();
  await loadNames();
  const actions = await SupervisorActions.create(names, STATES, scope);
  if (scope.closed) return;
  const feed = openFeed(scope, { status, changed: render, newAlert: beep });
  const { state } = feed;
  scope.every(render, 1000);
  await mountAdherence(scope);
  await mountCampaigns(scope);
}
