// The missed-calls worklist: callers who hung up in the queue, voicemails, callbacks that did
// not connect. One click calls the customer back from the agent's desk (POST /desk/dial); "mark
// handled" takes the contact off the list for everyone.
import { get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { Names, duration, el, errorText, show, when } from "./interaction-format.js";

await loadCatalog();
const names = await new Names().load({ dispositions: false });
const table = document.querySelector("[data-testid=missed]");
const rows = document.getElementById("rows");
const listError = document.getElementById("list-error");
const status = document.getElementById("list-status");
const canCall = table.dataset.canCall === "true";
const canWrapUp = table.dataset.canWrapUp === "true";
const PAGE = 25;
let offset = 0;
let total = 0;

function kind(item) {
  if (item.voicemail) return t("Voicemail");
  if (item.outcome === "callback_failed") return t("Callback failed");
  return t("Abandoned in queue");
}

async function voicemailPlayer(item, cell) {
  try {
    const detail = await get(`/api/v1/interactions/${encodeURIComponent(item.id)}`);
    const message = detail.recordings.find((r) => r.kind === "voicemail");
    if (message) {
      cell.append(el("audio", { controls: true, preload: "none", src: `/api/v1/recordings/${encodeURIComponent(message.id)}` }));
    }
  } catch (error) {
    console.warn("voicemail", error);
  }
}

async function callBack(item, button) {
  button.disabled = true;
  try {
    await post("/api/v1/desk/dial", { number: item.caller_number });
    show(status, t("Calling %(number)s back: your phone rings first.", { number: item.caller_number }));
    show(listError, "");
  } catch (error) {
    show(listError, errorText(error));
    show(status, "");
  } finally {
    button.disabled = false;
  }
}

async function markHandled(item) {
  try {
    await post(`/api/v1/interactions/${encodeURIComponent(item.id)}/followed-up`, {});
    show(status, t("Marked handled."));
    await load();
  } catch (error) {
    show(listError, errorText(error));
  }
}

function row(item) {
  const customer = el("td");
  names.customer(item.customer_id).then((name) => (customer.textContent = name));
  const voicemail = el("td");
  if (item.voicemail) voicemailPlayer(item, voicemail);
  const actions = el("td", { className: "row-actions" });
  if (canCall && item.caller_number) {
    const call = el("button", { type: "button", className: "primary small", dataset: { testid: "call-back" } }, t("Call back"));
    call.addEventListener("click", () => callBack(item, call));
    actions.append(call);
  }
  if (canWrapUp) {
    const done = el("button", { type: "button", className: "link", dataset: { testid: "mark-handled" } }, t("Mark handled"));
    done.addEventListener("click", () => markHandled(item));
    actions.append(done);
  }
  return el(
    "tr",
    { dataset: { id: item.id } },
    el("td", {}, el("a", { href: `/interactions/${encodeURIComponent(item.id)}` }, when(item.started_at))),
    el("td", {}, kind(item)),
    el("td", {}, item.caller_number || t("Unknown number")),
    customer,
    el("td", {}, names.queue(item.queue_id)),
    el("td", {}, duration(item.wait_s)),
    voicemail,
    actions,
  );
}

async function load() {
  try {
    const page = await get(`/api/v1/interactions/missed?limit=${PAGE}&offset=${offset}`);
    total = page.total;
    rows.replaceChildren(...page.items.map(row));
    document.getElementById("page-info").textContent = total
      ? t("%(first)s–%(last)s of %(total)s", { first: offset + 1, last: offset + page.items.length, total })
      : t("No missed calls. Well done!");
    show(listError, "");
  } catch (error) {
    show(listError, errorText(error));
  }
}

document.getElementById("refresh").addEventListener("click", load);
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
await load();
