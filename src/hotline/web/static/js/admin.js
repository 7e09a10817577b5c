// The generic admin page: a paged, searchable list and a form dialog, both built from the
// entity descriptor the server renders into the page (hotline/web/admin.py).
import { ApiError, del, get, post, put } from "./api.js";
import { securityMessage } from "./password-policy.js";
import { loadCatalog, t } from "./i18n.js";
import { when } from "./interaction-format.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
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

  const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
  const DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

  function cell(value, field, column = "") {
    if (value === null || value === undefined) return "";
    if (typeof value === "boolean") return value ? "✓" : "—";
    if (field?.type === "entries" && Array.isArray(value)) return t("%(count)s days", { count: value.length });
    // Times in the tenant's time zone: ISO strings, and epoch seconds in time columns.
    if (typeof value === "string" && ISO_TIME.test(value)) return when(value);
    if (typeof value === "number" && /(^|_)at$/.test(column)) return when(value);
    if (value && typeof value === "object" && "done" in value && "message" in value) {
      if (!value.total && !value.done) return value.message || "";
      return `${value.done}${value.total ? ` / ${value.total}` : ""} ${value.message || ""}`.trim();
    }
    if (Array.isArray(value)) {
      return value
        .map((v) => (typeof v === "object" ? `${v.name ?? v.skill_id}${v.proficiency ? ` (${v.proficiency})` : ""}${v.min_proficiency ? ` (≥${v.min_proficiency})` : ""}` : t(String(v))))
        .join(", ");
    }
    if (typeof value === "object") {
      return DAY_NAMES.filter((k) => (value[k] || []).length)
        .map((k) => `${weekdays()[k]} ${value[k].map((r) => r.join("–")).join(", ")}`)
        .join("; ");
    }
    return String(value);
  }

  // Ranges typed as "09:00-12:00, 13:00-18:00" ⇄ [["09:00", "12:00"], ["13:00", "18:00"]].
  function rangesText(ranges) {
    return (ranges || []).map((r) => `${r[0]}-${r[1]}`).join(", ");
  }

  function parseRanges(text, field, label) {
    const ranges = [];
    for (const part of text.split(/[,，;；]/).map((p) => p.trim()).filter(Boolean)) {
      const m = part.match(/^(\d{1,2}:\d\d)\s*[-–~至]\s*(\d{1,2}:\d\d)$/);
      if (!m) {
        throw new ApiError(422, {
          code: "invalid_input",
          message: t("%(field)s: %(value)s is not a time range like 09:00-18:00", { field: label, value: part }),
          details: { field },
        });
      }
      ranges.push([m[1].padStart(5, "0"), m[2].padStart(5, "0")]);
    }
    return ranges;
  }

  // The week as a grid of half hours: drag across a day to open or close it; the day's text
  // (the value sent) follows, and typing in the text redraws the day. Times off the half hour
  // stay exact in the text and are shown by the half hours they touch.
  const SLOTS = 48;
  const slotTime = (i) => `${String(Math.floor(i / 2)).padStart(2, "0")}:${i % 2 ? "30" : "00"}`;
  const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

  function slotsOf(ranges) {
    const open = new Array(SLOTS).fill(false);
    for (const [from, to] of ranges) {
      const end = to === "00:00" || to === "24:00" ? 1440 : minutes(to);
      for (let i = 0; i < SLOTS; i += 1) if (i * 30 < end && (i + 1) * 30 > minutes(from)) open[i] = true;
    }
    return open;
  }

  function rangesOf(open) {
    const ranges = [];
    for (let i = 0; i < SLOTS; i += 1) {
      if (!open[i] || (i && open[i - 1])) continue;
      let j = i;
      while (j < SLOTS && open[j]) j += 1;
      ranges.push([slotTime(i), j === SLOTS ? "24:00" : slotTime(j)]);
    }
    return ranges;
  }

  function weeklyEditor(field, value) {
    const box = el("div", { className: "weekly", dataset: { field: field.name } });
    const names = weekdays();
    const hours = el("div", { className: "hours-scale", "aria-hidden": "true" });
    for (let h = 0; h <= 24; h += 3) hours.append(el("span", { style: `left: ${(h / 24) * 100}%` }, `${h}`));
    box.append(el("span"), hours, el("span"));
    let painting = null; // true: opening, false: closing, null: not dragging
    const stop = () => {
      painting = null;
    };
    scope.on(document, "pointerup", stop);
    const inputs = {};
    for (const day of DAY_NAMES) {
      const input = el("input", { name: `${field.name}.${day}`, value: rangesText((value || {})[day]), placeholder: t("e.g. 09:00-12:00, 13:00-18:00"), dataset: { day }, "aria-label": names[day] });
      inputs[day] = input;
      const grid = el("div", { className: "hours-grid", dataset: { day, testid: `hours-${day}` } });
      const cells = [];
      for (let i = 0; i < SLOTS; i += 1) {
        const cell = el("span", { className: "slot", dataset: { slot: i }, title: `${names[day]} ${slotTime(i)}–${i + 1 === SLOTS ? "24:00" : slotTime(i + 1)}` });
        cells.push(cell);
        grid.append(cell);
      }
      const draw = () => {
        let ranges = [];
        try {
          ranges = parseRanges(input.value, input.name, names[day]);
          grid.classList.remove("unreadable");
        } catch {
          grid.classList.add("unreadable"); // the text says what is wrong when saved
        }
        slotsOf(ranges).forEach((open, i) => cells[i].classList.toggle("open", open));
      };
      const paint = (cell) => {
        cell.classList.toggle("open", painting);
        input.value = rangesText(rangesOf(cells.map((c) => c.classList.contains("open"))));
        grid.classList.remove("unreadable");
      };
      grid.addEventListener("pointerdown", (event) => {
        const cell = event.target.closest(".slot");
        if (!cell) return;
        event.preventDefault();
        grid.releasePointerCapture?.(event.pointerId);
        painting = !cell.classList.contains("open");
        paint(cell);
      });
      grid.addEventListener("pointerover", (event) => {
        const cell = event.target.closest(".slot");
        if (cell && painting !== null) paint(cell);
      });
      input.addEventListener("input", () => {
        input.classList.remove("invalid"); // said on the last save; the text has changed since
        draw();
      });
      draw();
      box.append(el("span", { className: "weekly-name" }, names[day]), grid, input);
    }
    // The same hours on every workday, from Monday's.
    const copy = el("button", { type: "button", className: "link", dataset: { testid: "copy-monday" } }, t("Monday's hours for Tuesday to Friday"));
    copy.addEventListener("click", () => {
      for (const day of ["tue", "wed", "thu", "fri"]) {
        inputs[day].value = inputs.mon.value;
        inputs[day].dispatchEvent(new Event("input"));
      }
    });
    box.append(el("span"), copy);
    return box;
  }

  const ENTRY_KINDS = () => [
    ["holiday", t("Holiday (closed)")],
    ["workday", t("Make-up workday")],
    ["closed", t("Closed")],
  ];

  function entriesEditor(field, value) {
    const box = el("div", { className: "entries", dataset: { field: field.name } });
    const add = (entry = {}) => {
      const kind = el("select", { className: "entry-kind" });
      for (const [id, label] of ENTRY_KINDS()) kind.append(el("option", { value: id, selected: id === (entry.kind || "holiday") }, label));
      const line = el("div", { className: "entry" },
        el("input", { type: "date", className: "entry-date", value: entry.date || "", "aria-label": t("Date") }),
        kind,
        el("input", { className: "entry-name", value: entry.name || "", placeholder: t("Name"), "aria-label": t("Name") }),
        el("input", { className: "entry-hours", value: rangesText(entry.hours), placeholder: t("own hours, e.g. 10:00-15:00"), "aria-label": t("Hours") }));
      const remove = el("button", { type: "button", className: "link" }, "✕");
      remove.addEventListener("click", () => line.remove());
      line.append(remove);
      box.insertBefore(line, addButton);
    };
    const addButton = el("button", { type: "button", className: "link" }, "+ " + t("Add a day"));
    addButton.addEventListener("click", () => add());
    box.append(addButton);
    for (const entry of value || []) add(entry);
    return box;
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
  const optionLabels = Object.fromEntries([
    ...descriptor.fields.filter((f) => f.options).map((f) => [f.name, Object.fromEntries(f.options)]),
    ...Object.entries(descriptor.column_options || {}).map(([name, options]) => [name, Object.fromEntries(options)]),
  ]);
  const fieldsByName = Object.fromEntries(descriptor.fields.map((f) => [f.name, f]));

  // Columns that hold ids of another list (a calendar's holiday calendars) show their names.
  async function sourceLabels() {
    for (const [name] of descriptor.columns) {
      const field = fieldsByName[name];
      if (field?.type === "multiselect" && field.source && !optionLabels[name]) {
        optionLabels[name] = Object.fromEntries(await options(field));
      }
    }
  }

  function row(item) {
    const tr = el("tr", { dataset: { id: item.id ?? "" } });
    for (const [index, [name]] of descriptor.columns.entries()) {
      const labels = optionLabels[name];
      const value = labels ? (Array.isArray(item[name]) ? item[name].map((v) => labels[v] ?? v) : labels[item[name]] ?? item[name]) : item[name];
      let shown = cell(value, fieldsByName[name], name);
      // An empty value that means something (a number not routed yet) says so.
      if (shown === "" && descriptor.empty?.[name]) shown = el("span", { className: "muted", dataset: { empty: name } }, descriptor.empty[name]);
      // A code the admin chose (a disposition's, a reason's) is shown as code, not as words.
      if (name === "code" && !labels && typeof shown === "string") shown = el("code", {}, shown);
      // A list whose rows have a screen of their own (a customer's profile) links it from the first column.
      if (index === 0 && descriptor.row_link && item.id) {
        shown = el("a", { href: descriptor.row_link.replace("{id}", encodeURIComponent(item.id)), dataset: { testid: "row-link" } }, shown);
      }
      tr.append(el("td", { dataset: { column: name } }, shown));
    }
    // System jobs (retention purge …) belong to no tenant: shown, not controlled, from here.
    if (flags.can_act && descriptor.row_actions && item.tenant_id !== "system") {
      const buttons = descriptor.row_actions
        .filter(([action]) => (action === "cancel" ? ["pending", "running"] : ["pending", "done", "failed", "cancelled"]).includes(item.state))
        .map(([action, label]) => {
          const button = el("button", { className: "link", type: "button", dataset: { action } }, label);
          button.addEventListener("click", async () => {
            try {
              await post(`${descriptor.api}/${item.id}/${action}`, {});
              await load();
            } catch (error) {
              show(listError, error.message);
            }
          });
          return button;
        });
      tr.append(el("td", { className: "row-actions" }, ...buttons));
    } else if (flags.can_act && descriptor.row_actions) {
      tr.append(el("td", { className: "row-actions muted" }, t("System")));
    }
    if (flags.can_write && !descriptor.create_only) {
      const edit = el("button", { className: "link", type: "button" }, t("Edit"));
      edit.addEventListener("click", () => openEditor(item));
      const remove = el("button", { className: "link danger", type: "button", hidden: !!descriptor.edit_only }, t("Delete"));
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
    return items.map((i) => [i[field.source_value || "id"], i[field.source_label || "display_name"] || i.name || i.username]);
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
      case "weekly":
        return weeklyEditor(field, value ?? field.default);
      case "entries":
        return entriesEditor(field, value ?? field.default);
      case "skills":
        return pairRows(field, value, await options(field), "proficiency");
      case "queue_skills":
        return pairRows(field, value, await options(field), "min_proficiency");
      default:
        return el("input", { name, value: value ?? field.default ?? "", required: !!field.required, disabled: !!(editing && (field.create_only || field.readonly)) });
    }
  }

  function read(field) {
    const node = fieldsBox.querySelector(`[data-input="${field.name}"]`);
    const control = node.querySelector("input, select, textarea, .checks, .pairs");
    switch (field.type) {
      case "weekly": {
        const weekly = {};
        for (const input of node.querySelectorAll("input[data-day]")) {
          const label = `${field.label} · ${weekdays()[input.dataset.day]}`;
          const ranges = parseRanges(input.value, `${field.name}.${input.dataset.day}`, label);
          if (ranges.length) weekly[input.dataset.day] = ranges;
        }
        return weekly;
      }
      case "entries":
        return [...node.querySelectorAll(".entry")].map((line, index) => {
          const date = line.querySelector(".entry-date").value;
          if (!date) {
            throw new ApiError(422, { code: "invalid_input", message: t("%(field)s: day %(n)s has no date", { field: field.label, n: index + 1 }), details: { field: `${field.name}.${index}.date` } });
          }
          return {
            date,
            kind: line.querySelector(".entry-kind").value,
            name: line.querySelector(".entry-name").value.trim(),
            hours: parseRanges(line.querySelector(".entry-hours").value, `${field.name}.${index}.hours`, field.label),
          };
        });
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

  // `holidays.2.hours.0` → the hours input of the third special day.
  function entryInput(path) {
    const m = path.match(/^([a-z_]+)\.(\d+)(?:\.([a-z_]+))?/);
    if (!m) return null;
    const line = fieldsBox.querySelectorAll(`[data-field="${m[1]}"] .entry`)[Number(m[2])];
    if (!line) return null;
    return line.querySelector(`.entry-${m[3] === "kind" ? "kind" : m[3] === "date" ? "date" : m[3] === "name" ? "name" : "hours"}`);
  }

  async function openEditor(item) {
    editing = item;
    document.getElementById("editor-title").textContent = item ? t("Edit") : t("New");
    show(editorError, "");
    const rows = [];
    for (const field of descriptor.fields) {
      const control = await input(field, item ? item[field.name] : undefined);
      // Composite controls (lists of checkboxes, skill rows) are groups, not labelled inputs.
      const composite = ["skills", "queue_skills", "multiselect", "checkboxes", "weekly", "entries"].includes(field.type);
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
          // One day of the weekly hours, or one special day, is marked by itself.
          const exact = fieldsBox.querySelector(`[name="${CSS.escape(f)}"]`) || entryInput(f);
          if (exact) {
            exact.classList.add("invalid");
            continue;
          }
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
  // Holiday calendars: import a shipped year of Chinese holidays or any .ics file.
  async function setUpImports() {
    const box = document.getElementById("imports");
    if (!box) return;
    const { years } = await get("/api/v1/holiday-calendars/shipped");
    const year = el("select", { id: "import-year" });
    for (const y of years) year.append(el("option", { value: y }, String(y)));
    const shipped = el("button", { type: "button", id: "import-shipped", className: "primary" }, t("Import"));
    const file = el("input", { type: "file", id: "import-file", accept: ".ics,text/calendar" });
    const name = el("input", { id: "import-name", placeholder: t("Name of the imported calendar") });
    const upload = el("button", { type: "button", id: "import-ics" }, t("Import"));
    const status = el("p", { id: "import-status", role: "status" });
    const run = async (body) => {
      show(listError, "");
      status.textContent = t("Importing…");
      try {
        const row = await post("/api/v1/holiday-calendars/import", body);
        status.textContent = t("Imported %(name)s: %(count)s days", { name: row.name, count: row.entries.length });
        sources.clear();
        await load();
      } catch (error) {
        status.textContent = "";
        const known = {
          "calendar.ics.invalid": t("This file is not a holiday calendar (.ics)."),
          "calendar.holidays.not_shipped": t("No holidays are shipped for that year; import an .ics file."),
        }[error.code];
        show(listError, known ? `${known} (${error.message})` : error.message);
      }
    };
    shipped.addEventListener("click", () => run({ region: "CN", year: Number(year.value) }));
    upload.addEventListener("click", async () => {
      if (!file.files.length) {
        show(listError, t("Choose an .ics file first."));
        return;
      }
      await run({ name: name.value.trim() || file.files[0].name.replace(/\.ics$/i, ""), ics: await file.files[0].text() });
    });
    box.replaceChildren(
      el("h2", {}, t("Import holidays")),
      el("div", { className: "import-row" }, el("span", {}, t("Chinese public holidays (State Council notices)")), year, shipped),
      el("div", { className: "import-row" }, el("span", {}, t("An iCalendar file (.ics)")), file, name, upload),
      status,
    );
    box.hidden = false;
  }

  let timer;
  document.getElementById("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = scope.after(() => {
      offset = 0;
      load();
    }, 250);
  });
  await sourceLabels();
  await setUpImports();
  await load();
  if (descriptor.refresh_s) {
    scope.every(() => {
      if (!dialog.open && document.visibilityState === "visible") load();
    }, descriptor.refresh_s * 1000);
  }
}
