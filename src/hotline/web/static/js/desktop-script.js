// A campaign script's questions at the desk (issue 24), for the preview card and for a
// progressive or predictive call alike: each question on the path of the answers so far, with
// the answer given; after each answer the server says the path from there (`pathUrl()`), so a
// branch is decided in one place (`script.walk`). `record(...)` shows the record's fields.
import { get, post } from "./api.js";
import { language, t } from "./i18n.js";
import { el, errorText } from "./interaction-format.js";

/** A record's field → its name on screen: the name, the priority, the center's custom fields. */
export async function fieldLabels() {
  const fields = await get("/api/v1/custom-fields?limit=500").then((p) => p.items).catch(() => []);
  const labels = { name: t("Full name"), priority: t("Priority") };
  for (const f of fields) labels[f.key] = (language() === "en" ? f.label_en : f.label_zh) || f.key;
  return labels;
}

/** The record's fields as a definition list (`labels`: field → its name on screen). */
export function showFields(list, fields, labels) {
  list.replaceChildren();
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || value === "" || typeof value === "object") continue;
    list.append(el("dt", {}, labels[name] || name), el("dd", { dataset: { field: name } }, String(value)));
  }
}

export class ScriptForm {
  /** `form` holds the questions; `testid` prefixes each answer's test id; `pathUrl()` is
   * where to ask for the path; `fail(message)` shows a refusal ("" clears it). */
  constructor(form, { testid, pathUrl, fail }) {
    this.form = form;
    this.testid = testid;
    this.pathUrl = pathUrl;
    this.fail = fail;
    this.answers = {};
    form.addEventListener("change", () => this.answered());
    form.addEventListener("submit", (e) => e.preventDefault());
  }

  /** Show `questions` with `answers` (those already given or saved) filled in. */
  show(questions, answers = {}) {
    this.answers = { ...answers };
    this.render(questions);
  }

  render(list) {
    this.form.replaceChildren();
    for (const q of list) {
      const name = `q-${q.key}`;
      const testid = `${this.testid}-${q.key}`;
      let input;
      if (q.type === "choice") {
        input = el("select", { name, dataset: { testid } }, new Option("—", ""), ...q.choices.map((c) => new Option(c, c)));
      } else if (q.type === "boolean") {
        input = el("select", { name, dataset: { testid } }, new Option("—", ""), new Option(t("Yes"), "true"), new Option(t("No"), "false"));
      } else {
        const type = { number: "number", date: "date" }[q.type] || "text";
        input = el("input", { name, type, dataset: { testid } });
      }
      input.dataset.key = q.key;
      if (this.answers[q.key] !== undefined) input.value = String(this.answers[q.key]);
      this.form.append(el("label", { dataset: { question: q.key } }, q.text + (q.required ? " *" : ""), input));
    }
  }

  /** An answer changed: ask the server for the path from here. */
  async answered() {
    const answers = {};
    for (const input of this.form.querySelectorAll("[data-key]")) {
      if (input.value !== "") answers[input.dataset.key] = input.value;
    }
    this.answers = answers;
    try {
      const { questions } = await post(this.pathUrl(), { answers });
      const keys = new Set(questions.map((q) => q.key));
      for (const key of Object.keys(this.answers)) if (!keys.has(key)) delete this.answers[key];
      this.render(questions);
      this.fail("");
    } catch (error) {
      this.fail(errorText(error));
    }
  }
}
