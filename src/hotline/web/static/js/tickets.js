// The ticket lists (工单): mine, my department's, the overdue ones (a deadline passed) and
// all, with a department and status filter and a search box (a ticket number, or words of the
// subject); a row opens the ticket; "New ticket" opens one (docs/tickets.md).
import { get } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { el, show, when } from "./interaction-format.js";
import { PRIORITIES, STATUSES, TicketDialog, TicketNames, ticketError } from "./ticket-format.js";

const PAGE = 25;

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const names = await new TicketNames().load();
  const $ = (id) => document.getElementById(id);
  const table = scope.root.querySelector("[data-testid=tickets]");
  const me = table.dataset.me;
  const filters = $("ticket-filters");
  const params = new URLSearchParams(window.location.search);
  const mine = names.departmentsOf(me);
  let view = params.get("view") || "mine";
  let offset = 0;
  let total = 0;

  names.fillDepartments(filters.department, { blank: t("All departments") });
  if (mine.length) filters.department.value = mine[0].code;

  function query() {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    const status = filters.status.value;
    const department = filters.department.value;
    if (view === "mine") q.set("view", "mine");
    else if (view === "overdue") q.set("view", "overdue");
    else if (!status) q.set("view", "open");
    if (status) q.append("status", status);
    if (department && view !== "mine") q.set("department", department);
    if (filters.q.value.trim()) q.set("q", filters.q.value.trim());
    return q;
  }

  function row(ticket) {
    const href = `/tickets/${encodeURIComponent(ticket.id)}`;
    return el("tr", { dataset: { ticket: ticket.id, number: String(ticket.number), status: ticket.status } },
      el("td", {}, el("a", { href, dataset: { testid: "ticket-link" } }, ticket.number_text || String(ticket.number))),
      el("td", {}, el("a", { href }, ticket.subject)),
      el("td", {}, names.department(ticket.department)),
      el("td", {}, ticket.assignee_id ? names.person(ticket.assignee_id) : el("span", { className: "muted" }, t("Nobody yet"))),
      el("td", {}, el("span", { className: `priority priority-${ticket.priority}` }, PRIORITIES()[ticket.priority] || ticket.priority)),
      el("td", {}, el("span", { className: `status status-${ticket.status}` }, STATUSES()[ticket.status] || ticket.status)),
      el("td", {}, ticket.due_date || ""),
      el("td", {}, when(ticket.created_at)));
  }

  async function load() {
    for (const tab of scope.root.querySelectorAll("[data-view]")) tab.setAttribute("aria-selected", String(tab.dataset.view === view));
    filters.department.disabled = view === "mine";
    let page;
    try {
      page = await get(`/api/v1/tickets?${query()}`);
    } catch (error) {
      show($("list-error"), ticketError(error));
      return;
    }
    if (scope.closed) return;
    show($("list-error"), "");
    total = page.total;
    $("rows").replaceChildren(...page.items.map(row));
    const empty = {
      mine: t("No open tickets are assigned to you."),
      department: t("Your department has no open tickets."),
      overdue: t("No ticket is past its deadline."),
      all: t("No tickets match."),
    }[view];
    show($("empty"), page.items.length ? "" : empty);
    $("page-info").textContent = total ? t("%(from)s–%(to)s of %(total)s", { from: offset + 1, to: offset + page.items.length, total }) : "";
    $("prev").disabled = offset === 0;
    $("next").disabled = offset + PAGE >= total;
    table.dataset.loaded = view;
  }

  for (const tab of scope.root.querySelectorAll("[data-view]")) {
    tab.addEventListener("click", () => {
      view = tab.dataset.view;
      offset = 0;
      if (view === "department" && !filters.department.value && mine.length) filters.department.value = mine[0].code;
      const url = new URL(window.location.href);
      url.searchParams.set("view", view);
      history.replaceState(history.state, "", url);
      load();
    });
  }
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    offset = 0;
    load();
  });
  filters.status.addEventListener("change", () => ((offset = 0), load()));
  filters.department.addEventListener("change", () => ((offset = 0), load()));
  $("prev").addEventListener("click", () => ((offset = Math.max(0, offset - PAGE)), load()));
  $("next").addEventListener("click", () => ((offset += PAGE), load()));

  const create = $("new-ticket");
  if (create) {
    const dialog = new TicketDialog(names, {
      onCreated: (ticket) => scope.navigate(`/tickets/${encodeURIComponent(ticket.id)}`),
    });
    create.addEventListener("click", () => dialog.open({ department: mine[0]?.code }));
  }
  scope.every(() => document.visibilityState === "visible" && !document.querySelector("dialog[open]") && load(), 30000);
  await load();
}
