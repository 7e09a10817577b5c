// The UI catalog for scripts: the same zh-CN/en messages as the templates, as JSON.

let catalog = {};
let loading = null; // the one fetch of this document's catalog

export const language = () => document.body.dataset.lang || "zh-CN";

/** Load the catalog of the page's language (once per document: every screen asks). */
export function loadCatalog() {
  loading = loading || fetch(`/i18n/${language()}.json`)
    .then((response) => (response.ok ? response.json() : {}))
    .catch(() => ({}))
    .then((messages) => {
      catalog = messages;
    });
  return loading;
}

/** Translate an English message id; %(name)s placeholders are filled from params. */
export function t(message, params = {}) {
  const text = catalog[message] || message;
  return text.replace(/%\((\w+)\)s/g, (_, key) => String(params[key] ?? ""));
}
