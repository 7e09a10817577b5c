// What the imports list and the import page share: uploads (multipart with the CSRF header),
// status and phase words, counts, and the errors of imports in the page's language.
import { ApiError } from "./api.js";
import { t } from "./i18n.js";

/** POST or PUT a file as multipart form data; JSON back, errors as ApiError. */
export async function upload(method, path, file, fields = {}) {
  const body = new FormData();
  body.append("file", file);
  for (const [key, value] of Object.entries(fields)) body.append(key, value);
  const response = await fetch(path, {
    method,
    body,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRF-Token": document.body.dataset.csrf || "" },
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const STATUS = () => ({
  uploaded: t("Ready for a dry run"),
  checking: t("Dry run…"),
  checked: t("Checked (nothing written)"),
  importing: t("Importing…"),
  done: t("Imported"),
  failed: t("Stopped"),
  cancelled: t("Cancelled"),
});

export const PHASES = () => ({
  reading: t("Reading and cleaning the file"),
  matching: t("Comparing with the stored records"),
  writing: t("Writing"),
});

export const COUNTS = () => [
  ["rows", t("Rows")],
  ["new", t("Added")],
  ["updated", t("Updated")],
  ["merged", t("Merged")],
  ["unchanged", t("Unchanged")],
  ["skipped", t("Skipped")],
  ["duplicates", t("Duplicates in the file")],
  ["invalid", t("Invalid rows")],
];

/** The result in a few words: 新增 120 · 合并 3 · 无效行 2 */
export function summary(counts) {
  if (!counts) return "";
  return COUNTS()
    .filter(([key]) => key !== "rows" && counts[key])
    .map(([key, label]) => `${label} ${counts[key].toLocaleString()}`)
    .join(" · ");
}

/** An import's stop reason or an API error, in the page's language. */
export function importError(code, message, details = {}, fieldLabel = null) {
  const known = {
    "import.invalid_rows": t("Some rows are invalid and “import all rows or nothing” was chosen: nothing was written. Fix them, or import only the valid rows."),
    "import.cancelled": t("Cancelled: nothing of this run was written."),
    "import.interrupted": t("The run was interrupted (the server stopped); nothing of it was written. Start it again."),
    "import.file.encoding": t("The file is not in this encoding: choose the file's encoding."),
    "import.file.sheet": t("There is no such sheet in the workbook."),
    "import.file.xls": t("This is an old .xls workbook: save it as .xlsx or CSV and upload that."),
    "import.file.empty": t("The file is empty."),
    "import.file.too_large": t("The file is too large."),
    "import.file.unreadable": t("The file cannot be read as CSV or Excel (.xlsx)."),
    "import.mapping.required": t("A required field has no column: map a column to it."),
    "import.mapping.twice": t("This field takes one column only."),
    "import.mapping.invalid": t("This mapping does not fit the file."),
    "import.mapping.not_found": t("There is no saved mapping with this name."),
    "import.state": t("This cannot be done while the import is in this state."),
    internal: t("Something went wrong; see the server log."),
  };
  // A mapping's error names the field as the mapping step shows it (`fieldLabel`: field → label).
  const field = details.value && fieldLabel ? fieldLabel(details.value) : null;
  if (field && code === "import.mapping.required") return t("%(field)s is required: map a column to it.", { field });
  if (field && code === "import.mapping.twice") return t("%(field)s takes one column only: map it from one column.", { field });
  const text = known[code];
  if (!text) return message || t("The action failed.");
  if (code === "import.file.encoding" && details.row) return t("Line %(row)s: %(text)s", { row: details.row, text });
  return text;
}

export function apiErrorText(error, fieldLabel = null) {
  if (error instanceof ApiError) return importError(error.code, error.message, error.details, fieldLabel);
  return String(error?.message || error);
}
