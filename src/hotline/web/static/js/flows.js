// The flows list and the emergency switch.
import { get, put } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { errorText, show, when } from "./interaction-format.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const rows = document.getElementById("flow-rows");

  function td(text) {
    const cell = document.createElement("td");
    cell.textContent = text ?? "";
    return cell;
  }

  const flows = await get("/api/v1/flows");
  for (const flow of flows.items) {
    const tr = document.createElement("tr");
    const link = document.createElement("a");
    link.href = `/admin/flows/${encodeURIComponent(flow.name)}`;
    link.textContent = flow.name;
    const name = document.createElement("td");
    name.append(link);
    tr.append(name, td(flow.description), td(flow.dids.join(", ")), td(`v${flow.version}`), td(flow.versions), td(`${when(flow.published_at)} ${flow.published_by ?? ""}`));
    rows.append(tr);
  }
  if (!flows.items.length) {
    const empty = td(t("Nothing here yet"));
    empty.colSpan = 6;
    const tr = document.createElement("tr");
    tr.append(empty);
    rows.append(tr);
  }

  const active = document.getElementById("emergency-active");
  const message = document.getElementById("emergency-message");
  const status = document.getElementById("emergency-status");
  function showEmergency(state) {
    active.checked = state.active;
    message.value = state.message ?? "";
    status.textContent = state.active ? t("ON since %(since)s by %(by)s", { since: when(state.since), by: state.by ?? "" }) : t("Off");
    document.getElementById("emergency").classList.toggle("alarm", state.active);
  }
  showEmergency(await get("/api/v1/emergency"));
  const error = document.getElementById("emergency-error");
  document.getElementById("emergency-save")?.addEventListener("click", async () => {
    try {
      showEmergency(await put("/api/v1/emergency", { active: active.checked, message: message.value || null }));
      show(error, "");
    } catch (failure) {
      // Refused as a whole: the switch stays as the server has it, the typed message stays
      // for the admin to correct.
      show(error, errorText(failure));
    }
  });
}
