// Forced reviews of low ratings (GET /api/v1/quality/reviews, docs/quality.md): the reviews I
// may see, escalated and open first; each links to its contact (recording and timeline), and a
// supervisor closes one with the root cause and the action taken (refusals in my language).
import { get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { Names, el, errorText, show, when } from "./interaction-format.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const names = await new Names().load({ dispositions: false });
  const table = document.querySelector("[data-testid=reviews]");
  const rows = document.getElementById("rows");
  const listError = document.getElementById("list-error");
  const status = document.getElementById("list-status");
  const includeClosed = document.getElementById("include-closed");
  const dialog = document.getElementById("close-dialog");
  const form = document.getElementById("close-form");
  const closeError = document.getElementById("close-error");
  const canClose = table.dataset.canClose === "true";
  let closing = null;

  const STATES = () => ({ open: t("Open"), escalated: t("Escalated (overdue)"), closed: t("Closed") });
  const CAUSES = () => ({ agent_skill: t("Agent skill"), process: t("Process"), product: t("Product"), policy: t("Policy"), other: t("Other") });

  function row(review) {
    const cell = el("td", { className: "row-actions" });
    if (canClose && review.state !== "closed") {
      const b = el("button", { type: "button", className: "small", dataset: { testid: "close-review" } }, t("Close…"));
      b.addEventListener("click", () => {
        closing = review;
        form.reset();
        show(closeError, "");
        dialog.showModal();
      });
      cell.append(b);
    }
    return el(
      "tr",
      { dataset: { id: review.id, state: review.state } },
      el("td", {}, el("a", { href: `/interactions/${encodeURIComponent(review.interaction_id)}`, dataset: { testid: "contact" } }, when(review.opened_at))),
      el("td", {}, review.agent_id ? names.agent(review.agent_id) : "—"),
      el("td", { className: "num" }, `${review.rating} / ${review.scale}`),
      el("td", {}, el("span", { className: `tag ${review.state === "escalated" ? "danger" : ""}`, dataset: { testid: "state" } }, STATES()[review.state] || review.state)),
      el("td", {}, when(review.due_at)),
      el("td", {}, review.cause ? CAUSES()[review.cause] || review.cause : "—"),
      cell,
    );
  }

  async function load() {
    const query = includeClosed.checked ? "" : "?state=open&state=escalated";
    let found;
    try {
      found = await get(`/api/v1/quality/reviews${query}`);
    } catch (error) {
      show(listError, errorText(error));
      return;
    }
    if (scope.closed) return;
    show(listError, "");
    const shown = found.map(row);
    if (!shown.length) shown.push(el("tr", {}, el("td", { colspan: 7 }, t("No review is waiting."))));
    rows.replaceChildren(...shown);
    table.dataset.loaded = "true";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { cause: data.get("cause") || null, action: data.get("action") || null, note: data.get("note") || "" };
    try {
      await post(`/api/v1/quality/reviews/${encodeURIComponent(closing.id)}/close`, body);
    } catch (error) {
      show(closeError, errorText(error)); // the server says it in my language
      return;
    }
    dialog.close();
    show(status, t("Review closed."));
    await load();
  });
  document.getElementById("close-cancel").addEventListener("click", () => dialog.close());
  includeClosed.addEventListener("change", load);
  document.getElementById("refresh").addEventListener("click", load);
  await load();
}
