// The ticket page's files and watchers (工单附件与关注人): upload within the center's size and
// type limits (checked here first, and by the server, which has the last word), download,
// add and remove watchers. Refusals are said in the page's language, naming what is wrong.
import { del, put } from "./api.js";
import { t } from "./i18n.js";
import { el, show, when } from "./interaction-format.js";
import { upload } from "./imports-common.js";
import { ticketError } from "./ticket-format.js";

const TYPE_NAMES = () => ({
  "image/png": t("PNG image"),
  "image/jpeg": t("JPEG image"),
  "application/pdf": t("PDF document"),
  "text/plain": t("text file"),
  "image/gif": t("GIF image"),
  "text/csv": t("CSV file"),
  "audio/wav": t("WAV audio"),
  "audio/x-wav": t("WAV audio"),
  "application/zip": t("ZIP archive"),
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": t("Excel workbook"),
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": t("Word document"),
});

export function sizeText(bytes) {
  if (bytes >= 1 << 20) return t("%(n)s MB", { n: Math.round((bytes / (1 << 20)) * 10) / 10 });
  if (bytes >= 1 << 10) return t("%(n)s KB", { n: Math.round(bytes / (1 << 10)) });
  return t("%(n)s bytes", { n: bytes });
}

/** Why a chosen file cannot be attached, or "" when it can (the server checks again). */
export function refusal(file, limits) {
  if (!file) return t("Choose a file to attach.");
  if (file.size === 0) return t("The file is empty.");
  if (file.size > limits.max_bytes) {
    return t("“%(name)s” is %(size)s; attachments may be at most %(max)s.", { name: file.name, size: sizeText(file.size), max: sizeText(limits.max_bytes) });
  }
  const kind = (file.type || "").toLowerCase();
  if (!limits.types.includes(kind)) return t("“%(name)s” cannot be attached: only %(types)s.", { name: file.name, types: typeList(limits) });
  return "";
}

function typeList(limits) {
  const names = TYPE_NAMES();
  return [...new Set(limits.types.map((kind) => names[kind] || kind))].join(t(", "));
}

export class TicketParts {
  constructor({ $, ticketId, canWrite, me, names, reload, status }) {
    Object.assign(this, { $, ticketId, canWrite, me, names, reload, status });
    this.ticket = null;
    this.attachForm = $("attach-form");
    this.watchForm = $("watch-form");
    this.attachForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.attach();
    });
    this.attachForm.file.addEventListener("change", () => this.chosen());
    this.watchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.watch(this.watchForm.user_id.value, true);
    });
  }

  chosen() {
    const file = this.attachForm.file.files[0];
    this.$("attach-name").textContent = file ? `${file.name} · ${sizeText(file.size)}` : t("No file chosen");
  }

  get base() {
    return `/api/v1/tickets/${encodeURIComponent(this.ticketId)}`;
  }

  render(ticket) {
    this.ticket = ticket;
    this.renderAttachments();
    this.renderWatchers();
  }

  renderAttachments() {
    const { $, ticket } = this;
    const files = ticket.attachments || [];
    $("attachments").replaceChildren(...files.map((a) => el("li", { dataset: { testid: "attachment" } },
      el("a", { href: `${this.base}/attachments/${encodeURIComponent(a.id)}`, download: a.name }, a.name),
      " · ", sizeText(a.size), " · ", when(a.created_at),
      a.uploaded_by ? ` · ${this.names.person(a.uploaded_by)}` : "")));
    if (!files.length) $("attachments").append(el("li", { className: "muted" }, t("No files are attached.")));
    this.attachForm.hidden = !this.canWrite;
    const limits = ticket.attachment_limits;
    $("attach-limits").textContent = limits ? t("At most %(max)s per file: %(types)s.", { max: sizeText(limits.max_bytes), types: typeList(limits) }) : "";
    $("attach-limits").hidden = !this.canWrite;
  }

  renderWatchers() {
    const { $, ticket, names } = this;
    const watching = ticket.watchers || [];
    $("watchers").replaceChildren(...watching.map((userId) => {
      const item = el("li", { dataset: { testid: "watcher", user: userId } }, names.person(userId) + (userId === this.me ? ` (${t("me")})` : ""));
      if (this.canWrite) {
        const remove = el("button", { type: "button", className: "link", dataset: { testid: "watcher-remove" }, title: t("Stop watching") }, t("Remove"));
        remove.addEventListener("click", () => this.watch(userId, false));
        item.append(" ", remove);
      }
      return item;
    }));
    if (!watching.length) $("watchers").append(el("li", { className: "muted" }, t("Nobody watches this ticket.")));
    this.watchForm.hidden = !this.canWrite;
    if (!this.canWrite) return;
    const select = this.watchForm.user_id;
    const others = Object.keys(names.people).filter((id) => !watching.includes(id));
    others.sort((a, b) => (a === this.me ? -1 : b === this.me ? 1 : names.person(a).localeCompare(names.person(b))));
    select.replaceChildren(el("option", { value: "" }, t("Choose…")),
      ...others.map((id) => el("option", { value: id }, names.person(id) + (id === this.me ? ` (${t("me")})` : ""))));
  }

  async attach() {
    const file = this.attachForm.file.files[0];
    const problem = refusal(file, this.ticket.attachment_limits);
    if (problem) {
      show(this.$("attach-error"), problem);
      return;
    }
    const button = this.attachForm.querySelector("[type=submit]");
    button.disabled = true;
    try {
      await upload("POST", `${this.base}/attachments`, file);
    } catch (error) {
      show(this.$("attach-error"), ticketError(error));
      return;
    } finally {
      button.disabled = false;
    }
    show(this.$("attach-error"), "");
    this.attachForm.reset();
    this.chosen();
    this.status(t("“%(name)s” is attached.", { name: file.name }));
    await this.reload();
  }

  async watch(userId, on) {
    if (on && !userId) {
      show(this.$("watch-error"), t("Choose a colleague to add."));
      return;
    }
    try {
      const path = `${this.base}/watchers/${encodeURIComponent(userId)}`;
      if (on) await put(path);
      else await del(path);
    } catch (error) {
      show(this.$("watch-error"), ticketError(error));
      return;
    }
    show(this.$("watch-error"), "");
    const who = this.names.person(userId);
    this.status(on ? t("%(who)s watches the ticket now.", { who }) : t("%(who)s no longer watches the ticket.", { who }));
    await this.reload();
  }
}
