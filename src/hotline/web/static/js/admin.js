// The generic admin page: a paged, searchable list and a form dialog, both built from the
// entity descriptor the server renders into the page (hotline/web/admin.py).
import { ApiError, del, get, post, put } from "./api.js";
import { securityMessage } from "./password-policy.js";
import { loadCatalog, t } from "./i18n.js";

const descriptor = JSON.parse(document.getElementById("descriptor").textContent);
const flags = JSON.parse(document.getElementById("page-flags").textContent);
const grid = document.querySelector("#grid tbody");
const listError = document.getElementById("list-error");
const dialog = document.getElementById("editor");
const form = document.getElementById("editor-form");
const fieldsBox = document.getElementById("editor-fields");
const editorError = document.getElementById("editor-error");
const PAGE = 25;
let offset = 0;
let total = 0;
let editing = null; // the row being edited, or null when creating
const sources = new Map();

await loadCatalog();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && key !== "list") node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function show(node, message) {
  node.textContent = message;
  node.hidden = !message;
}

// A calendar's `weekly` keys, shown as day names.
const weekdays = () => ({
  mon: t("Mon"), tue: t("Tue"), wed: t("Wed"), thu: t("Thu"), fri: t("Fri"), sat: t("Sat"), sun: t("Sun"),
});

function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "✓" : "—";
  if (Array.isArray(value)) {
    return value
      .map((v) => (typeof v === "object" ? `${v.name ?? v.skill_id}${v.proficiency ? ` (${v.proficiency})` : ""}${v.min_proficiency ? ` (≥${v.min_proficiency})` : ""}` : t(String(v))))
      .join(", ");
  }
  if (typeof value === "object") return Object.keys(value).map((k) => weekdays()[k] || k).join(" ");
  return String(value);
}

async function source(path) {
  if (!sources.has(path)) sources.set(path, get(`${path}?limit=500`).then((page) => page.items));
  return sources.get(path);
}

async function load() {
  const q = document.getElementById("search").value.trim();
  const params = new URLSearchParams({ limit: PAGE, offset });
  if (q) params.set("q", q);
  try {
    const page = await get(`${descriptor.api}?${params}`);
    total = page.total;
    grid.replaceChildren(...page.items.map(row));
    document.getElementById("page-info").textContent = total
      ? t("%(first)s–%(last)s of %(total)s", { first: offset + 1, last: offset + page.items.length, total })
      : t("Nothing here yet");
    show(listError, "");
  } catch (error) {
    show(listError, error.message);
  }
}

// Columns whose field has fixed options show the option's label, not the stored code.
const optionLabels = Object.fromEntries(
  descriptor.fields.filter((f) => f.options).map((f) => [f.name, Object.fromEntries(f.options)]),
);

function row(item) {
  const tr = el("tr", { dataset: { id: item.id ?? "" } });
  for (const [name] of descriptor.columns) {
    const labels = optionLabels[name];
    const value = labels ? (Array.isArray(item[name]) ? item[name].map((v) => labels[v] ?? v) : labels[item[name]] ?? item[name]) : item[name];
    tr.append(el("td", {}, cell(value)));
  }
  if (flags.can_write && !descriptor.create_only) {
    const edit = el("button", { className: "link", type: "button" }, t("Edit"));
    edit.addEventListener("click", () => openEditor(item));
    const remove = el("button", { className: "link danger", type: "button" }, t("Delete"));
    remove.addEventListener("click", async () => {
      if (!window.confirm(t("Delete this item?"))) return;
      try {
        await del(`${descriptor.api}/${item.id}`);
        await load();
      } catch (error) {
        show(listError, error.message);
      }
    });
    tr.append(el("td", { className: "row-actions" }, edit, remove));
  }
  return tr;
}

async function options(field) {
  if (field.options) return field.options;
  const items = await source(field.source);
  return items.map((i) => [i.id, i[field.source_label || "display_name"] || i.name || i.username]);
}

function pairRows(field, value, allOptions, levelName) {
  const box = el("div", { className: "pairs", dataset: { field: field.name } });
  const add = (skillId = "", level = 5) => {
    const select = el("select", { className: "pair-key" }, el("option", { value: "" }, "—"));
    for (const [id, label] of allOptions) select.append(el("option", { value: id, selected: id === skillId }, label));
    const number = el("input", { type: "number", min: 1, max: 10, value: level, className: "pair-level" });
    const remove = el("button", { type: "button", className: "link" }, "✕");
    const line = el("div", { className: "pair" }, select, number, remove);
    remove.addEventListener("click", () => line.remove());
    box.insertBefore(line, addButton);
  };
  const addButton = el("button", { type: "button", className: "link" }, "+ " + t("Add"));
  addButton.addEventListener("click", () => add());
  box.append(addButton);
  for (const v of value || []) add(v.skill_id, v[levelName]);
  return box;
}

async function input(field, value) {
  const name = field.name;
  switch (field.type) {
    case "checkbox":
      return el("input", { type: "checkbox", name, checked: value ?? field.default ?? false });
    case "number":
      return el("input", { type: "number", name, min: field.min ?? "", max: field.max ?? "", value: value ?? field.default ?? "" });
    case "password":
      return el("input", { type: "password", name, autocomplete: "new-password", value: "" });
    case "date":
      return el("input", { type: "date", name, value: value ?? "" });
    case "textarea":
      return el("textarea", { name, rows: 3, value: value ?? "" });
    case "json":
      return el("textarea", { name, rows: 4, className: "mono", value: JSON.stringify(value ?? field.default ?? {}, null, 1) });
    case "list":
      return el("input", { name, value: (value || []).join(", "), placeholder: t("separate with commas") });
    case "select": {
      const select = el("select", { name });
      if (field.optional) select.append(el("option", { value: "" }, "—"));
      for (const [id, label] of await options(field)) {
        select.append(el("option", { value: id, selected: id === (value ?? field.default) }, label));
      }
      return select;
    }
    case "multiselect": {
      const box = el("div", { className: "checks", dataset: { field: name } });
      for (const [id, label] of await options(field)) {
        box.append(el("label", {}, el("input", { type: "checkbox", value: id, checked: (value || []).includes(id) }), label));
      }
      return box;
    }
    case "checkboxes": {
      const box = el("div", { className: "checks", dataset: { field: name } });
      for (const [id, label] of field.options) {
        box.append(el("label", {}, el("input", { type: "checkbox", value: id, checked: (value ?? field.default ?? []).includes(id) }), label));
      }
      return box;
    }
    case "skills":
      return pairRows(field, value, await options(field), "proficiency");
    case "queue_skills":
      return pairRows(field, value, await options(field), "min_proficiency");
    default:
      return el("input", { name, value: value ?? field.default ?? "", required: !!field.required, disabled: !!(editing && field.create_only) });
  }
}

function read(field) {
  const node = fieldsBox.querySelector(`[data-input="${field.name}"]`);
  const control = node.querySelector("input, select, textarea, .checks, .pairs");
  switch (field.type) {
    case "checkbox":
      return control.checked;
    case "number":
      return control.value === "" ? null : Number(control.value);
    case "json":
      try {
        return JSON.parse(control.value || "null");
      } catch {
        throw new ApiError(422, { code: "invalid_input", message: field.label + ": " + t("not valid JSON"), details: { field: field.name } });
      }
    case "list":
      return control.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean);
    case "multiselect":
    case "checkboxes":
      return [...node.querySelectorAll("input:checked")].map((i) => i.value);
    case "skills":
    case "queue_skills": {
      const level = field.type === "skills" ? "proficiency" : "min_proficiency";
      return [...node.querySelectorAll(".pair")]
        .map((line) => ({ skill_id: line.querySelector(".pair-key").value, [level]: Number(line.querySelector(".pair-level").value) }))
        .filter((p) => p.skill_id);
    }
    case "select":
    case "date":
      return control.value === "" ? null : control.value;
    default:
      // An empty optional field means "not set", not an empty string.
      return control.value === "" && field.optional ? null : control.value;
  }
}

async function openEditor(item) {
  editing = item;
  document.getElementById("editor-title").textContent = item ? t("Edit") : t("New");
  show(editorError, "");
  const rows = [];
  for (const field of descriptor.fields) {
    const control = await input(field, item ? item[field.name] : undefined);
    // Composite controls (lists of checkboxes, skill rows) are groups, not labelled inputs.
    const composite = ["skills", "queue_skills", "multiselect", "checkboxes"].includes(field.type);
    const wrapper = composite ? "fieldset" : "label";
    const caption = el(composite ? "legend" : "span", {}, field.label + (field.required ? " *" : ""));
    rows.push(el(wrapper, { className: `field field-${field.type}`, dataset: { input: field.name } }, caption, control));
  }
  fieldsBox.replaceChildren(...rows);
  dialog.showModal();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  fieldsBox.querySelectorAll(".invalid").forEach((n) => n.classList.remove("invalid"));
  try {
    const body = {};
    for (const field of descriptor.fields) {
      if (editing && field.create_only) continue;
      const value = read(field);
      if (field.type === "password" && !value) continue;
      body[field.name] = value;
    }
    if (editing) await put(`${descriptor.api}/${editing.id}`, body);
    else await post(descriptor.api, body);
    dialog.close();
    sources.clear();
    await load();
  } catch (error) {
    show(editorError, securityMessage(error) || error.message);
    if (error instanceof ApiError) {
      for (const f of error.fields()) {
        const root = f.split(/[.[]/)[0];
        fieldsBox.querySelector(`[data-input="${root}"]`)?.classList.add("invalid");
      }
    }
  }
});

document.getElementById("cancel").addEventListener("click", () => dialog.close());
document.getElementById("create")?.addEventListener("click", () => openEditor(null));
document.getElementById("prev").addEventListener("click", () => {
  offset = Math.max(0, offset - PAGE);
  load();
});
document.getElementById("next").addEventListener("click", () => {
  if (offset + PAGE < total) {
    offset += PAGE;
    load();
  }
});
let timer;
document.getElementById("search").addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    offset = 0;
    load();
  }, 250);
});
await load();
