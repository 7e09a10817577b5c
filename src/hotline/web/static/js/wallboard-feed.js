// The wallboard's feed: a snapshot then deltas over /api/v1/wallboard, kept in one state object
// (docs/realtime.md "Messages"); the supervisor board and the TV mode read the same state.
import { t } from "./i18n.js";

/** Follow the board over a WebSocket that goes with `scope`; `changed(state, message)` runs on
 *  each snapshot or delta, `status` (an element) says whether the board is live, `newAlert(id)`
 *  runs for each alert a delta raises. */
export function openFeed(scope, { changed, status, next = "/wallboard", newAlert = () => {} }) {
  const state = { instance: null, version: null, at: 0, received: 0, queues: {}, agents: {}, alerts: {}, center: {} };

  function apply(message) {
    if (message.type === "wallboard.snapshot") {
      state.queues = { ...message.queues };
      state.agents = { ...message.agents };
      state.alerts = { ...message.alerts };
      state.center = { ...(message.center || {}) };
    } else if (message.type === "wallboard.delta") {
      Object.assign(state.queues, message.queues);
      Object.assign(state.agents, message.agents);
      for (const id of Object.keys(message.alerts)) if (!state.alerts[id]) newAlert(id);
      Object.assign(state.alerts, message.alerts);
      Object.assign(state.center, message.center || {});
      for (const kind of ["queues", "agents", "alerts", "center"]) for (const key of message.removed[kind] || []) delete state[kind][key];
    } else {
      return;
    }
    state.instance = message.instance;
    state.version = message.version;
    state.at = message.at;
    state.received = Date.now();
    changed(state, message);
  }

  function connect() {
    const url = new URL("/api/v1/wallboard", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (state.version !== null) {
      url.searchParams.set("version", state.version);
      url.searchParams.set("instance", state.instance);
    }
    if (scope.closed) return;
    const ws = new WebSocket(url);
    scope.onClose(() => {
      ws.onclose = null;
      ws.close();
    });
    ws.onopen = () => {
      status.textContent = t("Live");
      status.dataset.state = "live";
    };
    ws.onmessage = (event) => apply(JSON.parse(event.data));
    ws.onclose = (event) => {
      status.textContent = t("Reconnecting…");
      status.dataset.state = "reconnecting";
      if (event.code === 4401) window.location.assign(`/login?next=${encodeURIComponent(next)}`);
      else scope.after(connect, 1000);
    };
  }

  connect();
  return {
    state,
    /** Seconds since the last message, to advance ticking fields (server time = at + elapsed). */
    elapsed: () => (state.received ? (Date.now() - state.received) / 1000 : 0),
  };
}

/** A figure's colour at the queue's thresholds: "ok", "warn" or "bad" (null: nothing to judge).
 *  Waiting and longest wait: at or under the clearing level ok, up to the alert level warn,
 *  over it bad. Service level: at or over the target ok, within the clearing margin under it
 *  warn, lower bad — the same levels the alerts raise and clear at. */
export function level(kind, value, rules, slTarget) {
  if (value === null || value === undefined) return null;
  if (kind === "service_level") {
    const target = rules?.sl_below ?? slTarget;
    if (target === null || target === undefined) return null;
    if (value >= target) return "ok";
    return value >= target - (rules?.sl_clear_margin ?? 0.05) ? "warn" : "bad";
  }
  const [above, clear] = kind === "waiting"
    ? [rules?.waiting_above, rules?.waiting_clear_at]
    : [rules?.longest_wait_above_s, rules?.longest_wait_clear_at_s];
  if (above === null || above === undefined) return null;
  if (value > above) return "bad";
  return value > (clear ?? above) ? "warn" : "ok";
}
