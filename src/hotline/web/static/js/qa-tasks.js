// QA tasks (GET /api/v1/quality/qa-tasks, docs/quality.md "QA sampling"): the contacts the
// sampling rules picked, the rule that picked each, its evaluator and state; filter by ISO
// week and by "only mine"; an open task not yet started is given to another QA user or
// cancelled with a reason (both audited). Admins and QA users.
import { get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { Names, el, errorText, show, when } from "./interaction-format.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const names = await new Names().load({ dispositions: false });
  const table = document.querySelector("[data-testid=qa-tasks]");
  const rows = document.getElementById("rows");
  const listError = document.getElementById("list-error");
  const week = document.getElementById("week");
  const mine = document.getElementById("mine");

  const STATES = () => ({ open: t("Open"), done: t("Done"), cancelled: t("Cancelled") });
  const KINDS = () => ({
    new_agent: t("New agent"), low_rating: t("Low rating"), disposition: t("Disposition"),
    longer_than: t("Long contact"), shorter_than: t("Short contact"), random: t("Random"),
  });

  // "Evaluate": the task's evaluation with the center's published scorecard (a new draft, or
  // the one already started), then its page.
  let scorecard = null;
  async function evaluate(task) {
    try {
      const made = await post("/api/v1/quality/evaluations", { task_id: task.id, scorecard });
      scope.navigate(`/qa-evaluations/${encodeURIComponent(made.id)}`);
    } catch (error) {
      show(listError, errorText(error));
    }
  }

  // "Calibrate…": several QA users score the same contact (a draft evaluation each).
  let evaluators = [];
  let calibrating = null;
  const calibrateForm = document.getElementById("calibrate-form");
  function calibrate(task) {
    calibrating = task;
    document.getElementById("calibrate-title").textContent =
      t("Calibrate the contact of %(agent)s", { agent: names.agent(task.agent_id) });
    document.getElementById("calibrate-evaluators").replaceChildren(...evaluators.map((e) =>
      el("label", { className: "inline" },
        el("input", { type: "checkbox", name: "evaluator", value: e.id, dataset: { testid: "calibrate-evaluator" } }),
        " ", e.name)));
    calibrateForm.hidden = false;
  }
  scope.on(calibrateForm, "submit", async (event) => {
    event.preventDefault();
    const chosen = [...calibrateForm.querySelectorAll("[name=evaluator]:checked")].map((c) => c.value);
    try {
      await post("/api/v1/quality/calibrations", { task_id: calibrating.id, scorecard, evaluators: chosen });
      calibrateForm.hidden = true;
      show(listError, "");
      show(document.getElementById("list-status"), t("Calibration started: %(n)s evaluators score this contact.", { n: chosen.length }));
    } catch (error) {
      show(document.getElementById("list-status"), "");
      show(listError, errorText(error));
    }
  });
  scope.on(document.getElementById("calibrate-cancel"), "click", () => { calibrateForm.hidden = true; });

  // "Reassign…" and "Cancel…": one small form each, for the task chosen.
  const listStatus = document.getElementById("list-status");
  const reassignForm = document.getElementById("reassign-form");
  const cancelForm = document.getElementById("cancel-form");
  let acting = null;
  function closeForms() {
    reassignForm.hidden = true;
    cancelForm.hidden = true;
    reassignForm.querySelector(".error")?.remove();
    cancelForm.querySelector(".error")?.remove();
  }
  function formError(form, error) {
    form.querySelector(".error")?.remove();
    const field = form.querySelector(`[name=${error.details?.field}]`);
    field?.classList.add("invalid");
    field?.focus();
    form.querySelector(".filter-actions").before(
      el("p", { className: "error", role: "alert", dataset: { testid: "form-error" } }, errorText(error)));
  }
  function reassign(task) {
    closeForms();
    acting = task;
    document.getElementById("reassign-title").textContent =
      t("Give the contact of %(agent)s to another evaluator", { agent: names.agent(task.agent_id) });
    reassignForm.assignee_id.replaceChildren(...evaluators
      .filter((e) => e.id !== task.assignee_id)
      .map((e) => el("option", { value: e.id }, e.name)));
    reassignForm.hidden = false;
    reassignForm.assignee_id.focus();
  }
  function cancelTask(task) {
    closeForms();
    acting = task;
    document.getElementById("cancel-title").textContent =
      t("Cancel the QA task of %(agent)s", { agent: names.agent(task.agent_id) });
    cancelForm.reason.value = "";
    cancelForm.reason.classList.remove("invalid");
    cancelForm.hidden = false;
    cancelForm.reason.focus();
  }
  async function act(form, path, body, said) {
    try {
      const done = await post(`/api/v1/quality/qa-tasks/${encodeURIComponent(acting.id)}/${path}`, body);
      closeForms();
      show(listError, "");
      show(listStatus, said(done));
      await load();
    } catch (error) {
      formError(form, error);
    }
  }
  scope.on(reassignForm, "submit", (event) => {
    event.preventDefault();
    act(reassignForm, "reassign", { assignee_id: reassignForm.assignee_id.value },
      (done) => t("The task now goes to %(name)s.", { name: done.assignee_name || done.assignee_id }));
  });
  scope.on(cancelForm, "submit", (event) => {
    event.preventDefault();
    act(cancelForm, "cancel", { reason: cancelForm.reason.value }, () => t("The task was cancelled."));
  });
  scope.on(document.getElementById("reassign-close"), "click", closeForms);
  scope.on(document.getElementById("cancel-close"), "click", closeForms);

  function row(task, kinds) {
    return el(
      "tr",
      { dataset: { id: task.id, contact: task.interaction_id, rule: task.rule } },
      el("td", {}, task.week),
      el("td", {}, el("a", { href: `/interactions/${encodeURIComponent(task.interaction_id)}`, dataset: { testid: "contact" } }, when(task.created_at))),
      el("td", {}, names.agent(task.agent_id)),
      el("td", { dataset: { testid: "rule" } }, kinds[task.rule] ? `${task.rule} (${kinds[task.rule]})` : task.rule),
      el("td", { dataset: { testid: "assignee" } }, task.assignee_name || t("Not assigned")),
      el("td", { dataset: { testid: "state" } }, el("span", { className: "tag" }, STATES()[task.state] || task.state)),
      el("td", {}, scorecard && task.state === "open"
        ? el("button", { type: "button", className: "link", dataset: { testid: "evaluate" }, onclick: () => evaluate(task) }, t("Evaluate"))
        : null,
      scorecard && evaluators.length > 1 && task.state !== "cancelled"
        ? el("button", { type: "button", className: "link", dataset: { testid: "calibrate" }, onclick: () => calibrate(task) }, t("Calibrate…"))
        : null,
      task.state === "open" && evaluators.length > (task.assignee_id ? 1 : 0)
        ? el("button", { type: "button", className: "link", dataset: { testid: "reassign" }, onclick: () => reassign(task) }, t("Reassign…"))
        : null,
      task.state === "open"
        ? el("button", { type: "button", className: "link", dataset: { testid: "cancel" }, onclick: () => cancelTask(task) }, t("Cancel…"))
        : null),
    );
  }

  async function load() {
    const query = new URLSearchParams();
    if (week.value.trim()) query.set("week", week.value.trim());
    if (mine.checked) query.set("mine", "true");
    let found;
    let rules;
    try {
      found = await get(`/api/v1/quality/qa-tasks?${query}`);
      rules = await get("/api/v1/quality/sampling-rules");
      const cards = await get("/api/v1/quality/scorecards");
      scorecard = cards.find((c) => c.state === "published")?.name || null;
      evaluators = await get("/api/v1/quality/evaluators");
    } catch (error) {
      show(listError, errorText(error)); // said in my language by the server
      return;
    }
    if (scope.closed) return;
    show(listError, "");
    const kinds = {};
    for (const rule of rules.rules) kinds[rule.key] = KINDS()[rule.kind] || rule.kind;
    const shown = found.map((task) => row(task, kinds));
    if (!shown.length) shown.push(el("tr", {}, el("td", { colspan: 7 }, t("No QA task yet."))));
    rows.replaceChildren(...shown);
    table.dataset.loaded = "true";
  }

  week.addEventListener("change", load);
  mine.addEventListener("change", load);
  document.getElementById("refresh").addEventListener("click", load);
  await load();
}
