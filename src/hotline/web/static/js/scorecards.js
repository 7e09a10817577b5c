// Scorecards (issue 20, docs/quality.md): the QA forms, versioned. A draft is written here
// (sections of yes/no or scale questions, weights, N/A, critical items) and published with a
// confirmation; a published version is read-only and "New version" copies it into a draft.
// The server checks every value and answers in the user's language.
import { get, post, put } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { el, errorText, show } from "./interaction-format.js";

const STATES = () => ({ draft: t("Draft"), published: t("In use"), retired: t("Retired") });

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const root = scope.root;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $("card-form");
  const sections = $("sections");
  let draftId = null; // the draft being changed, else a new draft is made

  function done(message) {
    show($("card-error"), "");
    show($("card-list-error"), "");
    show($("card-status"), message);
  }
  function fail(error) {
    show($("card-status"), "");
    show($("card-error"), typeof error === "string" ? error : errorText(error));
  }

  function input(name, value, attrs = {}) {
    return el("input", { name, value: value ?? "", "aria-label": attrs.label, ...attrs, label: undefined });
  }

  function itemRow(body, item = { key: "", text_zh: "", text_en: "", kind: "yes_no", scale: 5, weight: 1, allow_na: false, critical: false }) {
    const kind = el("select", { name: "kind", "aria-label": t("Kind") },
      el("option", { value: "yes_no", selected: item.kind === "yes_no" }, t("Yes / no")),
      el("option", { value: "scale", selected: item.kind === "scale" }, t("Scale (1–N)")));
    const scale = input("scale", item.scale ?? 5, { type: "number", min: 2, max: 10, label: t("Scale") });
    const critical = el("input", { name: "critical", type: "checkbox", checked: item.critical, "aria-label": t("Critical item") });
    const remove = el("button", { type: "button", className: "link", dataset: { testid: "remove-item" } }, t("Remove"));
    const tr = el("tr", { dataset: { testid: "card-item" } },
      el("td", {}, input("key", item.key, { maxLength: 32, label: t("Key") })),
      el("td", {}, input("text_zh", item.text_zh, { maxLength: 200, label: t("Question (Chinese)") })),
      el("td", {}, input("text_en", item.text_en, { maxLength: 200, label: t("Question (English)") })),
      el("td", {}, kind), el("td", {}, scale),
      el("td", {}, input("weight", item.weight ?? 1, { type: "number", min: 0, max: 100, step: "any", label: t("Weight") })),
      el("td", {}, el("input", { name: "allow_na", type: "checkbox", checked: item.allow_na, "aria-label": t("N/A allowed") })),
      el("td", {}, critical), el("td", {}, remove));
    const kindChanged = () => {
      scale.disabled = kind.value !== "scale";
      critical.disabled = kind.value !== "yes_no"; // only a yes/no item can be critical
      if (critical.disabled) critical.checked = false;
    };
    scope.on(kind, "change", kindChanged);
    kindChanged();
    scope.on(remove, "click", () => tr.remove());
    body.append(tr);
  }

  function sectionBox(section = { key: "", title_zh: "", title_en: "", items: [undefined] }) {
    const body = el("tbody", {});
    const add = el("button", { type: "button", dataset: { testid: "add-item" } }, t("Add a question"));
    const remove = el("button", { type: "button", className: "link", dataset: { testid: "remove-section" } }, t("Remove"));
    const box = el("fieldset", { className: "card-section", dataset: { testid: "card-section" } },
      el("legend", {}, t("Section")),
      el("label", {}, t("Key"), input("section_key", section.key, { maxLength: 32 })),
      el("label", {}, t("Title (Chinese)"), input("section_title_zh", section.title_zh, { maxLength: 200 })),
      el("label", {}, t("Title (English)"), input("section_title_en", section.title_en, { maxLength: 200 })),
      el("table", { className: "grid survey-questions scorecard-items" },
        el("thead", {}, el("tr", {}, ...["Key", "Question (Chinese)", "Question (English)", "Kind", "Scale", "Weight", "N/A allowed", "Critical item", ""]
          .map((h) => el("th", {}, h ? t(h) : "")))),
        body),
      el("div", { className: "filter-actions" }, add, " ", remove));
    for (const item of section.items) itemRow(body, item);
    scope.on(add, "click", () => itemRow(body));
    scope.on(remove, "click", () => box.remove());
    sections.append(box);
  }

  function edit(row, { copy = false } = {}) {
    form.reset();
    sections.replaceChildren();
    show($("card-error"), "");
    draftId = row && !copy && row.state === "draft" ? row.id : null;
    $("card-form-title").textContent = !row ? t("New scorecard")
      : draftId ? t("Change draft %(name)s v%(version)s", { name: row.name, version: row.version })
        : t("New version of %(name)s", { name: row.name });
    const card = row?.form;
    form.name.value = card?.name ?? "";
    form.name.readOnly = Boolean(row);
    form.title_zh.value = card?.title_zh ?? "";
    form.title_en.value = card?.title_en ?? "";
    for (const section of card?.sections ?? [undefined]) sectionBox(section);
    form.hidden = false;
    form.title_zh.focus();
  }

  const number = (field) => (field.value.trim() === "" ? null : Number(field.value));

  function body() {
    return {
      name: form.name.value.trim(),
      title_zh: form.title_zh.value,
      title_en: form.title_en.value,
      sections: [...sections.querySelectorAll("[data-testid=card-section]")].map((box) => {
        const value = (name) => box.querySelector(`[name=${name}]`).value;
        return {
          key: value("section_key").trim(),
          title_zh: value("section_title_zh"),
          title_en: value("section_title_en"),
          items: [...box.querySelectorAll("[data-testid=card-item]")].map((tr) => {
            const field = (name) => tr.querySelector(`[name=${name}]`);
            const item = {
              key: field("key").value.trim(),
              text_zh: field("text_zh").value,
              text_en: field("text_en").value,
              kind: field("kind").value,
              weight: number(field("weight")),
              allow_na: field("allow_na").checked,
              critical: field("critical").checked,
            };
            if (item.kind === "scale") item.scale = number(field("scale"));
            return item;
          }),
        };
      }),
    };
  }

  async function publish(row, button) {
    if (!confirm(t("Publish %(name)s v%(version)s? Evaluations use it from now on and it cannot be changed.", { name: row.name, version: row.version }))) return;
    button.disabled = true;
    try {
      await post(`/api/v1/quality/scorecards/${encodeURIComponent(row.id)}/publish`);
      done(t("%(name)s v%(version)s is published.", { name: row.name, version: row.version }));
      await list();
    } catch (error) {
      button.disabled = false;
      show($("card-status"), "");
      show($("card-list-error"), errorText(error)); // the list's own line: the form is closed
    }
  }

  async function list() {
    const rows = await get("/api/v1/quality/scorecards");
    const body = $("card-rows");
    body.replaceChildren();
    const zh = language().startsWith("zh");
    for (const row of rows) {
      const actions = el("td", {});
      if (row.state === "draft") {
        const change = el("button", { type: "button", dataset: { testid: "card-edit" } }, t("Edit"));
        const out = el("button", { type: "button", className: "primary", dataset: { testid: "card-publish" } }, t("Publish"));
        scope.on(change, "click", () => edit(row));
        scope.on(out, "click", () => publish(row, out));
        actions.append(change, " ", out);
      } else if (row.state === "published") {
        const next = el("button", { type: "button", dataset: { testid: "card-new-version" } }, t("New version"));
        scope.on(next, "click", () => edit(row, { copy: true }));
        actions.append(next);
      }
      const questions = row.form.sections.reduce((n, s) => n + s.items.length, 0);
      body.append(el("tr", { dataset: { testid: "card-row", name: row.name, version: String(row.version), state: row.state } },
        el("td", {}, row.name), el("td", {}, zh ? row.form.title_zh : row.form.title_en),
        el("td", {}, `v${row.version}`), el("td", {}, STATES()[row.state] || row.state),
        el("td", {}, String(questions)), actions));
    }
    if (!rows.length) body.append(el("tr", {}, el("td", { colSpan: 6 }, t("No scorecard yet."))));
    root.querySelector("[data-testid=scorecards]").dataset.loaded = "true";
  }

  scope.on(form, "submit", async (event) => {
    event.preventDefault();
    try {
      const saved = draftId
        ? await put(`/api/v1/quality/scorecards/${encodeURIComponent(draftId)}`, body())
        : await post("/api/v1/quality/scorecards", body());
      form.hidden = true;
      draftId = null;
      done(t("Draft %(name)s v%(version)s was saved.", { name: saved.name, version: saved.version }));
      await list();
    } catch (error) {
      fail(error);
    }
  });
  scope.on($("add-section"), "click", () => sectionBox());
  scope.on($("new-scorecard"), "click", () => edit(null));
  scope.on($("card-cancel"), "click", () => { form.hidden = true; draftId = null; });
  await list();
}
