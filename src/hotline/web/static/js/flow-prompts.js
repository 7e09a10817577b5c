// The designer's prompt editor: what the caller hears, as a list of items played in order. Each
// item is TTS text per language (or one text pinned to one language, "For English, press 9"),
// one recording for every language and/or a recording per language. Items are added, removed
// and moved; an item that says nothing shows its message inline and is not written until fixed.
// One item is written as the object itself, several as a list (flows/schema.py `Prompt`); one
// empty item is no prompt (the field left out).
import { t } from "./i18n.js";

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

const blank = (v) => v === undefined || v === null || v === "" || (typeof v === "object" && Object.keys(v).length === 0);

/** The items of a prompts value (a text, an object or a list of them), as objects. */
export function promptItems(value) {
  if (blank(value)) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (typeof item === "string" ? { tts: item } : structuredClone(item)));
}

/** Why an item cannot be played (a translated message), or "" when it can. */
export function itemIssue(item, n) {
  const texts = typeof item.tts === "string" ? [item.tts] : Object.values(item.tts ?? {});
  const files = [item.file ?? "", ...Object.values(item.files ?? {})];
  if (![...texts, ...files].some((s) => String(s).trim())) return t("Item %(n)s: give a text or a recording.", { n });
  if (item.language && typeof item.tts === "object" && item.tts !== null) return t("Item %(n)s: a pinned item has one text.", { n });
  return "";
}

/** The value to store for the items: nothing, one object, or a list. */
export function promptsValue(items) {
  const clean = items.map((item) => {
    const out = { ...item };
    for (const key of ["tts", "file", "files", "language"]) if (blank(out[key])) delete out[key];
    return out;
  }).filter((item) => Object.keys(item).length > 0);
  if (clean.length === 0) return undefined;
  return clean.length === 1 ? clean[0] : clean;
}

/** The editor for one prompts property; `set(value)` stores it (undefined: leave it out). */
export function promptEditor(name, value, { languages, required, set }) {
  const items = promptItems(value);
  const box = el("div", { className: "prompt-items" });
  const testid = (i, rest) => (i === 0 && rest.startsWith("lang-") ? `prop-${name}-${rest.slice(5)}` : `prop-${name}-${i + 1}-${rest.replace(/^lang-/, "")}`);
  const mark = (node, id) => {
    node.dataset.testid = id;
    return node;
  };

  const write = () => {
    let bad = false;
    const lone = items.length === 1 && !promptsValue(items);
    box.querySelectorAll(".prompt-item").forEach((card, i) => {
      const issue = lone ? "" : itemIssue(items[i], i + 1); // one empty item: no prompt at all
      card.querySelector(".item-issue").textContent = issue;
      card.classList.toggle("invalid", Boolean(issue));
      bad ||= Boolean(issue);
    });
    if (bad) return; // nothing half-written: the last good prompt stays until the item is fixed
    const out = promptsValue(items);
    set(out === undefined && required ? { tts: "" } : out);
  };

  const render = () => {
    box.replaceChildren();
    if (items.length === 0) items.push({}); // always an item to type into
    items.forEach((item, i) => box.append(card(item, i)));
    const add = mark(el("button", { type: "button", className: "small", textContent: `+ ${t("Add an item")}` }), `prop-${name}-add`);
    add.addEventListener("click", () => {
      items.push({});
      render();
      write();
    });
    box.append(add);
  };

  const move = (i, by) => {
    const [item] = items.splice(i, 1);
    items.splice(i + by, 0, item);
    render();
    write();
  };

  function card(item, i) {
    const pinned = item.language ?? "";
    const head = el("div", { className: "item-head" }, el("strong", { textContent: t("Item %(n)s", { n: i + 1 }) }));
    const pin = mark(el("select", { title: t("Play this item to callers of one language only") }, el("option", { value: "", textContent: t("Every language") })), testid(i, "language"));
    for (const language of new Set([...languages, ...(pinned ? [pinned] : [])])) pin.append(el("option", { value: language, textContent: t("Only %(language)s", { language }) }));
    pin.value = pinned;
    pin.addEventListener("change", () => {
      const texts = typeof item.tts === "object" && item.tts ? item.tts : {};
      if (pin.value) {
        item.language = pin.value;
        item.tts = typeof item.tts === "string" ? item.tts : texts[pin.value] ?? Object.values(texts).find(Boolean) ?? "";
      } else {
        delete item.language;
        if (typeof item.tts === "string") item.tts = item.tts ? { [pinned || languages[0]]: item.tts } : {};
      }
      render();
      write();
    });
    const buttons = [
      ["up", "↑", t("Move up"), i > 0, () => move(i, -1)],
      ["down", "↓", t("Move down"), i < items.length - 1, () => move(i, 1)],
      ["remove", "✕", t("Remove the item"), true, () => {
        items.splice(i, 1);
        render();
        write();
      }],
    ];
    for (const [key, text, label, enabled, action] of buttons) {
      const button = mark(el("button", { type: "button", className: "small", textContent: text, title: label, disabled: !enabled }), testid(i, key));
      button.setAttribute("aria-label", label);
      button.addEventListener("click", action);
      head.append(button);
    }
    head.insertBefore(pin, head.children[1]);

    const body = el("div", { className: "prompt-langs" });
    if (pinned) {
      const area = mark(el("textarea", { rows: 2, value: typeof item.tts === "string" ? item.tts : "" }), testid(i, "tts"));
      area.addEventListener("change", () => {
        item.tts = area.value;
        write();
      });
      body.append(el("span", { className: "lang", textContent: `${t("Text")} (${pinned})` }), area);
    } else {
      // A text without a language is the flow's first language until it is edited.
      const texts = typeof item.tts === "string" ? { [languages[0] ?? ""]: item.tts } : item.tts ?? {};
      for (const language of new Set([...languages, ...Object.keys(texts)])) {
        const area = mark(el("textarea", { rows: 2, value: texts[language] ?? "" }), testid(i, `lang-${language}`));
        area.dataset.language = language;
        area.addEventListener("change", () => {
          const tts = {};
          for (const a of body.querySelectorAll("textarea[data-language]")) if (a.value.trim()) tts[a.dataset.language] = a.value;
          item.tts = tts;
          write();
        });
        body.append(el("span", { className: "lang", textContent: language }), area);
      }
    }
    const file = mark(el("input", { value: item.file ?? "", placeholder: "prompts/welcome.wav" }), testid(i, "file"));
    file.addEventListener("change", () => {
      item.file = file.value.trim();
      write();
    });
    body.append(el("span", { className: "lang", textContent: t("Recording for every language") }), file);
    for (const language of new Set([...languages, ...Object.keys(item.files ?? {})])) {
      const one = mark(el("input", { value: item.files?.[language] ?? "" }), testid(i, `file-${language}`));
      one.addEventListener("change", () => {
        const files = { ...(item.files ?? {}) };
        if (one.value.trim()) files[language] = one.value.trim();
        else delete files[language];
        item.files = files;
        write();
      });
      body.append(el("span", { className: "lang", textContent: t("Recording (%(language)s)", { language }) }), one);
    }
    const issue = el("p", { className: "field-issue item-issue", role: "alert" });
    issue.dataset.testid = testid(i, "issue");
    const node = el("fieldset", { className: "prompt-item" }, head, body, issue);
    node.dataset.testid = testid(i, "item");
    return node;
  }

  render();
  return box;
}
