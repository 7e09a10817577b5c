// The agent desktop screen: log in to work at a browser phone or a SIP phone; 示闲 / 示忙 / 签出;
// the screen pop; call controls, transfers, three-way calls; the wrap-up panel; my figures of
// the day. The phone, the desk stream, the state chip and the offer toast belong to the
// workspace (workspace.js), which outlives this screen: leaving it never touches the call.
// Everything shown comes from the server (docs/desk-api.md): the screen sends commands and
// renders what the workspace's `desk` events say happened.
import { get, post } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { Names, clock, duration, el, errorText, percent, show, toEpoch } from "./interaction-format.js";
import { AssistBox } from "./desktop-assist.js";
import { ChatPane } from "./desktop-chat.js";
import { CampaignCallPanel } from "./desktop-campaign-call.js";
import { PreviewPanel } from "./desktop-preview.js";
import { ScreenPop, vipText } from "./desktop-screenpop.js";
import { PHASES, PHONE_STATES } from "./workspace.js";
import { TicketDialog, TicketNames } from "./ticket-format.js";

// The GSM 03.38 default alphabet and its extension: a text in these needs no UCS-2.
const GSM7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€";

/** Mount this screen (shell.js) under the workspace `scope.workspace`. */
export async function mount(scope) {
  await loadCatalog();
  const ws = scope.workspace;
  const $ = (id) => document.getElementById(id);
  const names = await new Names().load({ reasons: true });
  const [dispositionRows, quickReplyRows, reasonRows, departmentRows] = await Promise.all([
    get("/api/v1/dispositions?limit=500").then((p) => p.items.filter((d) => d.active)).catch(() => []),
    get("/api/v1/quick-replies?limit=500").then((p) => p.items).catch(() => []),
    get("/api/v1/not-ready-reasons?limit=500").then((p) => p.items.filter((r) => r.active)).catch(() => []),
    get("/api/v1/ticket-departments?limit=500").then((p) => p.items).catch(() => []),
  ]);
  const label = (row) => (language() === "en" ? row.label_en : row.label_zh) || row.code;

  const ui = {
    get desk() {
      return ws.desk; // the last desk object from the server
    },
    lastQueue: null, // the queue of the call being wrapped up (quick replies per queue)
    wrapup: { interactionId: null, dirty: false, saved: false },
    chatWrapUp: null, // a chat just closed: its wrap-up, beside whatever the call does
    assisted: { interactionId: null, texts: [] }, // articles inserted during the call
  };

  // Commands ---------------------------------------------------------------------------------
  // Only the latest command's success clears the error line: an earlier command answering
  // late (the login, while the agent already clicked on) must not erase a newer refusal.
  let commands = 0;
  async function act(path, body = {}, button = null) {
    const mine = ++commands;
    if (button) button.disabled = true;
    try {
      const result = await post(`/api/v1/desk/${path}`, body);
      if (mine === commands) show($("desk-error"), "");
      return result ?? {};
    } catch (error) {
      show($("desk-error"), errorText(error));
      return null;
    } finally {
      if (button) button.disabled = false;
    }
  }

  function status(message) {
    show($("desk-status"), message);
    if (message) scope.after(() => $("desk-status").textContent === message && show($("desk-status"), ""), 6000);
  }

  // The desk's `current` is its call, always (ADR 0224): chats beside it are the pane's `texts`.
  const callOf = (desk) => desk?.current || null;
  const onCall = () => Boolean(callOf(ui.desk) && ui.desk.current.phase !== "wrap_up");
  const textOf = (desk) => (desk?.texts || []).find((x) => x.phase === "connected") || null;
  const loggedIn = () => Boolean(ui.desk && ui.desk.state !== "logged_out");

  async function dial(number) {
    if (!number) return;
    const result = await act("dial", { number });
    if (result) status(t("Calling %(number)s: your phone rings first.", { number }));
  }

  let chatPane = null; // set below, once the wrap-up is wired
  const pop = new ScreenPop($("screen-pop"), names, { dial, canDial: () => loggedIn() && !onCall() });
  // Preview dialing: the campaign's next record, its script, dial or skip (issue 24).
  const preview = new PreviewPanel($("preview-panel"), { dial, canDial: () => loggedIn() && !onCall() });
  await preview.load();
  // A progressive or predictive campaign's call: its record and script come with it.
  const campaignCall = new CampaignCallPanel($("campaign-call-panel"), { after: (fn, ms) => scope.after(fn, ms) });
  await campaignCall.load();

  // A ticket about the contact under way (linked to it and to its customer): the screen pop
  // shows it among the caller's open tickets at once, and on the caller's next contact.
  const ticketNames = await new TicketNames().load();
  const ticketDialog = new TicketDialog(ticketNames, {
    onCreated: async (ticket) => {
      status(t("Ticket %(number)s created.", { number: ticket.number_text || ticket.number }));
      const id = pop.interactionId;
      if (id) await pop.showFor(id, null, { refresh: true });
    },
  });
  $("open-ticket").addEventListener("click", () => {
    const c = ui.desk?.current || textOf(ui.desk);
    if (!c) return;
    const contactId = pop.pop?.contact_id || c.interaction_id;
    const mine = ticketNames.departmentsOf($("desk-me").dataset.me);
    ticketDialog.open({
      contact: {
        interaction_id: contactId,
        customer_id: pop.pop?.customer?.id,
        customer_name: pop.pop?.customer?.name,
        caller_number: c.customer_number || pop.pop?.caller_number,
      },
      department: mine[0]?.code,
    });
  });

  // Agent assist: articles for the contact under way. During the call an inserted article waits
  // for the wrap-up notes; in wrap-up it goes in at once.
  const assist = new AssistBox($("kb-assist"), {
    insert: (text) => {
      if (!$("wrapup-panel").hidden) insertIntoNotes(`${text}\n`);
      else if (ui.assisted.interactionId === assist.interactionId) ui.assisted.texts.push(text);
      else ui.assisted = { interactionId: assist.interactionId, texts: [text] };
    },
  });

  // Applying what the server says -------------------------------------------------------------
  function applyDesk(desk) {
    const current = desk.current;
    // without a call, the screen pop and the articles are about the oldest chat I am in
    const text = current ? null : textOf(desk);
    const contact = current?.interaction_id || desk.wrap_up?.interaction_id || text?.interaction_id || null;
    if (contact || !keepWrapUp()) assist.forContact(contact);
    if (current || text) {
      const shown = current || text;
      ui.lastQueue = shown.queue_id || ui.lastQueue;
      if (pop.interactionId !== shown.interaction_id) pop.showFor(shown.interaction_id).then(render);
    }
    if (desk.wrap_up && ui.wrapup.interactionId !== desk.wrap_up.interaction_id) startWrapUp(desk.wrap_up);
    if (!current && !text && !desk.wrap_up && !keepWrapUp()) {
      pop.clear();
      ui.wrapup.interactionId = null;
    }
    render();
  }

  function applyOffer(offer) {
    if (!offer) return;
    show($("desk-error"), ""); // what went wrong before this call is no news during it
    pop.showFor(offer.interaction_id, offer.screen_pop).then(render);
  }

  // Rendering --------------------------------------------------------------------------------
  function render() {
    const d = ui.desk;
    if (!d) return;
    $("login-panel").hidden = d.state !== "logged_out";
    $("state-bar").hidden = d.state === "logged_out";
    $("set-available").disabled = d.state === "available" || onCall();
    renderCall();
    renderCampaignCall();
    renderWrapUp();
    renderIdle();
    renderSelf();
    tick();
  }

  // Between calls: say what happens next (and what to do after the phone came back).
  function renderIdle() {
    const d = ui.desk;
    const idle = d.state !== "logged_out" && !d.current && !(d.texts || []).length && !d.wrap_up && !ws.offer && !keepWrapUp();
    $("idle-panel").hidden = !idle;
    if (!idle) return;
    let text = t("Waiting for calls. A call rings here with the customer's details.");
    if (d.state === "not_ready") {
      const phoneBack = d.reason === "unreachable" && (ws.phone ? ws.phone.state === "connected" : d.phone?.connected);
      text = phoneBack
        ? t("Your phone is connected again: press Available to take calls.")
        : t("You are not ready: no calls ring until you press Available.");
    }
    $("idle-text").textContent = text;
  }

  function renderCall() {
    const c = callOf(ui.desk);
    const panel = $("call-panel");
    if (!c || c.phase === "ringing" || c.phase === "wrap_up") {
      panel.hidden = true;
      $("keypad").hidden = true;
      $("sms-form").hidden = true;
      return;
    }
    panel.hidden = false;
    panel.dataset.phase = c.phase;
    panel.dataset.interaction = c.interaction_id;
    const customer = pop.pop?.interaction_id === c.interaction_id ? pop.pop.customer : null;
    $("call-party").textContent = customer ? customer.name + " · " + (c.customer_number || "") : c.customer_number || t("Unknown number");
    $("call-phase").textContent = PHASES()[c.phase] || c.phase;
    $("hold").textContent = c.phase === "held" ? t("Resume") : t("Hold");
    $("hold").disabled = c.phase === "consulting" || c.phase === "conference";
    $("mute").textContent = c.muted ? t("Unmute") : t("Mute");
    $("mute").classList.toggle("active", Boolean(c.muted));
    $("record").textContent = c.recording_paused ? t("Resume recording") : t("Pause recording");
    $("open-transfer").disabled = c.phase !== "connected";
    const consult = c.consult;
    const consulting = c.phase === "consulting" || (consult && c.phase !== "conference");
    $("consult-controls").hidden = !(consulting || c.phase === "conference");
    $("consult-complete").hidden = c.phase === "conference";
    $("conference").hidden = c.phase === "conference";
    $("consult-cancel").hidden = c.phase === "conference";
    if (consult) {
      const who = consult.target_kind === "agent" ? names.agent(consult.target)
        : consult.target_kind === "queue" ? names.queue(consult.target) : consult.target;
      const phase = consult.phase === "ringing" ? t("ringing") : consult.phase === "connected" ? t("connected") : consult.phase || "";
      show($("consult-info"), t("Consulting %(who)s (%(phase)s)", { who, phase }));
      $("consult-complete").disabled = consult.phase !== "connected";
      $("conference").disabled = consult.phase !== "connected";
    } else {
      show($("consult-info"), c.phase === "conference" ? t("Everyone hears everyone. Hang up to leave the call.") : "");
    }
  }

  // The call (not a chat beside it) or its wrap-up, kept while its form is: a campaign's
  // record and script.
  function renderCampaignCall() {
    const d = ui.desk;
    const answered = d.current && d.current.phase !== "ringing" ? d.current.interaction_id : null;
    const kept = keepWrapUp() && !ui.chatWrapUp ? ui.wrapup.interactionId : null;
    campaignCall.showFor(answered || d.wrap_up?.interaction_id || kept);
  }

  function renderSelf() {
    const today = ui.desk?.today || {};
    $("self-handled").textContent = today.handled ?? "—";
    $("self-aht").textContent = today.aht_s === null || today.aht_s === undefined ? "—" : duration(today.aht_s);
    $("self-csat").textContent = percent(today.csat);
    const sl = today.sl_of_my_queues || {};
    $("self-sl").replaceChildren(
      ...(ui.desk?.queues || []).map((q) => el("li", { dataset: { queue: q.id } }, el("span", {}, q.name || names.queue(q.id)), " ", el("strong", {}, percent(sl[q.id])))),
    );
  }

  // Ticking: time in state, the call's length, the wrap-up countdown.
  function tick() {
    const d = ui.desk;
    if (!d) return;
    const now = Date.now() / 1000;
    const c = d.current;
    $("call-timer").textContent = c?.since ? clock(now - toEpoch(c.since)) : "";
    const w = d.wrap_up;
    const timer = $("wrapup-timer");
    if (w && w.overrun_since) {
      // the timer ran out but the queue needs a disposition: the agent stays in wrap-up
      const over = now - toEpoch(w.overrun_since);
      timer.textContent = t("Over time by %(time)s: save a disposition", { time: clock(over) });
      timer.classList.add("urgent");
    } else if (w && w.ends_at) {
      const left = toEpoch(w.ends_at) - now;
      timer.textContent = t("Ends in %(time)s", { time: clock(left) });
      timer.classList.toggle("urgent", left < 10);
    } else {
      timer.textContent = w || ui.chatWrapUp ? t("No time limit") : t("Time is up");
      timer.classList.remove("urgent");
    }
  }

  // Wrap-up ----------------------------------------------------------------------------------
  const wrapForm = $("wrapup-form");
  for (const d of dispositionRows) wrapForm.disposition.append(el("option", { value: d.code }, label(d)));
  for (const r of reasonRows.filter((r) => r.code !== "missed")) $("reason").append(el("option", { value: r.code }, label(r)));
  // A wrap-up ticket goes to one of the center's departments (the first one unless chosen).
  for (const d of departmentRows) wrapForm.department.append(el("option", { value: d.code }, d.name || d.code));

  function keepWrapUp() {
    // Time ran out while the agent was typing: keep the form so the notes are not lost.
    if (ui.chatWrapUp) return true;
    return Boolean(ui.wrapup.interactionId && ui.wrapup.dirty && !ui.wrapup.saved && !ui.desk?.current);
  }

  function startWrapUp(wrapUp) {
    // A draft kept by the workspace while the agent was on another screen comes back.
    const draft = ws.wrapupDraft?.interactionId === wrapUp.interaction_id ? ws.wrapupDraft : null;
    ui.wrapup = draft ? { ...draft.state } : { interactionId: wrapUp.interaction_id, dirty: false, saved: false };
    wrapForm.reset();
    if (!draft && ui.assisted.interactionId === wrapUp.interaction_id && ui.assisted.texts.length) {
      wrapForm.notes.value = ui.assisted.texts.join("\n\n") + "\n";
      ui.wrapup.dirty = true;
    }
    if (draft) {
      for (const [name, value] of Object.entries(draft.values)) {
        const input = wrapForm.elements[name];
        if (input && input.type === "checkbox") input.checked = value === "on";
        else if (input) input.value = value;
      }
    }
    $("ticket-fields").hidden = !wrapForm.with_ticket.checked;
    show($("wrapup-error"), "");
    const queue = ui.lastQueue;
    const replies = quickReplyRows.filter((q) => !q.queue || q.queue === queue);
    $("quick-replies").replaceChildren(
      ...replies.map((q) => {
        const b = el("button", { type: "button", className: "chip", title: q.text, dataset: { testid: "quick-reply" } }, q.title);
        b.addEventListener("click", () => insertIntoNotes(q.text));
        return b;
      }),
    );
    if (!pop.interactionId) pop.showFor(wrapUp.interaction_id);
    showCampaignDispositions(wrapUp.interaction_id);
  }

  // A progressive or predictive campaign's call: its own dispositions count in its figures.
  async function showCampaignDispositions(interactionId) {
    const box = $("campaign-disposition-box");
    const select = wrapForm.campaign_disposition;
    const kept = select.value;
    box.hidden = true;
    select.replaceChildren(new Option("—", ""));
    const { call } = await get(`/api/v1/desk/campaign-call?interaction_id=${encodeURIComponent(interactionId)}`).catch(() => ({ call: null }));
    if (!call || ui.wrapup.interactionId !== interactionId || !call.dispositions.length) return;
    select.append(...call.dispositions.map((d) => new Option(d.label, d.code)));
    select.value = kept;
    $("campaign-disposition-name").textContent = call.campaign;
    box.hidden = false;
  }

  function insertIntoNotes(text) {
    const notes = wrapForm.notes;
    const start = notes.selectionStart ?? notes.value.length;
    const end = notes.selectionEnd ?? notes.value.length;
    notes.value = notes.value.slice(0, start) + text + notes.value.slice(end);
    notes.selectionStart = notes.selectionEnd = start + text.length;
    notes.focus();
    ui.wrapup.dirty = true;
  }

  function renderWrapUp() {
    const w = ui.desk?.wrap_up;
    const panel = $("wrapup-panel");
    const visible = Boolean(w) || keepWrapUp() || Boolean(ui.chatWrapUp);
    panel.hidden = !visible;
    if (!visible) return;
    panel.dataset.interaction = ui.wrapup.interactionId;
    $("disposition-required").hidden = !w?.disposition_required;
    wrapForm.disposition.required = Boolean(w?.disposition_required);
    $("wrapup-extend").hidden = !w;
  }

  wrapForm.addEventListener("input", () => (ui.wrapup.dirty = true));
  wrapForm.with_ticket.addEventListener("change", () => {
    $("ticket-fields").hidden = !wrapForm.with_ticket.checked;
    if (wrapForm.with_ticket.checked && !wrapForm.subject.value) {
      wrapForm.subject.value = wrapForm.notes.value.split("\n")[0].slice(0, 200);
    }
  });

  wrapForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = ui.wrapup.interactionId;
    const required = Boolean(ui.desk?.wrap_up?.disposition_required);
    const disposition = wrapForm.disposition.value;
    const wantsTicket = wrapForm.with_ticket.checked;
    // notes, a ticket or a "resolved?" answer are saved with a disposition, never alone
    if (!disposition && (required || wantsTicket || wrapForm.notes.value.trim() || wrapForm.resolved.value)) {
      show($("wrapup-error"), t("Choose a disposition first."));
      return;
    }
    const button = wrapForm.querySelector("[type=submit]");
    button.disabled = true;
    try {
      const campaignDisposition = wrapForm.campaign_disposition.value;
      if (campaignDisposition && ui.wrapup.campaignSaved !== campaignDisposition) {
        await post(`/api/v1/desk/campaign-calls/${encodeURIComponent(id)}/disposition`, { disposition: campaignDisposition });
        ui.wrapup.campaignSaved = campaignDisposition;
      }
      if (disposition && !ui.wrapup.saved) {
        const body = { disposition, notes: wrapForm.notes.value };
        // the agent's "resolved?" answer counts for first-contact resolution (none: not asked)
        if (wrapForm.resolved.value) body.resolved = wrapForm.resolved.value === "yes";
        if (wantsTicket) {
          if (!wrapForm.subject.value.trim()) {
            show($("wrapup-error"), t("A ticket needs a subject."));
            return;
          }
          body.ticket = {
            subject: wrapForm.subject.value.trim(),
            ...(wrapForm.department.value ? { department: wrapForm.department.value } : {}),
            due_date: wrapForm.due_date.value || null,
          };
        }
        const saved = await post(`/api/v1/interactions/${encodeURIComponent(id)}/wrapup`, body);
        ui.wrapup.saved = true;
        status(saved.ticket_number ? t("Saved. Ticket %(number)s created.", { number: saved.ticket_number }) : t("Saved."));
      }
      // a chat's wrap-up ends the desk's only when the desk wraps up that chat, not a call
      const wasChat = ui.chatWrapUp === id;
      if (wasChat) ui.chatWrapUp = null;
      if (ui.desk?.wrap_up && (!wasChat || ui.desk.wrap_up.interaction_id === id)) await post("/api/v1/desk/wrapup/end", {});
      show($("wrapup-error"), "");
      ui.wrapup.dirty = false;
      render();
    } catch (error) {
      show($("wrapup-error"), errorText(error));
    } finally {
      button.disabled = false;
    }
  });

  $("wrapup-extend").addEventListener("click", (e) => act("wrapup/extend", { seconds: 30 }, e.currentTarget));

  // Buttons ----------------------------------------------------------------------------------
  $("login").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const mode = document.querySelector("input[name=phone-mode]:checked").value;
    ws.ringer.prepare();
    button.disabled = true;
    ws.loggingIn = true;
    try {
      if (mode === "browser") {
        try {
          await ws.startPhone("desk");
        } catch {
          show($("desk-error"), PHONE_STATES()[ws.phone?.state] || t("The phone could not connect."));
          ws.stopPhone();
          return;
        }
      }
      const desk = await act("login", { phone: mode, ready: $("login-ready").checked });
      if (desk === null && mode === "browser") ws.stopPhone();
      else if (desk && desk.state) ws.applyDesk(desk);
    } finally {
      ws.loggingIn = false;
      button.disabled = false;
    }
  });

  $("set-available").addEventListener("click", (e) => act("state", { state: "available" }, e.currentTarget));
  $("set-not-ready").addEventListener("click", (e) => act("state", { state: "not_ready", reason: $("reason").value || null }, e.currentTarget));
  $("logout-work").addEventListener("click", async (e) => {
    if (onCall() && !window.confirm(t("You are on a call. Log out when it ends?"))) return;
    const result = await act("logout", {}, e.currentTarget);
    if (result?.state === "logged_out") ws.applyDesk(result);
  });

  $("hangup").addEventListener("click", (e) => act("hangup", {}, e.currentTarget));
  $("hold").addEventListener("click", (e) => act(ui.desk?.current?.phase === "held" ? "resume" : "hold", {}, e.currentTarget));
  $("mute").addEventListener("click", (e) => act("mute", { muted: !ui.desk?.current?.muted }, e.currentTarget));
  $("record").addEventListener("click", (e) => act("recording", { paused: !ui.desk?.current?.recording_paused }, e.currentTarget));
  $("consult-complete").addEventListener("click", (e) => act("consult/complete", {}, e.currentTarget));
  $("consult-cancel").addEventListener("click", (e) => act("consult/cancel", {}, e.currentTarget));
  $("conference").addEventListener("click", (e) => act("conference", {}, e.currentTarget));

  // Keypad: keys go to whoever the agent talks to (the IVR of a called company, a conference …).
  const keypad = $("keypad");
  const typed = el("output", { className: "mono", dataset: { testid: "keypad-typed" } });
  keypad.append(typed, ...["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"].map((key) => {
    const b = el("button", { type: "button", dataset: { key } }, key);
    b.addEventListener("click", async () => {
      if (await act("dtmf", { digits: key })) typed.textContent += key;
    });
    return b;
  }));
  $("open-keypad").addEventListener("click", () => {
    keypad.hidden = !keypad.hidden;
    typed.textContent = "";
  });

  // A text to the caller during the call (快捷短信): a quick reply or the agent's own words,
  // sent by the center's SMS provider to the number of the call (docs/sms.md).
  const smsForm = $("sms-form");
  function smsParts() {
    const text = smsForm.text.value;
    const wide = [...text].some((ch) => !GSM7.includes(ch));
    const units = wide ? [...text].reduce((n, ch) => n + (ch.codePointAt(0) > 0xffff ? 2 : 1), 0) : text.length;
    const parts = units <= (wide ? 70 : 160) ? 1 : Math.ceil(units / (wide ? 67 : 153));
    $("sms-count").textContent = text ? t("%(count)s characters, %(parts)s SMS", { count: [...text].length, parts }) : "";
  }
  $("open-sms").addEventListener("click", () => {
    smsForm.hidden = !smsForm.hidden;
    if (smsForm.hidden) return;
    const queue = ui.desk?.current?.queue_id;
    $("sms-replies").replaceChildren(
      ...quickReplyRows.filter((q) => !q.queue || q.queue === queue).map((q) => {
        const b = el("button", { type: "button", className: "chip", title: q.text, dataset: { testid: "sms-reply" } }, q.title);
        b.addEventListener("click", () => {
          smsForm.text.value = q.text;
          smsParts();
        });
        return b;
      }),
    );
    smsForm.text.focus();
    smsParts();
  });
  smsForm.text.addEventListener("input", smsParts);
  smsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = smsForm.text.value.trim();
    if (!text) return;
    const sent = await act("sms", { text, language: language() }, event.submitter);
    if (sent && sent.id) {
      smsForm.reset();
      smsForm.hidden = true;
      status(t("Text sent to %(number)s", { number: sent.recipient }));
    }
  });

  // Transfer dialog.
  const transferDialog = $("transfer-dialog");
  const transferForm = $("transfer-form");
  function showTargetField() {
    const kind = transferForm.target_kind.value;
    for (const field of transferForm.querySelectorAll("[data-target]")) field.hidden = field.dataset.target !== kind;
  }
  transferForm.addEventListener("change", showTargetField);
  $("open-transfer").addEventListener("click", () => {
    transferForm.reset();
    transferForm.agent.replaceChildren(
      ...Object.entries(names.agents).filter(([id]) => id !== ui.desk?.agent_id).map(([id, name]) => el("option", { value: id }, name)),
    );
    transferForm.queue.replaceChildren(...Object.entries(names.queues).map(([id, name]) => el("option", { value: id }, name)));
    showTargetField();
    show($("transfer-error"), "");
    transferDialog.showModal();
  });
  $("transfer-cancel").addEventListener("click", () => transferDialog.close());
  transferForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = transferForm;
    const targetKind = f.target_kind.value;
    const target = { agent: f.agent.value, queue: f.queue.value, number: f.number.value.trim() }[targetKind];
    if (!target) {
      show($("transfer-error"), t("Choose who to transfer to."));
      return;
    }
    const body = { kind: f.kind.value, target_kind: targetKind, target };
    if (f.note.value.trim()) body.note = f.note.value.trim();
    try {
      await post("/api/v1/desk/transfer", body);
      transferDialog.close();
    } catch (error) {
      show($("transfer-error"), errorText(error));
    }
  });

  // Click-to-call: a number, or a customer found by name or phone.
  $("dial-form").addEventListener("submit", (event) => {
    event.preventDefault();
    dial(event.currentTarget.number.value.trim());
  });
  let searching = null;
  $("customer-search").addEventListener("input", (event) => {
    clearTimeout(searching);
    const q = event.currentTarget.value.trim();
    searching = scope.after(async () => {
      const results = q ? await get(`/api/v1/customers?limit=8&q=${encodeURIComponent(q)}`).catch(() => ({ items: [] })) : { items: [] };
      $("customer-results").replaceChildren(
        ...results.items.map((c) => el("li", { dataset: { customer: c.id } },
          el("span", {}, c.name), c.vip_level ? el("span", { className: "vip" }, vipText(c.vip_level)) : null, " ",
          ...(c.phones || []).map((number) => pop.phoneButton(number)))),
      );
    }, 200);
  });

  // Leaving the screen mid wrap-up keeps what was typed (the workspace outlives the screen).
  scope.onClose(() => {
    if (!ui.wrapup.interactionId || ui.wrapup.saved) return;
    const values = Object.fromEntries(new FormData(wrapForm).entries());
    ws.wrapupDraft = { interactionId: ui.wrapup.interactionId, state: { ...ui.wrapup }, values };
  });

  // The conversation pane: chats beside the call (docs/desktop.md). Closing a chat opens the
  // same wrap-up panel as a call, for the chat.
  chatPane = new ChatPane($("chat-pane"), names, quickReplyRows, {
    after: (fn, ms) => scope.after(fn, ms),
    me: () => ui.desk?.agent_id,
    changed: () => render(),
    closed: (contactId) => {
      if (ui.desk?.wrap_up?.interaction_id === contactId) return render(); // the desk's own wrap-up
      ui.chatWrapUp = contactId;
      startWrapUp({ interaction_id: contactId });
      render();
    },
  });
  scope.onClose(() => chatPane.stop());
  chatPane.start();

  // The workspace tells what changed -------------------------------------------------------
  scope.on(ws, "desk", (event) => applyDesk(event.detail));
  scope.on(ws, "offer", (event) => applyOffer(event.detail));
  scope.on(ws, "phone", () => ui.desk && renderIdle());
  scope.every(tick, 1000);
  try {
    const desk = ws.desk || (await get("/api/v1/desk"));
    // Log in at the phone the agent's profile names, unless she picks the other one.
    const profile = await get(`/api/v1/agents/${encodeURIComponent(desk.agent_id)}`).catch(() => null);
    const mode = desk.phone?.kind || profile?.phone_mode;
    const radio = document.querySelector(`input[name=phone-mode][value="${mode}"]`);
    if (radio) radio.checked = true;
    if (scope.closed) return;
    if (!ws.desk) ws.applyDesk(desk);
    else applyDesk(ws.desk);
    applyOffer(ws.offer);
  } catch (error) {
    show($("desk-error"), errorText(error));
  }
}
