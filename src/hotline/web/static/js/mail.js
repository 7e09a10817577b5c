// Mail (issue 22): the latest mails received, one read at a time — its sanitized HTML (the
// server's sanitizer removed scripts, event handlers, styles and remote images; the page's CSP
// would stop what slipped through), its attachments and thread — a reply with a quick reply,
// CC and attachments, and a ticket made of it.
import { ApiError, get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { when } from "./interaction-format.js";

const AUTOMATIC = () => ({
  auto_submitted: t("Sent automatically: no automatic answer goes back."),
});

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const $ = (id) => document.getElementById(id);
  const rows = $("mail-rows");
  const error = $("mail-error");
  const status = $("mail-status");
  let current = null;

  function say(element, text) {
    for (const e of [error, status]) e.hidden = true;
    element.textContent = text;
    element.hidden = !text;
  }

  function problem(err) {
    say(error, err instanceof ApiError ? err.message : t("The action failed."));
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text ?? "";
    return td;
  }

  /** The server's sanitized HTML, parsed off-document and moved in node by node. */
  function showBody(mail) {
    const body = $("mail-body");
    body.replaceChildren();
    if (mail.safe_html) {
      const doc = new DOMParser().parseFromString(mail.safe_html, "text/html");
      body.append(...doc.body.childNodes);
    } else {
      const pre = document.createElement("pre");
      pre.textContent = mail.text;
      body.append(pre);
    }
  }

  async function open(id) {
    try {
      const mail = await get(`/api/v1/mails/${encodeURIComponent(id)}`);
      current = mail;
      $("reader").hidden = false;
      $("mail-subject").textContent = mail.subject || t("(no subject)");
      $("mail-from").textContent = mail.sender_name ? `${mail.sender_name} <${mail.sender}>` : mail.sender;
      $("mail-at").textContent = when(mail.at);
      $("mail-automatic").hidden = !mail.automatic;
      showBody(mail);
      const files = $("mail-attachments");
      files.replaceChildren();
      for (const a of mail.attachments) {
        const li = document.createElement("li");
        li.dataset.testid = "mail-attachment";
        if (a.kept) {
          const link = document.createElement("a");
          link.href = `/api/v1/mails/${encodeURIComponent(mail.id)}/attachments/${a.index}`;
          link.download = a.filename;
          link.textContent = a.filename;
          li.append(link);
        } else {
          li.textContent = t("%(name)s (not kept: %(reason)s)", { name: a.filename, reason: refusal(a.refused) });
        }
        files.append(li);
      }
      if (!mail.attachments.length) {
        const li = document.createElement("li");
        li.className = "muted";
        li.textContent = t("No files are attached.");
        files.append(li);
      }
      const thread = $("mail-thread");
      thread.replaceChildren();
      for (const m of mail.thread) {
        const li = document.createElement("li");
        li.dataset.testid = "thread-item";
        li.textContent = `${when(m.at)} · ${m.direction === "in" ? m.sender : t("Sent by us")} · ${m.subject}`;
        thread.append(li);
      }
      const ticketForm = $("ticket-form");
      if (ticketForm) ticketForm.hidden = Boolean(mail.ticket_id);
    } catch (err) {
      problem(err);
    }
  }

  function refusal(code) {
    return {
      "email.attachment.too_large": t("too large"),
      "email.attachment.type": t("type not allowed"),
      "email.attachment.too_many": t("too many attachments"),
    }[code] || code;
  }

  async function list() {
    const mails = await get("/api/v1/mails?limit=100");
    rows.replaceChildren();
    for (const m of mails.items) {
      const tr = document.createElement("tr");
      tr.dataset.testid = "mail-row";
      tr.dataset.id = m.id;
      tr.tabIndex = 0;
      tr.append(cell(m.sender_name || m.sender), cell(m.subject || t("(no subject)")), cell(when(m.at)));
      scope.on(tr, "click", () => open(m.id));
      rows.append(tr);
    }
    if (!mails.items.length) {
      const tr = document.createElement("tr");
      const td = cell(t("No mail has arrived yet."));
      td.colSpan = 3;
      tr.append(td);
      rows.append(tr);
    }
  }

  const replyForm = $("reply-form");
  if (replyForm) {
    try {
      const quick = await get("/api/v1/quick-replies");
      const select = replyForm.elements.quick_reply_id;
      for (const q of quick.items || []) select.append(new Option(q.title, q.id));
    } catch (_) { /* quick replies are optional */ }
    try {
      const departments = await get("/api/v1/ticket-departments");
      const select = $("ticket-form").elements.department;
      for (const d of departments.items || []) select.append(new Option(d.name, d.code));
    } catch (_) { /* the default department is used */ }
    scope.on(replyForm, "submit", async (event) => {
      event.preventDefault();
      if (!current) return;
      const body = new FormData(replyForm);
      try {
        const response = await fetch(`/api/v1/mails/${encodeURIComponent(current.id)}/reply`, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRF-Token": document.body.dataset.csrf || "" },
        });
        const data = await response.json().catch(() => null);
        if (!response.ok) throw new ApiError(response.status, data);
        replyForm.reset();
        say(status, t("The reply was sent."));
        await open(current.id);
      } catch (err) {
        problem(err);
      }
    });
    scope.on($("ticket-form"), "submit", async (event) => {
      event.preventDefault();
      if (!current) return;
      try {
        const department = $("ticket-form").elements.department.value;
        const made = await post(`/api/v1/mails/${encodeURIComponent(current.id)}/ticket`, department ? { department } : {});
        say(status, t("Ticket %(number)s was created.", { number: made.ticket.number_text }));
        await open(current.id);
      } catch (err) {
        problem(err);
      }
    });
  }

  scope.on($("refresh"), "click", list);
  await list();
}
