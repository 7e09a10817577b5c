// What the desktop, the interactions pages and the missed-calls worklist share: names of agents,
// queues, codes and customers, and the readable words for times, durations, outcomes, channels
// and the events of an interaction's timeline (zh-CN first, en second; GLOSSARY words).
import { get } from "./api.js";
import { language, t } from "./i18n.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

export function show(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}

/** Epoch seconds or an ISO string → Date (null stays null). */
export function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  return typeof value === "number" ? new Date(value * 1000) : new Date(value);
}

/** Seconds since epoch of an epoch-or-ISO value. */
export function toEpoch(value) {
  const d = toDate(value);
  return d ? d.getTime() / 1000 : null;
}

/** The tenant's time zone (GLOSSARY: times in the tenant's time zone), from the page. */
export function timeZone() {
  return document.querySelector("[data-time-zone]")?.dataset.timeZone || undefined;
}

const dateTime = () =>
  new Intl.DateTimeFormat(language(), {
    year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
    timeZone: timeZone(),
  });

/** The instant a wall-clock time of the tenant's zone names: ("2026-11-23", "00:00") → Date. */
export function zonedMidnight(isoDate) {
  const guess = new Date(isoDate + "T00:00:00Z");
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timeZone(), hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(guess);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const shown = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return new Date(guess.getTime() - (shown - guess.getTime()));
}

/** 2026年11月23日 14:05 / November 23, 2026 at 14:05 */
export function when(value) {
  const d = toDate(value);
  return d ? dateTime().format(d) : "";
}

/** 14:05:09 */
export function timeOfDay(value) {
  const d = toDate(value);
  return d ? d.toLocaleTimeString(language(), { hour12: false, timeZone: timeZone() }) : "";
}

/** 3分20秒 / 3 min 20 s; "—" when unknown. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return t("%(h)s h %(m)s min", { h, m });
  if (m) return t("%(m)s min %(s)s s", { m, s: s % 60 });
  return t("%(s)s s", { s });
}

/** mm:ss or h:mm:ss, for ticking timers. */
export function clock(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  const two = (n) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}

export function percent(x) {
  return x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
}

export const CHANNELS = () => ({ voice: t("Voice"), chat: t("Chat"), email: t("Email"), sms: t("SMS") });

export const DIRECTIONS = () => ({ inbound: t("Inbound"), outbound: t("Outbound"), internal: t("Internal") });

export const OUTCOMES = () => ({
  completed: t("Completed"),
  abandoned: t("Abandoned in queue"),
  ivr: t("Ended in the IVR"),
  voicemail: t("Voicemail"),
  callback_failed: t("Callback failed"),
  rejected: t("Rejected"),
  interrupted: t("Interrupted"),
});

/** What became of one queue visit (a work item). */
/** What followed an answering-machine check on a campaign call (ADR 0197). */
export const AMD_ACTIONS = () => ({
  connect: t("put through"),
  hang_up: t("hung up"),
  message: t("message after the greeting"),
});

export const WORK_OUTCOMES = () => ({
  answered: t("Answered by an agent"),
  abandoned: t("Abandoned in queue"),
  callback: t("Callback requested"),
  callback_failed: t("Callback failed"),
  exited: t("Left the queue"),
  overflowed: t("Overflowed"),
  rejected: t("Refused by the queue"),
  cancelled: t("Cancelled"),
  failed: t("Not answered"),
  completed: t("Handed over"),
  conference: t("Three-way call"),
});

/** The router's personal line: work routed to one named agent, which is no queue. */
export const PERSONAL_LINE = "@agent";

/** A queue's name; the personal line reads "direct to an agent". */
export function queueOf(queueId, names) {
  if (queueId === PERSONAL_LINE) return t("Direct to an agent");
  return queueId ? names.queue(queueId) : "—";
}

const RESULTS = () => ({
  completed: t("handed over"),
  cancelled: t("cancelled"),
  conference: t("three-way call"),
  failed: t("not answered"),
});

/** How a work item came about: from the IVR, a transfer, a consultation (and its result). */
export function viaOf(work) {
  const via = {
    flow: t("From the IVR"),
    transfer: t("Transfer"),
    consult: t("Consultation"),
    overflow: t("Overflow"),
    callback: t("Callback"),
  }[work.via] || work.via;
  const result = work.result ? RESULTS()[work.result] || work.result : null;
  return result ? t("%(how)s (%(result)s)", { how: via, result }) : via;
}

/** "4 of 5" */
/** The agent's "resolved?" answer kept on a contact or segment (true, false, null: none). */
export function resolvedMark(value) {
  if (value === true) return t("Resolved");
  if (value === false) return t("Not resolved");
  return "—";
}

export function rating(value, scale) {
  return t("%(rating)s of %(scale)s", { rating: value, scale: scale || 5 });
}

export const AGENT_STATES = () => ({
  logged_out: t("Logged out"),
  available: t("Available"),
  reserved: t("Ringing"),
  busy: t("On call"),
  wrap_up: t("Wrap-up"),
  not_ready: t("Not ready"),
});

const CAUSES = () => ({
  normal: t("normal hang-up"),
  busy: t("busy"),
  no_response: t("no response"),
  no_answer: t("no answer"),
  rejected: t("declined"),
  unallocated: t("no such number"),
  unavailable: t("unavailable"),
  cancelled: t("cancelled"),
  denied: t("refused by policy"),
  congestion: t("congestion"),
  media_failed: t("no common codec"),
  timeout: t("timed out"),
  failed: t("failed"),
  interrupted: t("interrupted by a restart"),
  transferred: t("transferred"),
});

const cause = (c) => (c ? CAUSES()[c] || c : null);

const LEG_ROLES = () => ({
  customer: t("customer"),
  agent: t("agent"),
  consult: t("consulted party"),
  supervisor: t("supervisor"),
  outbound: t("called party"),
});

/** Not-ready reasons the system sets itself (no row in the tenant's reasons table). */
export const SYSTEM_REASONS = () => ({
  login: t("Just logged in"),
  unreachable: t("Phone unreachable"),
  missed: t("Missed offer"),
  rejected: t("Declined an offer"),
  reconciled: t("After a restart"),
  supervisor: t("Set by the supervisor"),
});

/** Names of the things ids point at, loaded once per page. */
export class Names {
  constructor() {
    this.agents = {};
    this.queues = {};
    this.dispositions = {};
    this.reasons = SYSTEM_REASONS();
    this.customers = {};
    this._pending = new Map();
  }

  async load({ agents = true, queues = true, dispositions = true, reasons = false } = {}) {
    const label = (row) => (language() === "en" ? row.label_en : row.label_zh) || row.code;
    const jobs = [];
    if (agents) jobs.push(get("/api/v1/agents?limit=500").then((p) => p.items.forEach((a) => (this.agents[a.id] = a.display_name || a.username))));
    if (queues) jobs.push(get("/api/v1/queues?limit=500").then((p) => p.items.forEach((q) => (this.queues[q.name] = q.display_name || q.name))));
    if (dispositions) jobs.push(get("/api/v1/dispositions?limit=500").then((p) => p.items.forEach((d) => (this.dispositions[d.code] = label(d)))));
    if (reasons) jobs.push(get("/api/v1/not-ready-reasons?limit=500").then((p) => p.items.forEach((r) => (this.reasons[r.code] = label(r)))));
    await Promise.all(jobs.map((j) => j.catch((error) => console.warn("names", error))));
    return this;
  }

  agent(id) {
    return id ? this.agents[id] || id : "";
  }

  queue(id) {
    return id ? this.queues[id] || id : "";
  }

  disposition(code) {
    return code ? this.dispositions[code] || code : "";
  }

  /** A customer's name (fetched once, cached); "" when unknown or not visible. */
  async customer(id) {
    if (!id) return "";
    if (id in this.customers) return this.customers[id];
    if (!this._pending.has(id)) {
      this._pending.set(id, get(`/api/v1/customers/${encodeURIComponent(id)}`)
        .then((c) => (this.customers[id] = c.name))
        .catch(() => (this.customers[id] = "")));
    }
    return this._pending.get(id);
  }
}

/** One timeline record → [what happened, the details], both in the page's language. */
export function describeEvent(record, names) {
  const p = record.payload || {};
  const agent = names.agent(record.agent_id);
  const queue = queueOf(p.queue_id, names);
  const role = LEG_ROLES()[p.role] || p.role || "";
  const table = {
    "interaction.created": () => [t("Contact arrived"), [p.caller_number, p.did && t("number %(did)s", { did: p.did }), DIRECTIONS()[p.direction]]],
    "call.arrived": () => [t("Call arrived"), [p.from_number || p.caller_number]],
    "call.originated": () => [t("Outbound call"), [p.number || p.to]],
    "leg.created": () => [t("Leg created"), [role]],
    "leg.ringing": () => [t("Phone ringing"), [role, agent]],
    "leg.answered": () => [t("Leg answered"), [role, agent]],
    "leg.ended": () => [t("Leg ended"), [role, cause(p.cause)]],
    "flow.started": () => [t("IVR started"), [p.flow]],
    "flow.node_entered": () => [t("IVR step"), [p.title || p.node]],
    "flow.digits_collected": () => [t("Keys pressed"), [p.digits]],
    "flow.variable_set": () => [t("Variable set"), [p.name && `${p.name} = ${p.value}`]],
    "flow.survey_answered": () => [t("Survey answered"), [t("%(rating)s of %(scale)s", { rating: p.rating, scale: p.scale })]],
    "flow.ended": () => [t("IVR ended"), [p.node]],
    "flow.expression_failed": () => [t("IVR expression failed"), [p.node]],
    "queue.entered": () => [t("Entered the queue"), [queueOf(p.queue_id, names), p.target_agent_id && t("to %(who)s", { who: names.agent(p.target_agent_id) })]],
    "queue.offered": () => [t("Offered to an agent"), [agent]],
    "queue.offer_failed": () => [t("Offer not answered"), [agent]],
    "queue.answered": () => [t("Answered by an agent"), [agent, p.wait_s !== undefined && t("waited %(d)s", { d: duration(p.wait_s) })]],
    "queue.abandoned": () => [t("Caller hung up in the queue"), [queue, p.wait_s !== undefined && t("waited %(d)s", { d: duration(p.wait_s) })]],
    "queue.callback_requested": () => [t("Callback requested"), [queue]],
    "queue.callback_failed": () => [t("Callback failed"), [queue]],
    "queue.exited": () => [t("Left the queue"), [queue]],
    "queue.overflowed": () => [t("Overflowed"), [queue]],
    "queue.rejected": () => [t("Refused by the queue"), [queue]],
    "call.bridged": () => [t("Connected"), [agent]],
    "call.held": () => [p.by === "phone" ? t("On hold: the agent's page was away") : t("On hold"), [agent]],
    "call.resumed": () => [t("Resumed"), [agent]],
    "call.transferred": () => [t("Transferred"), [agent]],
    "call.conferenced": () => [t("Three-way call"), [agent]],
    "call.ended": () => [t("Call ended"), [cause(p.cause)]],
    "recording.started": () => [t("Recording started"), []],
    "recording.skipped": () => [t("Not recorded: the center's recordings storage is full"), []],
    "recording.paused": () => [t("Recording paused"), [agent]],
    "recording.resumed": () => [t("Recording resumed"), [agent]],
    "recording.stopped": () => [t("Recording saved"), [p.duration_s !== undefined && duration(p.duration_s)]],
    "interaction.transferred": () => [
      p.kind === "consult" ? t("Consultative transfer") : t("Blind transfer"),
      [agent, transferTarget(p, names), p.note && t("note: %(note)s", { note: p.note })],
    ],
    "interaction.dispositioned": () => [t("Wrap-up saved"), [names.disposition(p.disposition), p.notes, typeof p.resolved === "boolean" && resolvedMark(p.resolved)]],
    "interaction.followed_up": () => [t("Marked handled"), [p.by, p.note]],
    "interaction.consult_started": () => [t("Consultation started"), [agent, p.target_kind === "agent" ? names.agent(p.target) : p.target, p.note && t("note: %(note)s", { note: p.note })]],
    "interaction.consult_ended": () => [t("Consultation ended"), [agent, RESULTS()[p.result] || p.result]],
    "interaction.parked": () => [t("Waiting for the customer"), [p.reason]],
    "interaction.resumed": () => [t("Resumed"), [p.by]],
    "worklist.claimed": () => [t("Claimed from the worklist"), [agent]],
    "worklist.released": () => [t("Released to the worklist"), [agent]],
    "agent.wrap_up_overrun": () => [t("Wrap-up overran its time"), [agent]],
    "interaction.ended": () => [t("Contact ended"), [OUTCOMES()[p.reason] || p.reason, p.total_s !== undefined && duration(p.total_s)]],
    "agent.state_changed": () => [t("Agent state"), [agent, AGENT_STATES()[p.state] || p.state]],
    "agent.interaction_ended": () => [t("Agent left the call"), [agent]],
    "agent.wrap_up_ended": () => [t("Wrap-up ended"), [agent, p.wrap_up_s !== undefined && duration(p.wrap_up_s)]],
    "agent.wrap_up_extended": () => [t("Wrap-up extended"), [agent]],
    "voicemail.recorded": () => [t("Voicemail recorded"), [p.mailbox, p.duration_s !== undefined && duration(p.duration_s)]],
    "voicemail.notified": () => [t("Voicemail e-mailed"), [(p.recipients || []).join(", ")]],
    "ticket.created": () => [t("Ticket created"), [p.number && `#${p.number}`, p.subject]],
    "ticket.status_changed": () => [t("Ticket status changed"), [p.status]],
    "media.quality": () => [t("Call quality report"), []],
    "dialer.amd.decided": () => [t("Answering-machine check"), [
      p.verdict === "machine" ? t("an answering machine") : t("a person"),
      p.sure === false && t("not sure"),
      typeof p.decision_s === "number" && t("decided after %(d)s", { d: t("%(s)s s", { s: p.decision_s.toFixed(1) }) }),
      AMD_ACTIONS()[p.action] || p.action,
    ]],
    "dialer.amd.message_ended": () => [p.left ? t("Message left on the answering machine") : t("Message not left: the call ended first"), []],
    "supervise.started": () => [t("Supervisor joined"), [agent]],
    "supervise.stopped": () => [t("Supervisor left"), [agent]],
  };
  const make = table[record.type];
  if (!make) return [null, []];
  const [label, details] = make();
  return [label, details.filter((d) => d !== undefined && d !== null && d !== false && d !== "")];
}

export function transferTarget(p, names) {
  if (p.target_kind === "agent") return t("to %(who)s", { who: names.agent(p.target) });
  if (p.target_kind === "queue") return t("to %(who)s", { who: names.queue(p.target) });
  return p.target ? t("to %(who)s", { who: p.target }) : "";
}

/** An ApiError in the page's language: the desk's own codes get their sentence here, the rest
 *  the server's message (already in the user's language), else a generic one — never a code. */
export function errorText(error) {
  const known = {
    "desk.not_logged_in": t("Log in to work first (on the desktop)."),
    "interactions.agent.not_logged_in": t("Log in to work first (on the desktop)."),
    "desk.disposition.required": t("Choose a disposition first."),
    "desk.phone.no_extension": t("You have no SIP extension; ask an administrator."),
    "desk.not_an_agent": t("Only agents work at the desk."),
    "desk.unavailable": t("The phone service is unavailable"),
    "desk.screenpop.forbidden": t("You may not do this."),
    "interactions.agent.busy": t("You are already on a call."),
    "interactions.agent.no_call": t("There is no call to act on."),
    "interactions.phone.unsupported": t("Do this on your phone."),
    "interactions.phone.not_connected": t("Your phone is not connected."),
    "interactions.supervision.none": t("There is no call to supervise."),
    "interactions.transfer.invalid_target": t("That transfer target is not valid."),
    "interactions.draining": t("The server is restarting; try again in a moment."),
    "routing.agent.illegal_transition": t("Not possible in the current state."),
    "auth.forbidden": t("You may not do this."),
  };
  if (error && known[error.code]) return known[error.code];
  // The server says it in the user's language, naming the field (web/error_text.py); a
  // validation error names each field as its form does.
  if (error && error.status && error.message && error.code !== "http_error") return error.message;
  if (error && error.status === 403) return t("You may not do this.");
  if (error && error.status === 404) return t("Not found.");
  return t("The action failed.");
}
