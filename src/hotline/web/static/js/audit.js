// The audit log: who changed what and when (in the center's time zone), each change as its
// fields before → after, named as the forms name them; filters by object, action, user, days.
import { get } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { el, show, when, zonedMidnight } from "./interaction-format.js";

// Bookkeeping every row carries: not a change anybody made.
const HIDDEN = new Set(["id", "tenant_id", "created_at", "updated_at", "password_hash", "ha1"]);
const PAGE = 25;

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const descriptor = JSON.parse(document.getElementById("descriptor").textContent);
  const labels = JSON.parse(document.getElementById("field-labels").textContent);
  const options = Object.fromEntries(Object.entries(descriptor.column_options).map(([k, v]) => [k, Object.fromEntries(v)]));
  const form = document.getElementById("filters");
  const rows = document.getElementById("audit-rows");
  const listError = document.getElementById("list-error");
  let offset = 0;
  let total = 0;

  const users = await get("/api/v1/users?limit=500").catch(() => ({ items: [] }));
  const userSelect = form.elements.actor_id;
  for (const u of users.items) userSelect.append(el("option", { value: u.id }, u.display_name || u.username));
  if (scope.closed) return;

  // Values that are codes or ids, not words: shown as code, never as if they were a sentence.
  const CODE_FIELD = /^(id|.*_id|.*_ids|code|key|kind|category|strategy|phone_mode|type|language|source|cron|queue)$/;
  const CODE_TEXT = /^[a-z][a-z0-9]*([._-][a-z0-9]+)+$/;

  /** A stored value as a person reads it: an option's words, a list of named things by their
   *  names, a code as code. */
  function shown(entity, name, value) {
    const words = (labels[entity]?.options || {})[name] || {};
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "boolean") return value ? t("Yes") : t("No");
    if (Array.isArray(value)) {
      if (!value.length) return "—";
      const parts = value.map((v) => {
        if (v && typeof v === "object" && ("name" in v || "display_name" in v)) {
          const level = v.proficiency ?? v.min_proficiency;
          return (v.display_name || v.name) + (level !== undefined ? ` (${level})` : "");
        }
        return shown(entity, name, v);
      });
      return parts.some((p) => typeof p !== "string") ? el("span", {}, ...parts.flatMap((p, i) => (i ? [", ", p] : [p]))) : parts.join(", ");
    }
    if (typeof value === "object") return el("code", {}, JSON.stringify(value));
    if (words[value] !== undefined) return words[value];
    const text = String(value);
    if (CODE_FIELD.test(name) || CODE_TEXT.test(text)) return el("code", {}, text);
    return text;
  }

  /** The fields a change touched: [name, before, after]; a creation shows what it set, a
   *  deletion what it removed. */
  function changes(before, after) {
    const b = before || {};
    const a = after || {};
    const names = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((n) => !HIDDEN.has(n));
    return names
      .filter((n) => JSON.stringify(b[n] ?? null) !== JSON.stringify(a[n] ?? null))
      .map((n) => [n, before ? b[n] : undefined, after ? a[n] : undefined]);
  }

  function changeList(entry) {
    const names = { ...labels["*"].labels, ...(labels[entry.entity]?.labels || {}) };
    const list = el("ul", { className: "audit-changes" });
    for (const [name, before, after] of changes(entry.before, entry.after)) {
      const value = (v, cls) => el("span", { className: cls }, shown(entry.entity, name, v));
      const item = el("li", { dataset: { field: name } }, names[name] ? el("b", {}, names[name]) : el("code", {}, name), " ");
      if (entry.before && entry.after) item.append(value(before, "before"), " → ", value(after, "after"));
      else item.append(value(entry.after ? after : before, entry.after ? "after" : "before"));
      list.append(item);
    }
    return list;
  }

  /** The changed thing by its name (a number, a user name, a label in the page's language),
   *  else by its code or id, shown as code. */
  function objectName(entry) {
    const row = entry.after || entry.before || {};
    const label = language() === "en" ? row.label_en : row.label_zh;
    const name = ["number", "username", "display_name", "name", "title"].map((k) => row[k]).find((v) => typeof v === "string" && v);
    if (label || name) return el("span", {}, label || name);
    const code = row.code || row.key || entry.entity_id;
    return code ? el("code", {}, code) : null;
  }

  function row(entry) {
    const kind = options.entity[entry.entity];
    const what = objectName(entry);
    return el("tr", { dataset: { id: entry.id } },
      el("td", { className: "nowrap" }, when(entry.at)),
      el("td", {}, entry.actor_name || "—"),
      el("td", {}, options.action[entry.action] || el("code", {}, entry.action)),
      el("td", { dataset: { testid: "object" } }, kind || el("code", {}, entry.entity), what ? " · " : "", what),
      el("td", {}, changeList(entry)),
      el("td", { className: "muted" }, entry.ip || ""));
  }

  async function load() {
    const f = form.elements;
    const params = new URLSearchParams({ limit: PAGE, offset });
    for (const name of ["entity", "action", "actor_id", "q"]) if (f[name].value.trim()) params.set(name, f[name].value.trim());
    // Days are the center's days: from the first one's midnight to the day after the last.
    if (f.from.value) params.set("since", zonedMidnight(f.from.value).getTime() / 1000);
    if (f.to.value) {
      const next = new Date(`${f.to.value}T12:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      params.set("until", zonedMidnight(next.toISOString().slice(0, 10)).getTime() / 1000);
    }
    try {
      const page = await get(`/api/v1/audit?${params}`);
      total = page.total;
      rows.replaceChildren(...page.items.map(row));
      document.getElementById("page-info").textContent = total
        ? t("%(first)s–%(last)s of %(total)s", { first: offset + 1, last: offset + page.items.length, total })
        : t("Nothing here yet");
      show(listError, "");
    } catch (error) {
      show(listError, error.message);
    }
  }

  scope.on(form, "submit", (event) => {
    event.preventDefault();
    offset = 0;
    load();
  });
  scope.on(form, "change", () => {
    offset = 0;
    load();
  });
  document.getElementById("prev").addEventListener("click", () => {
    offset = Math.max(0, offset - PAGE);
    load();
  });
  document.getElementById("next").addEventListener("click", () => {
    if (offset + PAGE < total) offset += PAGE;
    load();
  });
  await load();
}
