// The desktop's screen pop (来电弹屏): who is calling (name, VIP level, tags, phones with
// click-to-call), what the IVR learned (path, keys), a transfer's note, the customer's last
// contacts on any channel and open tickets; unknown callers get a prefilled "new customer" form.
import { get, post } from "./api.js";
import { t } from "./i18n.js";
import { CHANNELS, OUTCOMES, duration, el, errorText, show, when } from "./interaction-format.js";
import { PRIORITIES, STATUSES } from "./ticket-format.js";


export const HINT_RESPONSES = () => ({
  offered: t("Offer made"),
  accepted: t("Accepted"),
  declined: t("Declined"),
});

/** "VIP 2" badge text, or "" for ordinary customers. */
export function vipText(level) {
  return level ? t("VIP %(level)s", { level }) : "";
}

/** The one-line summary the offer toast shows: number, queue, keys (the pop has the rest). */
export function summary(pop, names) {
  const parts = [pop.caller_number || t("Unknown number")];
  if (pop.queue_id) parts.push(names.queue(pop.queue_id));
  const digits = digitsOf(pop);
  if (digits.length) parts.push(t("keys %(digits)s", { digits: digits.join(" ") }));
  if (pop.customer?.tags?.length) parts.push(pop.customer.tags.join(" "));
  return parts.join(" · ");
}

export function transferNote(pop) {
  const transfer = pop.transfer || null;
  const note = transfer ? transfer.note : pop.note;
  return note || "";
}

function ivrPath(pop) {
  const steps = (pop.ivr?.path || []).map((s) => s.title || s.node).filter(Boolean);
  return steps.join(" → ");
}

function digitsOf(pop) {
  return (pop.ivr?.digits || []).map((d) => (typeof d === "object" ? d.digits : d)).filter(Boolean);
}

export class ScreenPop {
  /** `box` is the panel; `dial(number)` places a click-to-call; `names` is a `Names`. */
  constructor(box, names, { dial, canDial }) {
    this.box = box;
    this.names = names;
    this.dial = dial;
    this.canDial = canDial;
    this.pop = null;
    this.dialog = document.getElementById("customer-dialog");
    this.form = document.getElementById("customer-form");
    this.error = document.getElementById("customer-error");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveCustomer();
    });
    document.getElementById("customer-cancel").addEventListener("click", () => this.dialog.close());
  }

  get interactionId() {
    return this.pop?.interaction_id || null;
  }

  /** Show this interaction's pop (fetched when only the id is known). */
  async showFor(interactionId, pop = null, { refresh = false } = {}) {
    if (!interactionId) return;
    if (pop) {
      // an offer's pop is what the server knew when it rang: a repeated offer for the contact
      // shown already must not put back what the agent answered since (a hint's response)
      if (this.pop?.interaction_id !== interactionId) this.pop = { interaction_id: interactionId, ...pop };
    } else if (refresh || this.pop?.interaction_id !== interactionId) {
      try {
        this.pop = await get(`/api/v1/desk/screenpop/${encodeURIComponent(interactionId)}`);
      } catch (error) {
        console.warn("screen pop", error);
        return;
      }
    }
    this.render();
  }

  clear() {
    this.pop = null;
    this.box.hidden = true;
    this.box.replaceChildren();
  }

  phoneButton(number) {
    const call = el("button", { type: "button", className: "link", dataset: { testid: "click-to-call", number }, title: t("Call") }, "☎ " + number);
    call.disabled = !this.canDial();
    call.addEventListener("click", () => this.dial(number));
    return call;
  }

  render() {
    const pop = this.pop;
    if (!pop) return this.clear();
    const c = pop.customer;
    const head = el("div", { className: "pop-head" });
    if (c) {
      head.append(el("h2", { dataset: { testid: "pop-customer" } }, el("a", { href: `/customers/${encodeURIComponent(c.id)}` }, c.name)));
      if (c.vip_level) head.append(el("span", { className: "vip", dataset: { testid: "pop-vip" } }, vipText(c.vip_level)));
      for (const tag of c.tags || []) head.append(el("span", { className: "tag" }, tag));
    } else {
      head.append(el("h2", { dataset: { testid: "pop-customer" } }, t("Unknown caller")));
      const create = el("button", { type: "button", className: "primary small", dataset: { testid: "create-customer" } }, t("Create customer"));
      create.addEventListener("click", () => this.openCustomerForm());
      head.append(create);
    }
    const sections = [head];
    const phones = c ? c.phones || [] : [pop.caller_number].filter(Boolean);
    const contact = el("p", { className: "pop-contact" });
    phones.forEach((p) => contact.append(this.phoneButton(p), " "));
    for (const email of c?.emails || []) contact.append(el("span", { className: "muted" }, email), " ");
    sections.push(contact);

    const hints = pop.hints || [];
    if (hints.length) sections.push(this.hintList(hints));

    const note = transferNote(pop);
    if (note) {
      const from = pop.transfer?.from_agent_id ? this.names.agent(pop.transfer.from_agent_id) : "";
      sections.push(el("p", { className: "note", dataset: { testid: "pop-note" } },
        el("strong", {}, from ? t("Note from %(agent)s:", { agent: from }) : t("Transfer note:")), " ", note));
    }

    const ivr = el("dl", { className: "facts", dataset: { testid: "pop-ivr" } });
    const path = ivrPath(pop);
    const digits = digitsOf(pop);
    if (path) ivr.append(el("dt", {}, t("IVR path")), el("dd", {}, path));
    if (digits.length) ivr.append(el("dt", {}, t("Keys pressed")), el("dd", { dataset: { testid: "pop-digits" } }, digits.join(" ")));
    if (pop.queue_id) ivr.append(el("dt", {}, t("Queue")), el("dd", {}, this.names.queue(pop.queue_id)));
    if (pop.wait_s !== undefined && pop.wait_s !== null) ivr.append(el("dt", {}, t("Waited")), el("dd", {}, duration(pop.wait_s)));
    if (ivr.childElementCount) sections.push(el("h3", {}, t("This contact")), ivr);

    const recent = pop.recent || [];
    sections.push(el("h3", {}, t("Recent contacts")));
    sections.push(recent.length
      ? el("ul", { className: "plain recent", dataset: { testid: "pop-recent" } }, ...recent.map((r) => el("li", {},
        el("a", { href: `/interactions/${encodeURIComponent(r.id)}`, target: "_blank" }, when(r.started_at)),
        " · ", CHANNELS()[r.channel] || r.channel || "",
        " · ", OUTCOMES()[r.outcome] || r.outcome || t("In progress"),
        r.disposition ? " · " + this.names.disposition(r.disposition) : "",
        r.agent_id ? " · " + this.names.agent(r.agent_id) : "")))
      : el("p", { className: "muted" }, t("No earlier contacts")));

    const tickets = pop.open_tickets || [];
    sections.push(el("h3", {}, t("Open tickets")));
    sections.push(tickets.length
      ? el("ul", { className: "plain", dataset: { testid: "pop-tickets" } }, ...tickets.map((tk) => el("li", { dataset: { ticket: tk.id, number: String(tk.number) } },
        el("a", { href: `/tickets/${encodeURIComponent(tk.id)}`, dataset: { testid: "pop-ticket" } }, el("strong", {}, "#" + tk.number)),
        " ", tk.subject, " · ", STATUSES()[tk.status] || tk.status,
        tk.priority && tk.priority !== "normal" ? " · " + (PRIORITIES()[tk.priority] || tk.priority) : "",
        tk.due_date ? " · " + t("due %(date)s", { date: tk.due_date }) : "")))
      : el("p", { className: "muted" }, t("No open tickets")));

    this.box.replaceChildren(...sections);
    this.box.hidden = false;
  }

  /** The hints (服务提示): each with buttons for what the agent did; the last answer shows. */
  hintList(hints) {
    const box = el("div", { className: "hints", dataset: { testid: "pop-hints" } }, el("h3", {}, t("Hints")));
    for (const hint of hints) {
      const item = el("div", { className: "hint", dataset: { testid: "pop-hint", rule: hint.rule_id, response: hint.response || "" } },
        el("p", { className: "hint-text" }, hint.text));
      const buttons = el("div", { className: "inline-form" });
      for (const [response, label] of Object.entries(HINT_RESPONSES())) {
        const button = el("button", { type: "button", className: hint.response === response ? "small primary" : "small", dataset: { testid: `hint-${response}` } }, label);
        button.addEventListener("click", () => this.respond(hint, response, button));
        buttons.append(button);
      }
      const said = hint.response ? el("span", { className: "muted", dataset: { testid: "hint-response" } }, t("Recorded: %(response)s", { response: HINT_RESPONSES()[hint.response] })) : "";
      item.append(buttons, said);
      box.append(item);
    }
    box.append(el("p", { className: "error", id: "hint-error", role: "alert", hidden: true }));
    return box;
  }

  async respond(hint, response, button) {
    const pop = this.pop;
    button.disabled = true;
    try {
      await post(`/api/v1/desk/hints/${encodeURIComponent(pop.contact_id || pop.interaction_id)}/${encodeURIComponent(hint.rule_id)}/responses`,
        { response, customer_id: pop.customer?.id || null });
    } catch (error) {
      button.disabled = false;
      show(document.getElementById("hint-error"), errorText(error));
      return;
    }
    // Shown again with the answer recorded while the pop still shows this contact: a desk
    // update may have fetched the pop anew (before the answer was stored) in the meantime.
    if (this.pop?.interaction_id === pop.interaction_id) {
      await this.showFor(pop.interaction_id, null, { refresh: true });
    }
  }

  openCustomerForm() {
    this.form.reset();
    this.form.phone.value = this.pop?.caller_number || "";
    show(this.error, "");
    this.dialog.showModal();
    this.form.name.focus();
  }

  async saveCustomer() {
    const f = this.form;
    const body = {
      name: f.name.value.trim(),
      phones: f.phone.value.trim() ? [f.phone.value.trim()] : [],
      emails: f.email.value.trim() ? [f.email.value.trim()] : [],
      vip_level: Number(f.vip_level.value || 0),
      tags: f.tags.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean),
      notes: f.notes.value,
    };
    try {
      await post("/api/v1/customers", body);
    } catch (error) {
      show(this.error, errorText(error));
      return;
    }
    this.dialog.close();
    const id = this.interactionId;
    if (id) {
      this.pop = null;
      await this.showFor(id);
    }
  }
}
