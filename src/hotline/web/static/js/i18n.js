// The UI catalog for scripts: the same zh-CN/en messages as the templates, as JSON.

let catalog = {};

export const language = () => document.body.dataset.lang || "zh-CN";

export async function loadCatalog() {
  const response = await fetch(`/i18n/${language()}.json`);
  catalog = response.ok ? await response.json() : {};
}

/** Translate an English message id; %(name)s placeholders are filled from params. */
export function t(message, params = {}) {
  const text = catalog[message] || message;
  return text.replace(/%\((\w+)\)s/g, (_, key) => String(params[key] ?? ""));
}
