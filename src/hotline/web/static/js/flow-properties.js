// The designer's property forms: one per node (its fields by the palette's kinds) and the
// flow's own settings. Each field writes straight into the designer graph's node; an empty field
// leaves the property out (the schema's default). Field names are the document's own keys,
// shown as code; each field has a slot where the checker's message for it appears.
import { t } from "./i18n.js";
import { promptEditor } from "./flow-prompts.js";

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

function slot(name) {
  const p = el("p", { className: "field-issue", role: "alert" });
  p.dataset.field = name;
  return p;
}

function labelled(name, control, { hint = "", required = false } = {}) {
  control.name = name;
  control.dataset.testid = `prop-${name}`;
  const code = el("code", { textContent: name });
  code.dataset.raw = "";
  const label = el("label", { className: "prop" }, code, required ? " *" : "", hint ? el("span", { className: "muted", textContent: ` ${hint}` }) : "", control);
  return el("div", { className: "prop-field" }, label, slot(name));
}

const splitList = (text) => text.split(/[,，\n]/).map((s) => s.trim()).filter(Boolean);

function jsonField(props, name, onEdit, { redraw = false } = {}) {
  const area = el("textarea", { className: "mono", rows: 4, spellcheck: false, value: props[name] === undefined ? "" : JSON.stringify(props[name], null, 1) });
  area.addEventListener("change", () => {
    const text = area.value.trim();
    area.setCustomValidity("");
    if (!text) delete props[name];
    else {
      try {
        props[name] = JSON.parse(text);
      } catch {
        area.setCustomValidity(t("Not valid JSON"));
        area.reportValidity();
        return;
      }
    }
    onEdit({ redraw });
  });
  return area;
}

/** The control for one property of a node, by its kind (flows/designer.py `PropertyKind`). */
function control(props, prop, { languages, onEdit }) {
  const name = prop.name;
  const value = props[name];
  const set = (v, options) => {
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0 && !prop.required)) delete props[name];
    else props[name] = v;
    onEdit(options);
  };
  switch (prop.kind) {
    case "bool": {
      const box = el("input", { type: "checkbox", checked: value ?? prop.default ?? false });
      box.addEventListener("change", () => set(box.checked === (prop.default ?? false) ? undefined : box.checked));
      return box;
    }
    case "number": {
      const input = el("input", { type: "number", step: "any", value: value ?? "", placeholder: prop.default ?? "" });
      input.addEventListener("change", () => set(input.value === "" ? undefined : Number(input.value)));
      return input;
    }
    case "choice": {
      const select = el("select", {}, el("option", { value: "", textContent: prop.default ? `(${prop.default})` : "—" }), ...prop.choices.map((c) => el("option", { value: c, textContent: c })));
      select.value = value ?? "";
      select.addEventListener("change", () => set(select.value || undefined));
      return select;
    }
    case "keys": {
      const input = el("input", { value: Array.isArray(value) ? value.join(",") : "", placeholder: "1,2,0" });
      input.addEventListener("change", () => set(splitList(input.value), { redraw: true }));
      return input;
    }
    case "list": {
      const input = el("input", { value: Array.isArray(value) ? value.join(", ") : value ?? "" });
      input.addEventListener("change", () => set(splitList(input.value)));
      return input;
    }
    case "branches": {
      const area = el("textarea", { className: "mono", rows: 3, spellcheck: false, value: Array.isArray(value) ? value.map((b) => b?.when ?? "").join("\n") : "" });
      area.title = t("One condition per line; each gets its own output.");
      area.addEventListener("change", () => set(area.value.split("\n").filter((l) => l.trim()).map((when) => ({ when: when.trim() })), { redraw: true }));
      return area;
    }
    case "assign": {
      const text = value && typeof value === "object" ? Object.entries(value).map(([k, v]) => `${k} = ${v}`).join("\n") : "";
      const area = el("textarea", { className: "mono", rows: 3, spellcheck: false, value: text });
      area.title = t("One per line: variable = expression");
      area.addEventListener("change", () => {
        const out = {};
        for (const line of area.value.split("\n")) {
          const at = line.indexOf("=");
          if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
          else if (line.trim()) out[line.trim()] = "";
        }
        set(Object.keys(out).length ? out : prop.required ? {} : undefined);
      });
      return area;
    }
    case "prompts":
      return promptEditor(prop.testName ?? name, value, { languages, required: prop.required, set: (v) => set(v) });
    case "group": {
      // A field made of fields (a queue's announcements, a voicemail's ticket): a sub-form;
      // all of it empty leaves the field out.
      const sub = value && typeof value === "object" ? { ...value } : {};
      const box = el("fieldset", { className: "prop-group" });
      for (const inner of prop.fields ?? []) {
        const input = control(sub, { ...inner, testName: `${name}.${inner.name}` }, {
          languages,
          onEdit: (options) => set(Object.keys(sub).length ? { ...sub } : undefined, options),
        });
        box.append(labelled(`${name}.${inner.name}`, input, { required: inner.required }));
      }
      return box;
    }
    case "json":
      return jsonField(props, name, onEdit);
    default: {
      const input = el("input", { value: value ?? "", placeholder: prop.default ?? "" });
      input.addEventListener("change", () => set(input.value.trim() === "" ? undefined : input.value));
      return input;
    }
  }
}

/** The form of one node: its id, then every property its type has. */
export function propertyForm(node, entry, { languages, onEdit, rename }) {
  const id = el("input", { value: node.id, pattern: "[A-Za-z_][A-Za-z0-9_\\-]{0,63}", required: true });
  id.addEventListener("change", () => {
    id.setCustomValidity("");
    if (id.value === node.id) return;
    if (!id.checkValidity() || !rename(id.value)) {
      id.setCustomValidity(t("Ids start with a letter and hold letters, digits, _ and -; each node has its own."));
      id.reportValidity();
    }
  });
  const fields = [labelled("id", id, { required: true })];
  for (const prop of entry?.properties ?? []) {
    const input = control(node.props, prop, { languages, onEdit });
    fields.push(labelled(prop.name, input, { required: prop.required }));
  }
  const outputs = el("p", { className: "muted", textContent: t("Outputs: connect them on the canvas.") });
  fields.push(outputs);
  for (const port of entry?.ports ?? []) if (port !== entry.dynamic) fields.push(slot(port));
  return fields;
}

const SETTINGS = [
  ["name", "text", true],
  ["title", "text", false],
  ["description", "text", false],
  ["language", "text", false],
  ["languages", "list", false],
  ["timezone", "text", false],
  ["dids", "list", false],
  ["start", "start", true],
  ["variables", "json", false],
  ["calendars", "json", false],
];

/** The flow's own settings (shown when no node is selected). */
export function settingsForm(graph, { onEdit }) {
  const flow = graph.flow;
  const fields = [];
  for (const [name, kind, required] of SETTINGS) {
    let input;
    if (kind === "start") {
      input = el("select", {}, el("option", { value: "", textContent: "—" }), ...graph.nodes.map((n) => el("option", { value: n.id, textContent: n.id })));
      input.value = flow.start ?? "";
      input.addEventListener("change", () => {
        flow.start = input.value || undefined;
        onEdit({ redraw: true });
      });
    } else if (kind === "json") {
      input = jsonField(flow, name, onEdit);
    } else {
      input = control(flow, { name, kind, required, default: null, choices: [] }, { languages: [], onEdit });
    }
    fields.push(labelled(name, input, { required }));
  }
  return fields;
}
