// Mailboxes (issue 22): the center's addresses read over IMAP and answered over SMTP; add or
// change one, and test both servers (connect, TLS, log in) with one button.
import { ApiError, get, post, put } from "./api.js";
import { loadCatalog, t } from "./i18n.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const $ = (id) => document.getElementById(id);
  const form = $("box-form");
  const error = $("box-error");
  const status = $("box-status");
  let editing = null;

  function say(element, text) {
    for (const e of [error, status]) e.hidden = true;
    element.textContent = text;
    element.hidden = !text;
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text ?? "";
    return td;
  }

  function edit(box) {
    editing = box;
    form.reset();
    $("box-form-title").textContent = box ? t("Change mailbox %(address)s", { address: box.address }) : t("New mailbox");
    if (box) {
      for (const [name, value] of Object.entries(box)) {
        const input = form.elements[name];
        if (!input) continue;
        if (input.type === "checkbox") input.checked = Boolean(value);
        else input.value = value ?? "";
      }
    }
    form.hidden = false;
  }

  function said(result) {
    if (result.ok) return t("works");
    return result.message ? t(result.message) : result.code;
  }

  async function test(box, button) {
    button.disabled = true;
    say(status, t("Testing %(address)s…", { address: box.address }));
    try {
      const result = await post(`/api/v1/mailboxes/${encodeURIComponent(box.id)}/test`);
      const text = t("IMAP: %(imap)s; SMTP: %(smtp)s", { imap: said(result.imap), smtp: said(result.smtp) });
      say(result.imap.ok && result.smtp.ok ? status : error, text);
    } catch (err) {
      say(error, err instanceof ApiError ? err.message : t("The action failed."));
    } finally {
      button.disabled = false;
    }
  }

  async function show() {
    const boxes = await get("/api/v1/mailboxes");
    const rows = $("box-rows");
    rows.replaceChildren();
    for (const box of boxes.items) {
      const tr = document.createElement("tr");
      tr.dataset.testid = "mailbox-row";
      tr.dataset.address = box.address;
      const actions = document.createElement("td");
      const change = document.createElement("button");
      change.textContent = t("Edit");
      change.dataset.testid = "box-edit";
      scope.on(change, "click", () => edit(box));
      const check = document.createElement("button");
      check.textContent = t("Test connection");
      check.dataset.testid = "box-test";
      scope.on(check, "click", () => test(box, check));
      actions.append(change, " ", check);
      tr.append(
        cell(box.display_name ? `${box.display_name} <${box.address}>` : box.address),
        cell(`${box.imap_host}:${box.imap_port}`),
        cell(`${box.smtp_host}:${box.smtp_port}`),
        cell(box.active ? t("Yes") : t("No")),
        actions,
      );
      rows.append(tr);
    }
    if (!boxes.items.length) {
      const tr = document.createElement("tr");
      const td = cell(t("No mailbox is set up yet."));
      td.colSpan = 5;
      tr.append(td);
      rows.append(tr);
    }
  }

  scope.on(form, "submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const input of form.elements) {
      if (!input.name) continue;
      if (input.type === "checkbox") body[input.name] = input.checked;
      else if (input.type === "number") body[input.name] = Number(input.value);
      else body[input.name] = input.value;
    }
    try {
      const saved = editing
        ? await put(`/api/v1/mailboxes/${encodeURIComponent(editing.id)}`, body)
        : await post("/api/v1/mailboxes", body);
      form.hidden = true;
      say(status, t("Mailbox %(address)s was saved.", { address: saved.address }));
      await show();
    } catch (err) {
      say(error, err instanceof ApiError ? err.message : t("The action failed."));
    }
  });
  scope.on($("new-mailbox"), "click", () => edit(null));
  scope.on($("box-cancel"), "click", () => { form.hidden = true; });
  await show();
}
