// Outbound campaigns (issue 24): each campaign with its mode, status and live figures (dials,
// connects, right-party contacts, conversions, abandon rate over its window and lifetime, AMD
// outcomes, talk occupancy, list penetration — GET /api/v1/campaigns/{id}, every 5 s); start,
// pause, resume or finish one; create one, or edit every setting of one (PATCH: the server
// says what may change while it runs). Every refusal names the field, in the user's language.
import { get, patch, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { errorText, percent } from "./interaction-format.js";
import { parseDispositions, parseRetry, windowName, writeDispositions, writeRetry } from "./campaign-settings.js";

const MODES = () => ({ preview: t("Preview"), progressive: t("Progressive"), predictive: t("Predictive"), agentless: t("Agentless") });
const STATUSES = () => ({ draft: t("Draft"), running: t("Running"), paused: t("Paused"), finished: t("Finished") });
const ORDERS = () => ({ in_order: t("In order"), random: t("Random"), priority: t("By priority") });
// What an admin may do next from each status (the server decides; this only offers buttons).
const ACTIONS = { draft: ["start"], running: ["pause", "finish"], paused: ["resume", "finish"], finished: [] };
const ACTION_WORDS = () => ({ start: t("Start"), pause: t("Pause"), resume: t("Resume"), finish: t("Finish") });

/** A refusal that names its field: the form's own checks, before anything is sent. `field`:
 *  the form's input it is about (set where the input is read). */
export class FieldError extends Error {}

/** Read one input with `parse`: its refusal names that input. */
function reading(field, parse) {
  try {
    return parse();
  } catch (err) {
    if (err instanceof FieldError) err.field = field;
    throw err;
  }
}

/** `mon-fri: 09:00-18:00, 19:00-20:00` lines into the API's `{"mon-fri": ["09:00-18:00", …]}`. */
export function parseWindow(text) {
  const window = {};
  for (const [index, raw] of text.split(/\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.search(/[:：]/);
    if (at < 1) throw new FieldError(t("Calling window, line %(line)s: write a day, a colon and the hours.", { line: index + 1 }));
    window[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).split(/[,，\s]+/).filter(Boolean);
  }
  return window;
}

function writeWindow(window) {
  return Object.entries(window || {}).map(([day, spans]) => `${day}: ${spans.join(", ")}`).join("\n");
}

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const $ = (id) => document.getElementById(id);
  const form = $("campaign-form");
  const error = $("campaign-error");
  const status = $("campaign-status");
  let editing = null; // the campaign being edited (GET /campaigns/{id}), or null for a new one
  let listNames = {};

  function say(element, text) {
    for (const e of [error, status]) e.hidden = true;
    element.textContent = text;
    element.hidden = !text;
  }

  function cell(text, testid) {
    const td = document.createElement("td");
    td.textContent = text ?? "";
    if (testid) td.dataset.testid = testid;
    return td;
  }

  function button(text, testid, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.dataset.testid = testid;
    scope.on(b, "click", onClick);
    return b;
  }

  async function act(campaign, action, target) {
    target.disabled = true;
    try {
      const done = await post(`/api/v1/campaigns/${encodeURIComponent(campaign.id)}/status`, { action });
      say(status, t("Campaign %(name)s is now %(status)s.", { name: campaign.name, status: STATUSES()[done.status] || done.status }));
      await show();
    } catch (err) {
      say(error, errorText(err));
    } finally {
      target.disabled = false;
    }
  }

  function abandonCell(f) {
    const td = cell(`${percent(f.abandon_rate_window)} · ${windowName(f.abandon_window_s)}`, "campaign-abandon-rate-window");
    td.title = t("%(abandoned)s abandoned of %(answered)s answered; cap %(cap)s", {
      abandoned: f.abandoned_window, answered: f.answered_window, cap: percent(f.abandon_cap),
    });
    if (f.abandon_over_cap) td.classList.add("bad");
    return td;
  }

  async function show() {
    const list = await get("/api/v1/campaigns");
    const shown = await Promise.all(list.items.map((c) => get(`/api/v1/campaigns/${encodeURIComponent(c.id)}`)));
    if (scope.closed) return;
    const rows = $("campaign-rows");
    rows.replaceChildren();
    for (const campaign of shown) {
      const f = campaign.figures;
      const tr = document.createElement("tr");
      tr.dataset.testid = "campaign-row";
      tr.dataset.name = campaign.name;
      tr.dataset.status = campaign.status;
      const actions = document.createElement("td");
      if (form.dataset.write === "yes") {
        for (const action of ACTIONS[campaign.status] || []) {
          const b = button(ACTION_WORDS()[action], `campaign-${action}`, () => act(campaign, action, b));
          actions.append(b, " ");
        }
        if (campaign.status !== "finished") {
          actions.append(button(t("Edit"), "campaign-edit", () => openForm(campaign).catch((err) => say(error, errorText(err)))));
        }
      }
      tr.append(
        cell(campaign.name),
        cell(MODES()[campaign.mode] || campaign.mode),
        cell(STATUSES()[campaign.status] || campaign.status, "campaign-state"),
        cell(String(f.records)),
        cell(String(f.dials), "campaign-dials"),
        cell(String(f.connects), "campaign-connects"),
        cell(String(f.right_party), "campaign-right-party"),
        cell(String(f.conversions), "campaign-conversions"),
        abandonCell(f),
        cell(percent(f.abandon_rate_lifetime), "campaign-abandon-lifetime"),
        amdCell(f),
        cell(percent(f.talk_occupancy), "campaign-occupancy"),
        cell(percent(f.penetration), "campaign-penetration"),
        actions,
      );
      rows.append(tr);
    }
    if (!shown.length) {
      const tr = document.createElement("tr");
      const td = cell(t("No campaign yet."));
      td.colSpan = 14;
      tr.append(td);
      rows.append(tr);
    }
  }

  /** The attached lists, in order, each with its order and a way up or off. */
  function listRow(item) {
    const li = document.createElement("li");
    li.dataset.testid = "campaign-list-row";
    li.dataset.listId = item.list_id;
    const name = document.createElement("span");
    name.textContent = listNames[item.list_id] || item.list_id;
    const order = document.createElement("select");
    order.dataset.testid = "campaign-list-ordering";
    order.setAttribute("aria-label", t("How its records are taken"));
    for (const [value, label] of Object.entries(ORDERS())) order.append(new Option(label, value, false, value === item.order));
    const up = button("↑", "campaign-list-up", () => { if (li.previousElementSibling) li.parentNode.insertBefore(li, li.previousElementSibling); });
    up.title = t("Dial this list earlier");
    const off = button(t("Take off"), "campaign-list-off", () => li.remove());
    li.append(name, " ", order, " ", up, " ", off);
    return li;
  }

  async function openForm(campaign = null) {
    form.reset();
    editing = campaign;
    const [queues, lists, flows] = await Promise.all([
      get("/api/v1/queues?limit=500"),
      get("/api/v1/call-lists"),
      get("/api/v1/flows").catch(() => ({ items: [] })), // without the flows permission: none
    ]);
    listNames = Object.fromEntries(lists.items.map((l) => [l.id, l.name]));
    const queue = form.elements.queue_id;
    queue.replaceChildren(new Option("—", ""));
    for (const q of queues.items) queue.append(new Option(q.display_name || q.name, q.name));
    const flow = form.elements.flow_id;
    flow.replaceChildren(new Option("—", ""));
    for (const f of flows.items) flow.append(new Option(f.description ? `${f.name} · ${f.description}` : f.name, f.name));
    // A setting the lists do not offer (a queue or flow since removed) is kept as it is.
    for (const [select, value] of [[queue, campaign?.queue_id], [flow, campaign?.flow_id]]) {
      if (value && ![...select.options].some((o) => o.value === value)) select.append(new Option(value, value));
    }
    const attached = new Set((campaign?.lists || []).map((l) => l.list_id));
    const select = form.elements.lists;
    select.replaceChildren();
    for (const l of lists.items) if (!attached.has(l.id)) select.append(new Option(`${l.name} (${l.entries})`, l.id));
    $("campaign-list-rows").replaceChildren(...(campaign?.lists || []).map(listRow));
    $("campaign-list-order").hidden = !campaign;
    $("campaign-lists-label").textContent = campaign ? t("Add call lists") : t("Call lists");
    $("campaign-running-note").hidden = campaign?.status !== "running";
    $("campaign-form-title").textContent = campaign ? t("Edit campaign %(name)s", { name: campaign.name }) : t("New campaign");
    const e = form.elements;
    const c = campaign || { abandon_cap: 0.03, abandon_window_s: 86400, max_lines_per_agent: 5, ring_timeout_s: 25, caller_id_daily_cap: 0, retry: {} };
    if (campaign) {
      e.name.value = c.name;
      e.mode.value = c.mode;
      e.queue_id.value = c.queue_id || "";
      e.flow_id.value = c.flow_id || "";
      e.caller_ids.value = (c.caller_ids || []).join("\n");
      e.window.value = writeWindow(c.window);
      e.retry.value = writeRetry(c.retry);
      e.dispositions.value = writeDispositions(c.dispositions);
      e.script.value = c.script && Object.keys(c.script).length ? JSON.stringify(c.script, null, 2) : "";
    }
    e.abandon_cap.value = String(Math.round(c.abandon_cap * 1000) / 10);
    e.abandon_window_s.value = String(c.abandon_window_s);
    e.max_lines_per_agent.value = String(c.max_lines_per_agent);
    e.ring_timeout_s.value = String(c.ring_timeout_s);
    e.caller_id_daily_cap.value = String(c.caller_id_daily_cap);
    const machine = c.retry?.machine || {};
    e.machine_action.value = machine.action || "";
    e.machine_message_zh.value = machine.message?.["zh-CN"] || "";
    e.machine_message_en.value = machine.message?.en || "";
    clearMarks();
    form.hidden = false;
    e.name.focus();
  }

  // What live detection decided: machine / human, the rest on hover.
  function amdCell(f) {
    const td = cell(`${f.amd_machine} / ${f.amd_human}`, "campaign-amd");
    const mean = f.amd_mean_decision_s == null ? "—" : f.amd_mean_decision_s.toFixed(1);
    td.title = t("Unsure: %(unsure)s · mean time to decide: %(mean)s s · messages left: %(left)s", {
      unsure: f.amd_unsure, mean, left: f.machine_messages,
    });
    return td;
  }

  function number(input, scale = 1) {
    const value = Number(input.value);
    // rounded: 0.7 % is 0.007, not 0.007000000000000001 (which would count as a change)
  return input.value.trim() === "" || Number.isNaN(value) ? input.value : Math.round(value * scale * 1e6) / 1e6;
  }

  function body() {
    const e = form.elements;
    let script = {};
    if (e.script.value.trim()) {
      try {
        script = JSON.parse(e.script.value);
      } catch {
        throw Object.assign(new FieldError(t("Script: this is not valid JSON.")), { field: "script" });
      }
    }
    return {
      name: e.name.value,
      mode: e.mode.value,
      queue_id: e.queue_id.value || null,
      flow_id: e.flow_id.value || null,
      abandon_cap: number(e.abandon_cap, 0.01),
      abandon_window_s: Number(e.abandon_window_s.value),
      max_lines_per_agent: number(e.max_lines_per_agent),
      ring_timeout_s: number(e.ring_timeout_s),
      caller_ids: e.caller_ids.value.split(/[\n,，]+/).map((s) => s.trim()).filter(Boolean),
      caller_id_daily_cap: number(e.caller_id_daily_cap),
      window: reading("window", () => parseWindow(e.window.value)),
      retry: reading("retry", () => withMachineRule(parseRetry(e.retry.value, FieldError), e)),
      dispositions: reading("dispositions", () => parseDispositions(e.dispositions.value, FieldError)),
      script,
    };
  }

  // What answering-machine detection does: set with the machine outcome's retry rule (ADR 0197),
  // beside when a machine is called again (the retries' `machine` line).
  function withMachineRule(retry, e) {
    const { action, message: _, ...when } = retry.machine || {};
    const machine = { ...when };
    if (e.machine_action.value) {
      machine.action = e.machine_action.value;
      const message = {};
      if (e.machine_message_zh.value.trim()) message["zh-CN"] = e.machine_message_zh.value.trim();
      if (e.machine_message_en.value.trim()) message.en = e.machine_message_en.value.trim();
      if (Object.keys(message).length) machine.message = message;
    }
    const out = { ...retry };
    if (Object.keys(machine).length) out.machine = machine;
    else delete out.machine;
    return out;
  }

  scope.on(form, "submit", async (event) => {
    event.preventDefault();
    clearMarks();
    try {
      const sent = body();
      let saved;
      if (editing) {
        sent.lists = [...$("campaign-list-rows").children].map((li) => ({
          list_id: li.dataset.listId,
          order: li.querySelector("select").value,
        }));
        saved = await patch(`/api/v1/campaigns/${encodeURIComponent(editing.id)}`, sent);
      } else {
        saved = await post("/api/v1/campaigns", sent);
      }
      for (const option of form.elements.lists.selectedOptions) {
        await post(`/api/v1/campaigns/${encodeURIComponent(saved.id)}/lists`, { list_id: option.value });
      }
      form.hidden = true;
      say(status, editing ? t("Campaign %(name)s was saved.", { name: saved.name }) : t("Campaign %(name)s was created.", { name: saved.name }));
      editing = null;
      await show();
    } catch (err) {
      const message = err instanceof FieldError ? err.message : errorText(err);
      say(error, message);
      markField(err instanceof FieldError ? form.elements.namedItem(err.field || "") : inputFor(err.fields?.()[0]), message);
    }
  });

  // --- a refusal shown under the field it names (and at the top, for the screen reader) ------
  /** The form's input for a field the API named: `window.mon`, `dispositions[2].code`,
   *  `machine.message_zh` (its own input), `script.questions.1.next`. */
  function inputFor(path) {
    if (!path) return null;
    const parts = path.replace(/\[\d+\]/g, "").split(".");
    const names = parts[0] === "machine" ? [`machine_${parts[1] || "action"}`, "machine_action"] : [parts[0]];
    for (const name of names) {
      const input = form.elements.namedItem(name);
      if (input) return input;
    }
    return null;
  }

  function clearMarks() {
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    for (const node of form.querySelectorAll("[data-testid=campaign-field-error]")) node.remove();
  }

  function markField(input, message) {
    clearMarks();
    if (!input || !(input instanceof Element) || !message) return;
    input.setAttribute("aria-invalid", "true");
    const note = document.createElement("p");
    note.className = "error field-error";
    note.dataset.testid = "campaign-field-error";
    note.textContent = message;
    (input.closest("label") || input).after(note);
    input.focus();
  }
  const create = $("new-campaign");
  if (create) {
    form.dataset.write = "yes";
    scope.on(create, "click", () => openForm().catch((err) => say(error, errorText(err))));
  }
  scope.on($("campaign-cancel"), "click", () => { form.hidden = true; editing = null; });
  await show();
  scope.every(() => show().catch(() => {}), 5000);
}
