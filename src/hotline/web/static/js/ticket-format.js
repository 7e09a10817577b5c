// What the ticket screens share (the lists, the detail, the desktop's "create ticket" and the
// screen pop): the statuses and priorities in the page's language, names of people,
// departments and categories, the activity of a ticket's timeline in words, and the dialog
// that creates a ticket (from the list, or from the contact under way on the desktop).
import { get, post } from "./api.js";
import { language, t } from "./i18n.js";
import { errorText, show, when } from "./interaction-format.js";

export const STATUSES = () => ({
  new: t("New"),
  open: t("Being handled"),
  pending: t("Pending on customer"),
  on_hold: t("Waiting on others"),
  resolved: t("Resolved"),
  closed: t("Closed"),
});

export const PRIORITIES = () => ({ low: t("Low"), normal: t("Normal"), high: t("High"), urgent: t("Urgent") });

/** The verb a status button says: "Resolve" rather than "Resolved". */
export const MOVES = () => ({
  new: t("New"),
  open: t("Start handling"),
  pending: t("Wait for the customer"),
  on_hold: t("Put on hold"),
  resolved: t("Resolve"),
  closed: t("Close"),
});

const TARGETS = () => ({ first_response: t("First response"), next_response: t("Next response"), resolution: t("Resolution") });

/** Departments, categories and people of the center, loaded once per screen. */
export class TicketNames {
  constructor() {
    this.departments = [];
    this.categories = [];
    this.people = {};
  }

  async load() {
    const [departments, categories, people] = await Promise.all([
      get("/api/v1/ticket-departments").then((p) => p.items).catch(() => []),
      get("/api/v1/ticket-categories").then((p) => p.items).catch(() => []),
      get("/api/v1/tickets/people").then((p) => p.items).catch(() => []),
    ]);
    this.departments = departments;
    this.categories = categories;
    for (const person of people) this.people[person.id] = person.display_name;
    return this;
  }

  person(id) {
    return id ? this.people[id] || id : "";
  }

  department(code) {
    return this.departments.find((d) => d.code === code)?.name || code || "";
  }

  category(code) {
    const row = this.categories.find((c) => c.code === code);
    if (!row) return code || "";
    return (language() === "en" ? row.name_en : row.name_zh) || row.code;
  }

  /** The departments whose members include `userId`. */
  departmentsOf(userId) {
    return this.departments.filter((d) => (d.members || []).includes(userId));
  }

  fillDepartments(select, { blank = null, selected = null } = {}) {
    select.replaceChildren();
    if (blank !== null) select.append(new Option(blank, ""));
    for (const d of this.departments) select.append(new Option(d.name || d.code, d.code));
    if (selected) select.value = selected;
  }

  fillCategories(select) {
    select.replaceChildren(new Option("—", ""));
    const byParent = new Map();
    for (const c of this.categories) {
      const parent = c.parent_id || "";
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent).push(c);
    }
    const walk = (parent, depth) => {
      for (const c of byParent.get(parent) || []) {
        select.append(new Option("\u00a0\u00a0".repeat(depth) + this.category(c.code), c.code));
        walk(c.id, depth + 1);
      }
    };
    walk("", 0);
  }

  fillMembers(select, departmentCode, selected) {
    select.replaceChildren(new Option("—", ""));
    const department = this.departments.find((d) => d.code === departmentCode);
    for (const id of department?.members || []) select.append(new Option(this.person(id), id));
    select.value = selected && [...select.options].some((o) => o.value === selected) ? selected : "";
  }
}

/** One activity row of a ticket → [what happened, details], in the page's language. */
export function describeActivity(row, names) {
  const d = row.data || {};
  const status = STATUSES();
  const table = {
    "ticket.created": () => [t("Ticket opened"), [names.department(d.department), PRIORITIES()[d.priority], d.subject]],
    "ticket.status_changed": () => [t("Status changed"), [`${status[d.previous] || d.previous} → ${status[d.status] || d.status}`]],
    "ticket.assigned": () => [
      t("Assigned"),
      [d.assignee_id ? t("to %(who)s", { who: names.person(d.assignee_id) }) : t("Unassigned"), names.department(d.department),
        d.how === "escalation" ? t("by escalation") : d.how && d.how !== "manual" ? t("automatically") : ""],
    ],
    "ticket.updated": () => [t("Ticket changed"), [(d.fields || []).map((f) => FIELD_NAMES()[f] || f).join(", ")]],
    "ticket.commented": () => [d.public ? (d.from_customer ? t("The customer said") : t("Public reply")) : t("Internal note"), []],
    "ticket.linked": () => [t("Contact linked"), []],
    "ticket.merged": () => [t("Merged into another ticket"), [d.into_number ? "#" + d.into_number : ""]],
    "ticket.sla_reminder": () => [t("SLA reminder"), [TARGETS()[d.target] || d.target, d.percent ? d.percent + "%" : ""]],
    "ticket.sla_breached": () => [t("SLA breached"), [TARGETS()[d.target] || d.target]],
    "ticket.escalated": () => [t("Escalated"), [t("level %(n)s", { n: d.level }), names.person(d.to_user_id)]],
  };
  const make = table[row.type];
  const [label, details] = make ? make() : [row.type, []];
  return [label, details.filter(Boolean)];
}

const FIELD_NAMES = () => ({
  subject: t("Subject"),
  description: t("Description"),
  priority: t("Priority"),
  category: t("Category"),
  due_date: t("Due date"),
});

/** An error of a ticket screen: the server's sentence (in the user's language, naming the
 *  field: ADR 0122) first — the desk's generic "some fields are not valid" says too little. */
export function ticketError(error) {
  if (error && error.status && error.message && error.code !== "http_error") return error.message;
  return errorText(error);
}

export function targetName(target) {
  return TARGETS()[target] || target;
}

export { when };

/** The "new ticket" dialog (templates/partials/ticket-dialog.html). `open({contact})` links
 *  the ticket to a contact and its customer; `onCreated(ticket)` runs after it is saved. */
export class TicketDialog {
  constructor(names, { onCreated }) {
    this.names = names;
    this.onCreated = onCreated;
    this.dialog = document.getElementById("ticket-dialog");
    this.form = document.getElementById("ticket-form");
    this.error = document.getElementById("ticket-form-error");
    this.note = document.getElementById("ticket-dialog-contact");
    this.link = {};
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    document.getElementById("ticket-form-cancel").addEventListener("click", () => this.dialog.close());
  }

  /** `contact`: {interaction_id, customer_id, customer_name, caller_number} of the contact the
   *  ticket is about (the call under way), or nothing for a ticket of its own. */
  open({ contact = null, department = null } = {}) {
    this.form.reset();
    this.names.fillDepartments(this.form.department, { selected: department || this.names.departments[0]?.code });
    this.names.fillCategories(this.form.category);
    this.form.mine.checked = this.names.departmentsOf(this.dialog.dataset.me).length > 0;
    this.link = contact ? { interaction_id: contact.interaction_id, customer_id: contact.customer_id || undefined } : {};
    const who = contact ? contact.customer_name || contact.caller_number || "" : "";
    let note = "";
    if (contact?.interaction_id) note = t("About the contact under way%(who)s", { who: who ? " · " + who : "" });
    else if (who) note = t("For %(who)s", { who });
    show(this.note, note);
    show(this.error, "");
    this.dialog.showModal();
    this.form.subject.focus();
  }

  async save() {
    const f = this.form;
    const body = {
      subject: f.subject.value,
      department: f.department.value,
      priority: f.priority.value,
      description: f.description.value,
      ...this.link,
    };
    if (f.category.value) body.category = f.category.value;
    if (f.mine.checked) body.assignee_id = this.dialog.dataset.me;
    if (f.due_date.value) body.due_date = f.due_date.value;
    const button = f.querySelector("[type=submit]");
    button.disabled = true;
    let ticket;
    try {
      ticket = await post("/api/v1/tickets", body);
    } catch (error) {
      show(this.error, ticketError(error));
      return;
    } finally {
      button.disabled = false;
    }
    this.dialog.close();
    await this.onCreated(ticket);
  }
}
