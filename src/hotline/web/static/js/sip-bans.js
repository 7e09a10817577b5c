// SIP bans: the source addresses the SIP edge refuses, and lifting a ban (admins).
import { ApiError, del, get } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { when } from "./interaction-format.js"; // in the tenant's time zone, not the browser's

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const rows = document.getElementById("ban-rows");
  const status = document.getElementById("status");
  const REASONS = { "too many failed authentications": "Too many failed authentications" };

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text ?? "";
    return td;
  }

  async function lift(source, button) {
    if (!confirm(t("Lift the ban on %(source)s?", { source }))) return;
    button.disabled = true;
    try {
      await del(`/api/v1/sip/bans/${encodeURIComponent(source)}`);
      status.textContent = t("The ban on %(source)s was lifted.", { source });
    } catch (error) {
      status.textContent = error instanceof ApiError && error.status === 404
        ? t("%(source)s is no longer banned.", { source })
        : t("Could not lift the ban: %(error)s", { error: error.message });
    }
    await show();
  }

  async function show() {
    const bans = await get("/api/v1/sip/bans");
    rows.replaceChildren();
    for (const ban of bans.items) {
      const tr = document.createElement("tr");
      tr.dataset.source = ban.source;
      const button = document.createElement("button");
      button.textContent = t("Lift ban");
      button.dataset.testid = "lift";
      button.addEventListener("click", () => lift(ban.source, button));
      const action = document.createElement("td");
      action.append(button);
      tr.append(cell(ban.source), cell(t(REASONS[ban.reason] ?? ban.reason)), cell(when(ban.since)), cell(when(ban.until)), action);
      rows.append(tr);
    }
    if (!bans.items.length) {
      const empty = cell(bans.telephony ? t("No address is banned.") : t("SIP is not running on this server."));
      empty.colSpan = 5;
      const tr = document.createElement("tr");
      tr.append(empty);
      rows.append(tr);
    }
  }

  document.getElementById("refresh").addEventListener("click", show);
  await show();
}
