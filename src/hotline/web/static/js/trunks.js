// Trunks (issue 19): the carriers' SIP trunks of the center with their live registration
// status; add, change or disable one (the SIP service follows at once) and test one (a
// registration attempt, or an OPTIONS ping for a trunk that does not register).
import { ApiError, get, post, put } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { when } from "./interaction-format.js"; // in the tenant's time zone

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const $ = (id) => document.getElementById(id);
  const form = $("trunk-form");
  const error = $("trunk-error");
  const status = $("trunk-status");
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

  /** The registration column: what the SIP service says now, in the user's words. */
  function registration(trunk) {
    const live = trunk.live;
    if (!trunk.enabled) return t("Disabled");
    if (!live.registers) return t("Does not register");
    if (live.state === "registered") return t("Registered (%(status)s)", { status: live.status });
    if (live.state === "failed") {
      return t("Failed: %(status)s %(reason)s", { status: live.status, reason: live.reason ?? "" });
    }
    return t("Not registered");
  }

  function edit(trunk) {
    editing = trunk;
    form.reset();
    $("trunk-form-title").textContent = trunk ? t("Change trunk %(name)s", { name: trunk.name }) : t("New trunk");
    if (trunk) {
      for (const [name, value] of Object.entries(trunk)) {
        const input = form.elements[name];
        if (!input || name === "password") continue;
        if (input.type === "checkbox") input.checked = Boolean(value);
        else if (name === "codecs") input.value = value.join(", ");
        else if (name === "inbound_sources") input.value = value.join("\n");
        else input.value = value ?? "";
      }
    }
    form.hidden = false;
  }

  function probed(result) {
    const answer = `${result.status} ${result.reason}`.trim();
    if (result.method === "REGISTER") {
      return result.ok ? t("Registration answered %(answer)s.", { answer }) : t("Registration failed: %(answer)s", { answer });
    }
    return result.ok ? t("The trunk answered OPTIONS with %(answer)s.", { answer }) : t("The trunk's OPTIONS answer: %(answer)s", { answer });
  }

  async function test(trunk, button) {
    button.disabled = true;
    say(status, t("Testing %(name)s…", { name: trunk.name }));
    try {
      const result = await post(`/api/v1/trunks/${encodeURIComponent(trunk.id)}/test`);
      say(result.ok ? status : error, probed(result));
      await show();
    } catch (err) {
      say(error, err instanceof ApiError ? err.message : t("The action failed."));
    } finally {
      button.disabled = false;
    }
  }

  async function show() {
    const trunks = await get("/api/v1/trunks");
    if (scope.closed) return;
    const rows = $("trunk-rows");
    rows.replaceChildren();
    for (const trunk of trunks.items) {
      const tr = document.createElement("tr");
      tr.dataset.testid = "trunk-row";
      tr.dataset.name = trunk.name;
      tr.dataset.state = trunk.enabled ? trunk.live.state : "disabled";
      const actions = document.createElement("td");
      if (trunk.source === "config") {
        actions.textContent = t("From the configuration file");
      } else {
        const change = document.createElement("button");
        change.textContent = t("Edit");
        change.dataset.testid = "trunk-edit";
        scope.on(change, "click", () => edit(trunk));
        const check = document.createElement("button");
        check.textContent = t("Test");
        check.dataset.testid = "trunk-test";
        scope.on(check, "click", () => test(trunk, check));
        actions.append(change, " ", check);
      }
      const state = cell(registration(trunk));
      state.dataset.testid = "trunk-state";
      tr.append(
        cell(trunk.name),
        cell(`${trunk.host}:${trunk.port} (${trunk.transport.toUpperCase()})`),
        state,
        cell(when(trunk.live.last_attempt)),
        cell(when(trunk.live.expires_at)),
        actions,
      );
      rows.append(tr);
    }
    if (!trunks.items.length) {
      const tr = document.createElement("tr");
      const td = cell(trunks.telephony ? t("No trunk is set up yet.") : t("SIP is not running on this server."));
      td.colSpan = 6;
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
      else if (input.type === "number") body[input.name] = input.value === "" ? null : Number(input.value);
      else body[input.name] = input.value;
    }
    body.codecs = body.codecs.split(/[,，\s]+/).filter(Boolean);
    body.inbound_sources = body.inbound_sources.split(/[\n,，]+/).map((s) => s.trim()).filter(Boolean);
    try {
      const saved = editing
        ? await put(`/api/v1/trunks/${encodeURIComponent(editing.id)}`, body)
        : await post("/api/v1/trunks", body);
      form.hidden = true;
      say(status, t("Trunk %(name)s was saved.", { name: saved.name }));
      await show();
    } catch (err) {
      say(error, err instanceof ApiError ? err.message : t("The action failed."));
    }
  });
  scope.on($("new-trunk"), "click", () => edit(null));
  scope.on($("trunk-cancel"), "click", () => { form.hidden = true; });
  await show();
  // The registration status as it changes (a failed poll is retried at the next one).
  scope.every(() => show().catch(() => {}), 2000);
}
