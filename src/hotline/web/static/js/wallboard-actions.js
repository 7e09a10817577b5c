// The wallboard's supervisor actions, per agent row: 监听 / 耳语 / 强插 (listen, whisper, barge)
// on the supervisor's browser phone (the workspace's, opened at the first action and kept while
// the supervisor moves between screens: workspace.js) or SIP phone; stop; force a state; log
// the agent out. Each action is audited by the server
// (docs/desk-api.md, "Supervisor"). Shown to supervisors and admins only.
import { get, post } from "./api.js";
import { language, t } from "./i18n.js";
import { el, errorText, show } from "./interaction-format.js";
import { PHONE_STATES } from "./workspace.js";

const MODES = () => ({ listen: t("Listen"), whisper: t("Whisper"), barge: t("Barge in") });


export class SupervisorActions {
  /** The actions for this user, or null when she may not supervise. */
  static async create(names, states, scope) {
    const me = await get("/api/v1/auth/me").catch(() => null);
    if (!me || !me.roles.some((r) => r === "admin" || r === "supervisor")) return null;
    const reasons = await get("/api/v1/not-ready-reasons?limit=500").then((p) => p.items.filter((r) => r.active && r.code !== "missed")).catch(() => []);
    return new SupervisorActions(names, states, reasons, me, scope);
  }

  constructor(names, states, reasons, me, scope) {
    this.workspace = scope.workspace;
    this.names = names;
    this.states = states;
    this.reasons = reasons;
    this.cells = new Map(); // agent id → its actions cell, kept across re-renders
    const head = document.querySelector("[data-testid=agents] thead tr");
    head.append(el("th", {}, t("Actions")));
    this.bar = this.toolbar();
    document.getElementById("alerts").before(this.bar);
    // Browser phones are for supervisors (docs/desk-api.md): an admin without that role
    // supervises from a SIP phone.
    if (!me.roles.includes("supervisor")) this.phoneMode.value = "sip";
    this.showExtension();
    const ws = this.workspace;
    if (ws) {
      scope.on(ws, "phone", () => this.showPhone());
      scope.on(ws, "monitoring", () => this.refresh());
      this.showPhone();
    }
    this.refresh();
  }

  /** The supervision under way lives in the workspace: it outlasts this screen. */
  get monitoring() {
    return this.workspace?.monitoring || null;
  }

  set monitoring(value) {
    this.workspace?.setMonitoring(value);
  }

  showPhone() {
    const state = this.workspace?.phone?.state || "idle";
    this.phoneStatus.textContent = PHONE_STATES()[state] ?? state;
    this.phoneStatus.dataset.state = state;
  }

  showExtension() {
    this.extension.hidden = this.phoneMode.value !== "sip";
  }

  toolbar() {
    this.phoneMode = el("select", { dataset: { testid: "supervisor-phone" }, "aria-label": t("My phone") },
      el("option", { value: "browser" }, t("Browser (WebRTC)")),
      el("option", { value: "sip" }, t("SIP phone")));
    this.phoneMode.addEventListener("change", () => this.showExtension());
    this.extension = el("input", {
      type: "text", size: 8, placeholder: t("Extension"), "aria-label": t("Extension"),
      title: t("The SIP phone to ring (empty: your own extension)"), dataset: { testid: "supervisor-extension" },
    });
    this.phoneStatus = el("span", { className: "muted", dataset: { testid: "supervisor-phone-status" } });
    this.status = el("span", { className: "monitor-status", dataset: { testid: "monitor-status" } });
    this.error = el("p", { className: "error", role: "alert", hidden: true, dataset: { testid: "supervise-error" } });
    return el("div", { className: "card supervise-bar" },
      el("label", { className: "inline" }, t("My phone"), this.phoneMode), this.extension, this.phoneStatus, this.status, this.error);
  }

  async ensurePhone() {
    if (!this.workspace) throw Object.assign(new Error("no workspace"), { state: "unavailable" });
    await this.workspace.startPhone("supervise");
  }

  async run(button, action) {
    button.disabled = true;
    try {
      await action();
      show(this.error, "");
      return true;
    } catch (error) {
      const text = error?.code === "desk.phone.no_extension" ? t("Enter the extension of the SIP phone to ring.")
        : error?.state ? PHONE_STATES()[error.state] || errorText(error) : errorText(error);
      show(this.error, text);
      return false;
    } finally {
      button.disabled = false;
      this.refresh();
    }
  }

  async monitor(agentId, mode, button) {
    await this.run(button, async () => {
      const phone = this.phoneMode.value;
      const body = { mode, phone };
      if (phone === "browser") await this.ensurePhone();
      else if (this.extension.value.trim()) body.extension = this.extension.value.trim();
      await post(`/api/v1/supervise/${encodeURIComponent(agentId)}/monitor`, body);
      this.monitoring = { agentId, mode };
    });
  }

  async stop(agentId, button) {
    await this.run(button, async () => {
      try {
        await post(`/api/v1/supervise/${encodeURIComponent(agentId)}/stop`, {});
      } finally {
        this.monitoring = null; // gone either way: stopped now, or ended with the call
      }
    });
  }

  async force(agentId, state, reason, button) {
    const done = await this.run(button, () => post(`/api/v1/supervise/${encodeURIComponent(agentId)}/state`, reason ? { state, reason } : { state }));
    if (!done) await this.reloadReasons(); // a reason turned off since the board opened goes
  }

  /** The center's active reasons again, and every agent's menu with them. */
  async reloadReasons() {
    const page = await get("/api/v1/not-ready-reasons?limit=500").catch(() => null);
    if (!page) return;
    this.reasons = page.items.filter((r) => r.active && r.code !== "missed");
    for (const [agentId, entry] of this.cells) entry.list.replaceChildren(...this.menuItems(agentId));
  }

  menuItems(agentId) {
    const items = [];
    const available = el("button", { type: "button", className: "link", dataset: { action: "force-available" } }, t("Set available"));
    available.addEventListener("click", () => this.force(agentId, "available", null, available));
    items.push(available);
    for (const r of this.reasons) {
      const text = t("Set not ready: %(reason)s", { reason: language() === "en" ? r.label_en : r.label_zh });
      const b = el("button", { type: "button", className: "link", dataset: { action: "force-not-ready", reason: r.code } }, text);
      b.addEventListener("click", () => this.force(agentId, "not_ready", r.code, b));
      items.push(b);
    }
    const out = el("button", { type: "button", className: "link danger", dataset: { action: "logout" } }, t("Log out of work"));
    out.addEventListener("click", () => this.logout(agentId, out));
    items.push(out);
    return items;
  }

  async logout(agentId, button) {
    const name = this.names.agents[agentId] || agentId;
    if (!window.confirm(t("Log %(agent)s out of work?", { agent: name }))) return;
    await this.run(button, () => post(`/api/v1/supervise/${encodeURIComponent(agentId)}/logout`, {}));
  }

  /** The actions cell of one agent row (the same node every render, so a click is never lost
   *  to a re-render and an open menu stays open). */
  cell(agent) {
    let entry = this.cells.get(agent.agent_id);
    if (!entry) {
      entry = this.build(agent.agent_id);
      this.cells.set(agent.agent_id, entry);
    }
    entry.agent = agent;
    this.update(entry);
    return entry.td;
  }

  build(agentId) {
    const entry = { td: el("td", { className: "row-actions supervise" }), buttons: {}, agent: null };
    for (const [mode, text] of Object.entries(MODES())) {
      const b = el("button", { type: "button", className: "small", dataset: { action: mode } }, text);
      b.addEventListener("click", () => this.monitor(agentId, mode, b));
      entry.buttons[mode] = b;
    }
    const stop = el("button", { type: "button", className: "small danger", dataset: { action: "stop" } }, t("Stop"));
    stop.addEventListener("click", () => this.stop(agentId, stop));
    entry.buttons.stop = stop;
    const menu = el("details", { className: "menu" }, el("summary", {}, t("More")));
    const list = el("div", { className: "menu-items" }, ...this.menuItems(agentId));
    entry.list = list;
    menu.append(list);
    entry.td.append(entry.buttons.listen, entry.buttons.whisper, entry.buttons.barge, stop, menu);
    return entry;
  }

  update(entry) {
    const agentId = entry.agent.agent_id;
    const mine = this.monitoring?.agentId === agentId;
    const onCall = ["busy", "reserved"].includes(entry.agent.state);
    for (const mode of Object.keys(MODES())) {
      const b = entry.buttons[mode];
      b.disabled = !onCall && !mine;
      b.classList.toggle("active", mine && this.monitoring.mode === mode);
      b.setAttribute("aria-pressed", String(mine && this.monitoring.mode === mode));
    }
    entry.buttons.stop.hidden = !mine;
  }

  refresh() {
    for (const entry of this.cells.values()) if (entry.agent) this.update(entry);
    const m = this.monitoring;
    if (m) {
      const who = this.names.agents[m.agentId] || m.agentId;
      this.status.textContent = t("%(mode)s: %(agent)s", { mode: MODES()[m.mode], agent: who });
      this.status.dataset.mode = m.mode;
    } else {
      this.status.textContent = "";
      delete this.status.dataset.mode;
    }
  }
}
