// The wallboard's adherence panel: who is scheduled now, doing what, and who is out of
// adherence and for how long (GET /api/v1/wfm/adherence/live, every 30 s). Hidden for users
// without the workforce permission and while nobody is scheduled.
import { get } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { el } from "./interaction-format.js";
import { activityName } from "./wfm-common.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const panel = document.getElementById("adherence");
  const rows = document.getElementById("adherence-rows");
  const STATES = () => ({
    logged_out: t("Logged out"), available: t("Available"), reserved: t("Ringing"),
    busy: t("On call"), wrap_up: t("Wrap-up"), not_ready: t("Not ready"),
  });

  async function refresh() {
    let items;
    try {
      items = (await get("/api/v1/wfm/adherence/live")).items;
    } catch (error) {
      if (error.status === 403) return false; // not a planner: no panel, no polling
      console.warn("adherence", error);
      return true;
    }
    panel.hidden = items.length === 0;
    items.sort((a, b) => Number(a.in_adherence) - Number(b.in_adherence) || (b.out_minutes || 0) - (a.out_minutes || 0));
    rows.replaceChildren(
      ...items.map((r) =>
        el(
          "tr",
          { className: r.in_adherence ? "" : "out", dataset: { testid: "adherence-row", agent: r.agent_id } },
          el("td", {}, r.agent_name),
          el("td", {}, activityName(r.activity)),
          el("td", {}, STATES()[r.state] || r.state),
          el("td", {}, r.in_adherence ? "—" : t("%(m)s min", { m: Math.round(r.out_minutes) })),
        ),
      ),
    );
    return true;
  }

  if (await refresh()) scope.every(refresh, 30_000);
}
