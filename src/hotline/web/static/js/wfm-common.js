// What the planning page and the agent's schedule page share: errors in the user's language
// (naming the row, column or field the server blamed), day names, times in the tenant's zone,
// and a CSRF-carrying upload.
import { ApiError } from "./api.js";
import { language, t } from "./i18n.js";
import { errorText, timeZone, toDate } from "./interaction-format.js";

const PROBLEMS = () => ({
  "not a number": t("not a number"),
  "must be a number >= 0": t("must be a number ≥ 0"),
  "not a date and time (ISO 8601, e.g. 2026-03-02T09:15:00)": t("not a date and time like 2026-03-02T09:15:00"),
  "outcome must be answered, abandoned or phantom": t("must be answered, abandoned or phantom"),
  "must be true or false": t("must be true or false"),
  "the file is larger than 64 MB": t("the file is larger than 64 MB"),
  "the file is not UTF-8 text": t("the file is not UTF-8 text"),
  "no intervals in the history": t("the file has no intervals"),
});

const FIELDS = () => ({
  history: t("This queue has too little history: import interval counts first (at least a week)."),
  queue_id: t("This queue has no history before that week: import interval counts first."),
  templates: t("Add a shift template first."),
  name: t("A template with this name exists."),
  team_id: t("The team has no agents."),
  other_day: t("That swap is not possible on that day."),
  agents: t("No schedule satisfies the agents' contracts."),
  file: t("The file has no intervals."),
});

export function wfmError(error) {
  if (!(error instanceof ApiError)) return t("The action failed (%(code)s).", { code: "network" });
  const d = error.details || {};
  if (error.code === "wfm.history.invalid") {
    if (d.column && d.column.includes(",")) {
      return t("The header must have interval_start and offered, or arrived_at (found: %(columns)s).", { columns: d.column });
    }
    const problem = PROBLEMS()[d.problem] || d.problem;
    if (!d.row) return t("The file cannot be read: %(problem)s.", { problem });
    return t("Row %(row)s, column %(column)s, value “%(value)s”: %(problem)s.", { row: d.row, column: d.column, value: d.value, problem });
  }
  if (error.code === "wfm.input.invalid" && FIELDS()[d.field]) return FIELDS()[d.field];
  if (error.code === "wfm.request.not_pending") return t("The request was already decided.");
  if (error.code === "wfm.shift.not_yours") return t("You can only offer a shift of your own.");
  if (error.code === "wfm.not_found" || error.code === "wfm.schedule.not_found") return t("Not found.");
  // Anything else the server said in the user's language, naming the fields as the forms do.
  return errorText(error);
}

/** "周一 3月2日" / "Mon, Mar 2" for an ISO date (a calendar date, no zone to shift it). */
export function dayLabel(isoDate) {
  const d = new Date(isoDate + "T12:00:00Z");
  return d.toLocaleDateString(language(), { weekday: "short", month: "numeric", day: "numeric", timeZone: "UTC" });
}

/** 09:30 in the tenant's zone. */
export function hm(value) {
  const d = toDate(value);
  return d ? d.toLocaleTimeString(language(), { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: timeZone() }) : "";
}

/** The tenant-zone calendar date (YYYY-MM-DD) of an instant. */
export function localDate(value) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: timeZone(), year: "numeric", month: "2-digit", day: "2-digit" }).format(toDate(value));
  return parts;
}

export function activityName(activity) {
  return { work: t("Work"), break: t("Break"), lunch: t("Lunch") }[activity] || activity;
}

export function statusName(status) {
  return { pending: t("Awaiting approval"), approved: t("Approved"), rejected: t("Rejected"), draft: t("Draft"), published: t("Published (visible to agents)") }[status] || status;
}

export function kindName(kind) {
  return { time_off: t("Time off"), swap: t("Shift swap") }[kind] || kind;
}

/** A calendar day as a UTC midnight: a Date's own local day, or (none given) today in the
 *  tenant's time zone — not the browser's, which may be a day away. */
function dayOf(from) {
  if (from) return new Date(Date.UTC(from.getFullYear(), from.getMonth(), from.getDate()));
  return new Date(localDate(new Date()) + "T00:00:00Z");
}

/** The Monday on or after today (the tenant's), as YYYY-MM-DD. */
export function nextMonday(from = null) {
  const d = dayOf(from);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  return d.toISOString().slice(0, 10);
}

export function addDays(isoDate, days) {
  const d = new Date(isoDate + "T12:00:00Z");
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export async function upload(path, form) {
  const response = await fetch(path, {
    method: "POST",
    body: form,
    headers: { Accept: "application/json", "X-CSRF-Token": document.body.dataset.csrf || "" },
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** The Monday of the week `from` (else today, the tenant's) falls in, as YYYY-MM-DD. */
export function mondayOf(from = null) {
  const d = dayOf(from);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}
