// The persistent part of the shell (ADR 0120): one browser phone (softphone.js) and one desk
// stream per document, the user's state, the offer toast with its ring, the call or the
// supervision under way. It lives as long as the document; the screens below it come and go
// (shell.js) and read it through `scope.workspace`: `desk` and `offer` events, `phone` events
// when the browser phone changes state, `monitoring` when a supervision starts or stops.
import { get, post } from "./api.js";
import { t } from "./i18n.js";
import { Softphone } from "./softphone.js";
import { AGENT_STATES, Names, clock, errorText, show, toEpoch } from "./interaction-format.js";
import { summary, transferNote, vipText } from "./desktop-screenpop.js";

const $ = (id) => document.getElementById(id);

export const PHONE_STATES = () => ({
  idle: "",
  connecting: t("Phone connecting…"),
  connected: t("Phone connected"),
  reconnecting: t("Phone reconnecting…"),
  replaced: t("Your phone is open in another window"),
  unauthorized: t("Please log in again"),
  forbidden: t("Only agents have a browser phone"),
  unavailable: t("The phone service is unavailable"),
  microphone_denied: t("Microphone access was refused"),
  closed: t("Phone disconnected"),
});

export const PHASES = () => ({
  ringing: t("Ringing"),
  connected: t("On call"),
  held: t("On hold"),
  consulting: t("Consulting"),
  conference: t("Three-way call"),
  wrap_up: t("Wrap-up"),
});

const MONITOR_MODES = () => ({ listen: t("Listen"), whisper: t("Whisper"), barge: t("Barge in") });
const PHONE_FAULTS = ["replaced", "unauthorized", "forbidden", "unavailable", "microphone_denied"];

// Ring sound: two short bursts of 440 + 480 Hz every three seconds, made with Web Audio. -------
class Ringer {
  constructor() {
    this.context = null;
    this.timer = null;
  }

  /** Create the audio context inside a click (browsers allow sound after a gesture). */
  prepare() {
    try {
      this.context = this.context || new AudioContext();
      this.context.resume().catch(() => null);
    } catch (error) {
      console.warn("no ring sound", error);
    }
  }

  burst(at) {
    const ctx = this.context;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.08, at + 0.02);
    gain.gain.setValueAtTime(0.08, at + 0.38);
    gain.gain.linearRampToValueAtTime(0, at + 0.4);
    gain.connect(ctx.destination);
    for (const hz of [440, 480]) {
      const osc = ctx.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      osc.start(at);
      osc.stop(at + 0.42);
    }
  }

  start() {
    if (this.timer) return;
    this.prepare();
    if (!this.context) return;
    const ring = () => {
      const now = this.context.currentTime;
      this.burst(now + 0.05);
      this.burst(now + 0.65);
    };
    ring();
    this.timer = setInterval(ring, 3000);
    document.body.dataset.ringing = "true";
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    delete document.body.dataset.ringing;
  }
}

export class Workspace extends EventTarget {
  /** The workspace of this document, or null for a user who neither works at the desk nor
   *  supervises (the template renders no bar then). */
  static async create({ navigate }) {
    if (!$("workspace")) return null;
    const names = await new Names().load({ dispositions: false, reasons: true });
    const ws = new Workspace(names, navigate);
    ws.start();
    return ws;
  }

  constructor(names, navigate) {
    super();
    this.names = names;
    this.navigate = navigate;
    this.agentId = document.body.dataset.agent || null;
    this.desk = null; // the last desk object from the server (agents)
    this.offer = null; // {interaction_id, screen_pop} while an offer rings me
    this.pop = null; // the screen pop of the ringing or current contact (for the toast and the bar)
    this.phone = null; // the Softphone, once opened
    this.phoneFor = null; // "desk" | "supervise": who opened it
    this.loggingIn = false; // "Log in to work" pressed and not answered yet
    this.monitoring = null; // {agentId, mode} while this supervisor monitors a call
    this.ringer = new Ringer();
    this.retries = 0;
  }

  start() {
    $("answer").addEventListener("click", (e) => this.command("answer", e.currentTarget));
    $("decline").addEventListener("click", (e) => this.command("hangup", e.currentTarget));
    $("monitor-chip-stop").addEventListener("click", (e) => this.stopMonitoring(e.currentTarget));
    $("phone-details").addEventListener("toggle", () => this.refreshPhoneInfo());
    $("call-chip").addEventListener("click", (event) => {
      event.preventDefault();
      this.navigate("/desktop");
    });
    window.addEventListener("beforeunload", (event) => {
      if (!this.live() || this.leaving) return;
      event.preventDefault();
      event.returnValue = "";
    });
    setInterval(() => this.tick(), 1000);
    setInterval(() => this.refreshPhoneInfo(), 2000);
    if (this.agentId) this.openStream();
    this.render();
  }

  /** True while leaving this document would cut a contact: a call rings, is talked or held,
   *  or this supervisor listens to one. */
  live() {
    const current = this.desk?.current;
    return Boolean(this.offer || (current && current.phase !== "wrap_up") || this.monitoring);
  }

  /** Ask before a new document replaces this one during a live contact (then the page's own
   *  beforeunload prompt is not shown a second time). */
  confirmLeave() {
    if (!this.live()) return true;
    const ok = window.confirm(t("You are in a call. If you leave this page the caller waits on hold until you are back: come back quickly. Leave anyway?"));
    if (ok) this.leaving = true;
    return ok;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // The browser phone --------------------------------------------------------------------
  /** Open the phone (once per document) for the desk or a supervision; rejects (error.state)
   *  when it cannot connect. */
  async startPhone(purpose = "desk") {
    if (this.phone) {
      if (purpose === "supervise" || this.phoneFor === null) this.phoneFor = this.phoneFor || purpose;
      if (this.phone.state !== "connected") await this.phone.connect();
      return this.phone;
    }
    const phone = new Softphone({ audio: $("remote-audio") });
    this.phone = phone;
    this.phoneFor = purpose;
    phone.onstatechange = (state) => {
      $("phone-status").dataset.state = state;
      this.renderPhone();
      this.emit("phone", { state });
    };
    this.renderPhone();
    await phone.connect();
    return phone;
  }

  stopPhone() {
    if (!this.phone) return;
    this.phone.disconnect();
    this.phone = null;
    this.phoneFor = null;
    this.renderPhone();
    this.emit("phone", { state: "idle" });
  }

  phoneText() {
    const d = this.desk;
    if (this.phone) return PHONE_STATES()[this.phone.state] ?? this.phone.state;
    if (d?.phone?.kind === "sip" && d.state !== "logged_out") {
      return d.phone.connected
        ? t("SIP phone %(address)s", { address: d.phone.address || "" })
        : t("SIP phone %(address)s is not registered", { address: d.phone.address || "" });
    }
    return "";
  }

  renderPhone() {
    $("phone-status").textContent = this.phoneText();
    $("phone-status").classList.toggle("error", Boolean(this.phone && PHONE_FAULTS.includes(this.phone.state)));
    this.refreshPhoneInfo();
  }

  async refreshPhoneInfo() {
    const details = $("phone-details");
    if (!this.phone || this.phone.state !== "connected") {
      details.hidden = true;
      return;
    }
    details.hidden = false;
    if (!details.open) return;
    const info = await this.phone.connectionInfo();
    if (!info) return;
    $("phone-info").textContent = [
      info.codec || "?",
      (info.local || "?") + " ⇄ " + (info.remote || "?"),
      "↑" + info.packetsSent + " ↓" + info.packetsReceived,
      "✕" + info.packetsLost,
    ].join(" · ");
  }

  // The desk (agents) --------------------------------------------------------------------
  async command(path, button) {
    if (button) button.disabled = true;
    try {
      await post(`/api/v1/desk/${path}`, {});
      show($("workspace-error"), "");
    } catch (error) {
      show($("workspace-error"), errorText(error));
    } finally {
      if (button) button.disabled = false;
    }
  }

  /** What the server says the desk is now (the stream, or a command's answer). */
  applyDesk(desk) {
    this.desk = desk;
    const current = desk.current;
    if (this.offer && !(current && current.interaction_id === this.offer.interaction_id && current.phase === "ringing")) {
      this.offer = null;
    }
    if (current && current.phase === "ringing" && !this.offer) {
      this.offer = { interaction_id: current.interaction_id, screen_pop: null };
    }
    const contact = current?.interaction_id || desk.wrap_up?.interaction_id || null;
    if (contact && this.pop?.interaction_id !== contact) this.loadPop(contact);
    if (!contact) this.pop = null;
    if (desk.state !== "logged_out" && desk.phone?.kind === "browser" && !this.phone) {
      this.startPhone("desk").catch(() => this.renderPhone());
    }
    // While "Log in to work" is under way the desk is still logged out (the stream's first
    // message can arrive after the click): the phone being connected for the login stays.
    // A phone opened to supervise stays while the supervision does.
    if (desk.state === "logged_out" && this.phone && !this.loggingIn && this.phoneFor === "desk" && !this.monitoring) {
      this.stopPhone();
    }
    this.render();
    this.emit("desk", desk);
  }

  applyOffer(message) {
    // An offer the desk has already seen answered (a call-back the browser phone took at once
    // can report the call before its ring) rings no more.
    const current = this.desk?.current;
    if (current && current.interaction_id === message.interaction_id && current.phase !== "ringing") return;
    this.offer = { interaction_id: message.interaction_id, screen_pop: message.screen_pop || null };
    if (message.screen_pop) this.pop = { interaction_id: message.interaction_id, ...message.screen_pop };
    else this.loadPop(message.interaction_id);
    this.render();
    this.emit("offer", this.offer);
  }

  async loadPop(interactionId) {
    this.pop = { interaction_id: interactionId };
    try {
      const pop = await get(`/api/v1/desk/screenpop/${encodeURIComponent(interactionId)}`);
      if (this.pop?.interaction_id === interactionId) this.pop = pop;
    } catch (error) {
      console.warn("screen pop", error);
    }
    this.render();
  }

  openStream() {
    const url = new URL("/api/v1/desk/stream", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    let ping = null;
    socket.onopen = () => {
      this.retries = 0;
      $("stream-status").textContent = "";
      $("stream-status").dataset.state = "live";
      ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send("ping"), 25000);
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "desk") this.applyDesk(message);
      else if (message.type === "offer") this.applyOffer(message);
    };
    socket.onclose = (event) => {
      clearInterval(ping);
      $("stream-status").dataset.state = "reconnecting";
      if (event.code === 4401) {
        this.leaving = true;
        window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
        return;
      }
      if (event.code === 4403) {
        $("stream-status").textContent = t("You may not open this page");
        return;
      }
      $("stream-status").textContent = t("Reconnecting…");
      this.retries += 1;
      setTimeout(() => this.openStream(), Math.min(15000, 500 * 2 ** this.retries));
    };
  }

  // Supervision ---------------------------------------------------------------------------
  setMonitoring(monitoring) {
    this.monitoring = monitoring;
    this.render();
    this.emit("monitoring", monitoring);
  }

  async stopMonitoring(button) {
    const m = this.monitoring;
    if (!m) return;
    if (button) button.disabled = true;
    try {
      await post(`/api/v1/supervise/${encodeURIComponent(m.agentId)}/stop`, {});
      show($("workspace-error"), "");
    } catch (error) {
      show($("workspace-error"), errorText(error));
    } finally {
      if (button) button.disabled = false;
      this.setMonitoring(null); // gone either way: stopped now, or ended with the call
    }
  }

  // Rendering -----------------------------------------------------------------------------
  render() {
    const d = this.desk;
    // Nothing to show (an admin who neither works at the desk nor supervises right now).
    $("workspace").classList.toggle("idle", !d && !this.phone && !this.monitoring);
    const stateBox = document.querySelector("[data-testid=desk-state]");
    stateBox.hidden = !d;
    if (d) {
      let text = AGENT_STATES()[d.state] || d.state;
      if (d.state === "not_ready" && d.reason) text += " (" + (this.names.reasons[d.reason] || d.reason) + ")";
      stateBox.textContent = text;
      stateBox.dataset.state = d.state;
      stateBox.className = "desk-state state-" + d.state;
    }
    this.renderPhone();
    this.renderOffer();
    this.renderCall();
    this.renderMonitoring();
    this.tick();
  }

  renderOffer() {
    const offer = this.offer;
    const toast = $("offer-toast");
    if (!offer) {
      toast.hidden = true;
      this.ringer.stop();
      return;
    }
    const p = this.pop?.interaction_id === offer.interaction_id && this.pop.caller_number !== undefined ? this.pop : offer.screen_pop;
    const customer = p?.customer;
    $("offer-title").textContent = customer ? t("Call from %(name)s", { name: customer.name }) : t("Incoming call");
    show($("offer-vip"), vipText(customer?.vip_level));
    $("offer-summary").textContent = p ? summary(p, this.names) : this.desk?.current?.customer_number || "";
    const note = p ? transferNote(p) : "";
    show($("offer-note"), note ? t("Note: %(note)s", { note }) : "");
    const browser = this.desk?.phone?.kind !== "sip";
    $("answer").hidden = !browser;
    $("offer-hint").hidden = browser;
    toast.hidden = false;
    toast.dataset.interaction = offer.interaction_id;
    this.ringer.start();
  }

  /** The call under way, on every screen but the desktop's own (which shows it whole). */
  renderCall() {
    const c = this.desk?.current;
    const chip = $("call-chip");
    const onDesk = document.getElementById("call-panel") !== null;
    chip.hidden = !c || c.phase === "ringing" || onDesk;
    if (chip.hidden) return;
    const customer = this.pop?.interaction_id === c.interaction_id ? this.pop.customer : null;
    $("call-chip-party").textContent = customer ? customer.name : c.customer_number || t("Unknown number");
    $("call-chip-phase").textContent = PHASES()[c.phase] || c.phase;
    chip.dataset.phase = c.phase;
  }

  renderMonitoring() {
    const m = this.monitoring;
    const chip = $("monitor-chip");
    chip.hidden = !m || document.querySelector("[data-testid=monitor-status]") !== null;
    if (!m) return;
    const who = this.names.agent(m.agentId);
    $("monitor-chip-text").textContent = t("%(mode)s: %(agent)s", { mode: MONITOR_MODES()[m.mode], agent: who });
  }

  /** Ticking: time in state, the call's length. */
  tick() {
    const d = this.desk;
    if (!d) return;
    const now = Date.now() / 1000;
    const since = toEpoch(d.since);
    $("state-time").textContent = since ? clock(now - since) : "";
    const c = d.current;
    $("call-chip-timer").textContent = c?.since ? clock(now - toEpoch(c.since)) : "";
  }
}
