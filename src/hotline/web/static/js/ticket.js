// One ticket (工单详情): its facts and deadlines, the status buttons the transition table
// allows now (the server says which: `moves`), reassignment within or to another department,
// public replies, internal notes and the customer's words, and the timeline of everything that
// happened to it (its activity and comments), newest last; files and watchers: ticket-parts.js.
import { get, patch, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { CHANNELS, el, show, when } from "./interaction-format.js";
import { MOVES, PRIORITIES, STATUSES, TicketNames, describeActivity, targetName, ticketError } from "./ticket-format.js";
import { TicketParts } from "./ticket-parts.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const names = await new TicketNames().load();
  const $ = (id) => document.getElementById(id);
  const box = $("ticket");
  const ticketId = box.dataset.ticket;
  const canWrite = box.dataset.canWrite === "true";
  const assignForm = $("assign-form");
  const commentForm = $("comment-form");
  let ticket = null;
  let customerName = "";
  const parts = new TicketParts({ $, ticketId, canWrite, me: box.dataset.me, names, reload: () => load(), status: (m) => status(m) });

  function status(message) {
    show($("detail-status"), message);
    if (message) scope.after(() => $("detail-status").textContent === message && show($("detail-status"), ""), 6000);
  }

  async function load() {
    try {
      ticket = await get(`/api/v1/tickets/${encodeURIComponent(ticketId)}`);
    } catch (error) {
      show($("detail-error"), ticketError(error));
      return;
    }
    if (scope.closed) return;
    customerName = "";
    if (ticket.customer_id) {
      customerName = await get(`/api/v1/customers/${encodeURIComponent(ticket.customer_id)}`).then((c) => c.name).catch(() => "");
    }
    render();
  }

  function fact(dl, label, value, testid) {
    if (value === "" || value === null || value === undefined) return;
    dl.append(el("dt", {}, label), el("dd", { dataset: testid ? { testid } : undefined }, value));
  }

  function render() {
    box.hidden = false;
    box.dataset.status = ticket.status;
    $("ticket-number").textContent = "#" + (ticket.number_text || ticket.number);
    $("ticket-subject").textContent = ticket.subject;
    $("ticket-description").textContent = ticket.description || "";
    const facts = $("facts");
    facts.replaceChildren();
    fact(facts, t("Department"), names.department(ticket.department), "fact-department");
    fact(facts, t("Assignee"), ticket.assignee_id ? names.person(ticket.assignee_id) : t("Nobody yet"), "fact-assignee");
    fact(facts, t("Priority"), PRIORITIES()[ticket.priority] || ticket.priority);
    fact(facts, t("Category"), ticket.category ? names.category(ticket.category) : "");
    if (ticket.customer_id) {
      facts.append(el("dt", {}, t("Customer")), el("dd", { dataset: { testid: "fact-customer" } },
        el("a", { href: `/customers/${encodeURIComponent(ticket.customer_id)}` }, customerName || t("Customer"))));
    }
    fact(facts, t("Created at"), when(ticket.created_at));
    fact(facts, t("Created by"), names.person(ticket.created_by));
    fact(facts, t("Due date"), ticket.due_date || "");
    if (ticket.merged_into) {
      facts.append(el("dt", {}, t("Merged into")), el("dd", {}, el("a", { href: `/tickets/${encodeURIComponent(ticket.merged_into)}` }, t("Open"))));
    }
    $("status-now").textContent = STATUSES()[ticket.status] || ticket.status;
    $("status-now").className = `status status-${ticket.status}`;
    renderMoves();
    renderAssign();
    renderSla();
    renderTimeline();
    renderLinks();
    parts.render(ticket);
    commentForm.hidden = !canWrite;
    box.dataset.rendered = String(Date.now());
  }

  function renderMoves() {
    const moves = $("moves");
    moves.replaceChildren();
    if (!canWrite) return;
    for (const to of ticket.moves || []) {
      const label = ticket.status === "resolved" || ticket.status === "closed" ? (to === "open" ? t("Reopen") : MOVES()[to]) : MOVES()[to];
      const button = el("button", { type: "button", className: to === "resolved" ? "primary" : "", dataset: { testid: `move-${to}`, to } }, label || to);
      button.addEventListener("click", () => move(to, button));
      moves.append(button);
    }
    if (!(ticket.moves || []).length) moves.append(el("span", { className: "muted" }, t("No further status change is possible.")));
  }

  function renderAssign() {
    assignForm.hidden = !canWrite;
    $("assign-auto").hidden = !canWrite;
    if (!canWrite) return;
    const department = assignForm.department.value && assignForm.dataset.ticket === ticket.id + ticket.updated_at ? assignForm.department.value : ticket.department;
    assignForm.dataset.ticket = ticket.id + ticket.updated_at;
    names.fillDepartments(assignForm.department, { selected: department });
    names.fillMembers(assignForm.assignee_id, assignForm.department.value, ticket.assignee_id);
  }

  function renderSla() {
    const list = $("sla");
    const clocks = ticket.sla || [];
    list.replaceChildren(...clocks.map((c) => {
      const state = c.met_at ? t("met %(time)s", { time: when(c.met_at) })
        : c.breached_at ? t("breached %(time)s", { time: when(c.breached_at) })
        : c.running_since === null && c.due_at === null ? t("paused while waiting for the customer")
        : c.due_at ? t("due %(date)s", { date: when(c.due_at) }) : "";
      return el("li", { dataset: { target: c.target }, className: c.breached_at && !c.met_at ? "overrun" : "" }, el("strong", {}, targetName(c.target)), " · ", state);
    }));
    if (!clocks.length) list.append(el("li", { className: "muted" }, t("No SLA policy applies to this ticket.")));
  }

  function renderTimeline() {
    const comments = new Map((ticket.comments || []).map((c) => [c.id, c]));
    const rows = (ticket.activity || []).map((a) => ({ at: a.at, who: a.user_id, kind: "activity", row: a }));
    const recorded = new Set((ticket.activity || []).filter((a) => a.type === "ticket.commented").map((a) => a.data?.comment_id));
    // Comments written before the activity was recorded (older tickets) still show.
    for (const c of comments.values()) if (!recorded.has(c.id)) rows.push({ at: c.created_at, who: c.author_id, kind: "comment", row: c });
    rows.sort((a, b) => a.at - b.at);
    $("timeline-rows").replaceChildren(...rows.map((item) => {
      let label;
      let details;
      let comment = null;
      if (item.kind === "comment") {
        comment = item.row;
        label = comment.public ? (comment.from_customer ? t("The customer said") : t("Public reply")) : t("Internal note");
        details = [];
      } else {
        [label, details] = describeActivity(item.row, names);
        if (item.row.type === "ticket.commented") comment = comments.get(item.row.data?.comment_id) || null;
      }
      const cell = el("td", {}, details.join(" · "));
      if (comment) {
        cell.append(el("div", { className: comment.public ? "comment public" : "comment internal", dataset: { testid: comment.public ? "public-comment" : "internal-comment" } }, comment.body));
      }
      return el("tr", { dataset: { type: item.kind === "comment" ? "ticket.commented" : item.row.type } },
        el("td", {}, when(item.at)), el("td", {}, item.who ? names.person(item.who) : t("System")), el("td", {}, label), cell);
    }));
  }

  function renderLinks() {
    const links = ticket.links || [];
    $("links").replaceChildren(...links.map((link) => el("li", {},
      el("a", { href: `/interactions/${encodeURIComponent(link.interaction_id)}` }, when(link.started_at || link.linked_at)),
      " · ", CHANNELS()[link.channel] || link.channel || "")));
    if (!links.length) $("links").append(el("li", { className: "muted" }, t("No contacts are linked.")));
  }

  async function move(to, button) {
    button.disabled = true;
    try {
      await patch(`/api/v1/tickets/${encodeURIComponent(ticketId)}`, { status: to });
      show($("detail-error"), "");
      status(t("Status changed to %(status)s.", { status: STATUSES()[to] || to }));
    } catch (error) {
      show($("detail-error"), ticketError(error));
    } finally {
      button.disabled = false;
    }
    await load();
  }

  assignForm.department.addEventListener("change", () => names.fillMembers(assignForm.assignee_id, assignForm.department.value, null));
  assignForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    await assign({ department: assignForm.department.value, assignee_id: assignForm.assignee_id.value || null });
  });
  $("assign-auto").addEventListener("click", () => assign({ department: assignForm.department.value, auto: true }));

  async function assign(body) {
    try {
      const after = await post(`/api/v1/tickets/${encodeURIComponent(ticketId)}/assign`, body);
      show($("detail-error"), "");
      status(after.assignee_id ? t("Assigned to %(who)s.", { who: names.person(after.assignee_id) }) : t("The ticket has no assignee now."));
    } catch (error) {
      show($("detail-error"), ticketError(error));
      return;
    }
    assignForm.dataset.ticket = "";
    await load();
  }

  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = commentForm.kind.value;
    const body = { body: commentForm.body.value, public: kind !== "internal", from_customer: kind === "customer" };
    const button = commentForm.querySelector("[type=submit]");
    button.disabled = true;
    try {
      await post(`/api/v1/tickets/${encodeURIComponent(ticketId)}/comments`, body);
    } catch (error) {
      show($("comment-error"), ticketError(error));
      return;
    } finally {
      button.disabled = false;
    }
    show($("comment-error"), "");
    commentForm.reset();
    status(t("Comment added."));
    await load();
  });

  await load();
}
