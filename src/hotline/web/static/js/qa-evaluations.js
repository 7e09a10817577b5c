// QA evaluations I may see (GET /api/v1/quality/evaluations, docs/quality.md): an agent her
// own, a supervisor her teams', QA users and admins every one; each opens its page.
import { get } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { Names, el, errorText, show, when } from "./interaction-format.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const names = await new Names().load({ dispositions: false });
  const table = document.querySelector("[data-testid=evaluations]");
  const rows = document.getElementById("rows");
  const listError = document.getElementById("list-error");
  const STATES = () => ({
    draft: t("Draft"), submitted: t("Submitted"), acknowledged: t("Acknowledged"),
    disputed: t("Disputed"), resolved: t("Resolved"),
  });

  async function load() {
    let found;
    try {
      found = await get("/api/v1/quality/evaluations");
    } catch (error) {
      show(listError, errorText(error));
      return;
    }
    if (scope.closed) return;
    show(listError, "");
    const shown = found.map((e) => el(
      "tr", { dataset: { id: e.id, state: e.state } },
      el("td", {}, names.agent(e.agent_id)),
      el("td", {}, `${e.scorecard} v${e.version}`),
      el("td", { dataset: { testid: "score" } }, e.score === null ? "—" : `${e.score}%`),
      el("td", {}, el("span", { className: "tag" }, STATES()[e.state] || e.state)),
      el("td", {}, e.submitted_at ? when(e.submitted_at) : ""),
      el("td", {}, el("a", { href: `/qa-evaluations/${encodeURIComponent(e.id)}`, dataset: { testid: "open" } }, t("Open"))),
    ));
    if (!shown.length) shown.push(el("tr", {}, el("td", { colspan: 6 }, t("No evaluation yet."))));
    rows.replaceChildren(...shown);
    table.dataset.loaded = "true";
  }

  document.getElementById("refresh").addEventListener("click", load);
  await load();
}
