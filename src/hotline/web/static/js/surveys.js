// Survey definitions (issue 20, docs/quality.md): the questions customers are asked after a
// contact, in Chinese and English. The server checks every value (unique keys, texts, scales)
// and answers in the user's language; this screen only lays the definition out as a form.
import { get, put } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { el, errorText, show } from "./interaction-format.js";

const KINDS = ["scale", "satisfied", "solved", "nps", "text"];
const KIND_WORDS = {
  scale: "Scale (1–N)", satisfied: "Satisfied / unsatisfied", solved: "Problem solved (yes / no)",
  nps: "NPS (0–10)", text: "Free text",
};

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const root = scope.root;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $("survey-form");
  const questions = $("question-rows");

  function done(message) {
    show($("survey-error"), "");
    show($("survey-status"), message);
  }
  function fail(error) {
    show($("survey-status"), "");
    show($("survey-error"), typeof error === "string" ? error : errorText(error));
  }

  function questionRow(q = { key: "", kind: "scale", text_zh: "", text_en: "", scale: 5, required: true, review_at_most: null }) {
    const kind = el("select", { name: "kind", "aria-label": t("Kind") },
      ...KINDS.map((k) => el("option", { value: k, selected: k === q.kind }, t(KIND_WORDS[k]))));
    const scale = el("input", { name: "scale", type: "number", min: 2, max: 9, value: q.scale ?? 5, "aria-label": t("Scale") });
    const remove = el("button", { type: "button", className: "link", dataset: { testid: "remove-question" } }, t("Remove"));
    const up = el("button", { type: "button", className: "link", dataset: { testid: "question-up" }, title: t("Move up") }, "↑");
    const tr = el("tr", { dataset: { testid: "survey-question" } },
      el("td", {}, el("input", { name: "key", value: q.key, maxLength: 32, "aria-label": t("Key") })),
      el("td", {}, kind),
      el("td", {}, el("input", { name: "text_zh", value: q.text_zh, maxLength: 300, "aria-label": t("Question (Chinese)") })),
      el("td", {}, el("input", { name: "text_en", value: q.text_en, maxLength: 300, "aria-label": t("Question (English)") })),
      el("td", {}, scale),
      el("td", {}, el("input", { name: "required", type: "checkbox", checked: q.required !== false, "aria-label": t("Required") })),
      el("td", {}, el("input", { name: "review_at_most", type: "number", min: 0, max: 10, value: q.review_at_most ?? "", "aria-label": t("Review at or below") })),
      el("td", {}, up, " ", remove));
    const scaled = () => { scale.disabled = kind.value !== "scale"; };
    scope.on(kind, "change", scaled);
    scaled();
    scope.on(remove, "click", () => tr.remove());
    scope.on(up, "click", () => { if (tr.previousElementSibling) tr.previousElementSibling.before(tr); });
    questions.append(tr);
  }

  function edit(survey) {
    form.reset();
    questions.replaceChildren();
    $("survey-form-title").textContent = survey
      ? t("Change survey %(name)s", { name: survey.name }) : t("New survey");
    form.name.value = survey?.name ?? "";
    form.name.readOnly = Boolean(survey);
    form.title_zh.value = survey?.title_zh ?? "";
    form.title_en.value = survey?.title_en ?? "";
    for (const q of survey?.questions ?? [undefined]) questionRow(q);
    form.hidden = false;
    form.name.focus();
  }

  function number(input) {
    return input.value.trim() === "" ? null : Number(input.value);
  }

  function body() {
    return {
      name: form.name.value.trim(),
      title_zh: form.title_zh.value,
      title_en: form.title_en.value,
      questions: [...questions.querySelectorAll("tr")].map((tr) => {
        const field = (name) => tr.querySelector(`[name=${name}]`);
        const q = {
          key: field("key").value.trim(),
          kind: field("kind").value,
          text_zh: field("text_zh").value,
          text_en: field("text_en").value,
          required: field("required").checked,
          review_at_most: number(field("review_at_most")),
        };
        if (q.kind === "scale") q.scale = number(field("scale"));
        return q;
      }),
    };
  }

  async function list() {
    const surveys = await get("/api/v1/quality/surveys");
    const rows = $("survey-rows");
    rows.replaceChildren();
    for (const survey of surveys) {
      const change = el("button", { type: "button", dataset: { testid: "survey-edit" } }, t("Edit"));
      scope.on(change, "click", () => edit(survey));
      rows.append(el("tr", { dataset: { testid: "survey-row", name: survey.name } },
        el("td", {}, survey.name),
        el("td", {}, language().startsWith("zh") ? survey.title_zh : survey.title_en),
        el("td", {}, String(survey.questions.length)),
        el("td", {}, change)));
    }
    form.dataset.loaded = "true";
  }

  scope.on(form, "submit", async (event) => {
    event.preventDefault();
    const sent = body();
    if (!sent.questions.length) {
      fail(t("A survey needs at least one question."));
      return;
    }
    try {
      const saved = await put("/api/v1/quality/surveys", sent);
      form.hidden = true;
      done(t("Survey %(name)s was saved.", { name: saved.name }));
      await list();
    } catch (error) {
      fail(error);
    }
  });
  scope.on($("add-question"), "click", () => questionRow());
  scope.on($("new-survey"), "click", () => edit(null));
  scope.on($("survey-cancel"), "click", () => { form.hidden = true; });
  await list();
}
