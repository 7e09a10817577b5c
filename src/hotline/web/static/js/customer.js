// One customer (客户档案): the profile with phones, e-mails, organization, tags, VIP level and
// the center's own fields; the summary (contacts per channel, last contact, CSAT, tickets);
// the open tickets; the timeline across channels; a new ticket for this customer.
import { get } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { CHANNELS, OUTCOMES, el, show, when } from "./interaction-format.js";
import { STATUSES, TicketDialog, TicketNames, ticketError } from "./ticket-format.js";
import { vipText } from "./desktop-screenpop.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const $ = (id) => document.getElementById(id);
  const box = $("customer");
  const customerId = box.dataset.customer;
  const names = await new TicketNames().load();
  const fields = await get("/api/v1/custom-fields?limit=500").then((p) => p.items).catch(() => []);
  let customer;
  let summary;
  let timeline;
  try {
    [customer, summary, timeline] = await Promise.all([
      get(`/api/v1/customers/${encodeURIComponent(customerId)}`),
      get(`/api/v1/customers/${encodeURIComponent(customerId)}/summary`),
      get(`/api/v1/customers/${encodeURIComponent(customerId)}/timeline?limit=100`),
    ]);
  } catch (error) {
    show($("detail-error"), ticketError(error));
    return;
  }
  if (scope.closed) return;
  const organization = customer.organization_id
    ? await get(`/api/v1/organizations/${encodeURIComponent(customer.organization_id)}`).then((o) => o.name).catch(() => "")
    : "";

  $("customer-name").textContent = customer.name;
  const profile = $("profile");
  const fact = (label, value, testid) => {
    if (value === "" || value === null || value === undefined || (Array.isArray(value) && !value.length)) return;
    profile.append(el("dt", {}, label), el("dd", { dataset: testid ? { testid } : undefined }, Array.isArray(value) ? value.join("、") : String(value)));
  };
  fact(t("Phones"), customer.phones, "customer-phones");
  fact(t("Emails"), customer.emails);
  fact(t("Organization"), organization);
  fact(t("VIP level"), vipText(customer.vip_level));
  fact(t("Tags"), customer.tags);
  for (const field of fields) {
    const value = customer.custom?.[field.key];
    fact((language() === "en" ? field.label_en : field.label_zh) || field.key, typeof value === "boolean" ? (value ? t("Yes") : t("No")) : value, `custom-${field.key}`);
  }
  fact(t("Notes"), customer.notes);

  const figure = (value, label) => el("div", { className: "figure" }, el("strong", {}, String(value)), el("span", {}, label));
  $("figures").replaceChildren(
    figure(summary.contacts, t("Contacts")),
    figure(summary.last_contact_at ? when(summary.last_contact_at) : "—", t("Last contact")),
    figure(summary.csat_average === null || summary.csat_average === undefined ? "—" : Number(summary.csat_average).toFixed(1), t("Average CSAT")),
    figure(summary.tickets, t("Tickets")),
    figure(summary.open_tickets, t("Open tickets")),
  );
  $("open-tickets").replaceChildren(...(summary.open_ticket_list || []).map((tk) => el("li", {},
    el("a", { href: `/tickets/${encodeURIComponent(tk.id)}` }, "#" + tk.number), " ", tk.subject, " · ", STATUSES()[tk.status] || tk.status)));
  if (!(summary.open_ticket_list || []).length) $("open-tickets").append(el("li", { className: "muted" }, t("No open tickets")));

  const KINDS = () => ({ contact: t("Contact"), csat: t("Satisfaction"), ticket: t("Ticket"), note: t("Public reply"), mail: t("Mail sent") });
  $("timeline-rows").replaceChildren(...timeline.items.map((item) => {
    let details;
    if (item.kind === "contact") {
      details = el("a", { href: `/interactions/${encodeURIComponent(item.id)}` }, [CHANNELS()[item.channel] || item.channel, OUTCOMES()[item.outcome] || item.outcome].filter(Boolean).join(" · "));
    } else if (item.kind === "ticket") {
      details = el("a", { href: `/tickets/${encodeURIComponent(item.id)}` }, `#${item.number} ${item.subject} · ${STATUSES()[item.status] || item.status}`);
    } else if (item.kind === "csat") {
      details = item.csat_scale ? `${item.csat} / ${item.csat_scale}` : String(item.csat);
    } else if (item.kind === "mail") {
      details = [item.subject, (item.recipients || []).join(", ")].filter(Boolean).join(" → ");
    } else {
      details = item.body || "";
    }
    return el("tr", { dataset: { kind: item.kind } }, el("td", {}, when(item.at)), el("td", {}, KINDS()[item.kind] || item.kind), el("td", {}, details));
  }));
  box.hidden = false;

  const create = $("new-ticket");
  if (create) {
    const dialog = new TicketDialog(names, { onCreated: (ticket) => scope.navigate(`/tickets/${encodeURIComponent(ticket.id)}`) });
    create.addEventListener("click", () => dialog.open({ contact: { customer_id: customer.id, customer_name: customer.name } }));
  }
}
