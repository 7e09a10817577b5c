// The worklist of missed contacts (GET /api/v1/worklist): callers who hung up in the queue,
// voicemails, callbacks that did not connect, for the queues I serve. Claim one to take it in
// hand (the others see who has it; of two claiming at once one wins), release it, call the
// customer back from my desk, or mark it handled for everyone.
import { get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { Names, duration, el, errorText, show, timeOfDay, when } from "./interaction-format.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const names = await new Names().load({ dispositions: false });
  const table = document.querySelector("[data-testid=missed]");
  const rows = document.getElementById("rows");
  const listError = document.getElementById("list-error");
  const status = document.getElementById("list-status");
  const queueFilter = document.getElementById("queue");
  const includeDone = document.getElementById("include-done");
  const canCall = table.dataset.canCall === "true";
  const canWrapUp = table.dataset.canWrapUp === "true";
  const me = table.dataset.me || null;
  const overseer = table.dataset.overseer === "true";
  const PAGE = 25;
  const REFRESH_MS = 15000;
  let offset = 0;
  let total = 0;

  for (const [id, label] of Object.entries(names.queues)) queueFilter.append(el("option", { value: id }, label));

  const KINDS = () => ({
    abandoned: t("Abandoned in queue"),
    voicemail: t("Voicemail"),
    callback_failed: t("Callback failed"),
  });

  /** An error of a worklist action in the page's language, naming who holds a lost claim. */
  function worklistError(error) {
    const known = {
      "worklist.claimed": () => t("%(name)s claimed this missed contact first.", { name: names.agent(error.details.agent_id) }),
      "worklist.not_claimed_by_you": () => t("You have not claimed this missed contact."),
      "worklist.done": () => t("This missed contact was already dealt with."),
      "worklist.not_an_agent": () => t("Only agents claim and call back missed contacts."),
      "worklist.no_number": () => t("This missed contact left no number to call back."),
      "desk.unavailable": () => t("The phone service is unavailable"),
      "worklist.not_found": () => t("This missed contact is not in your queues' worklist any more."),
    };
    const make = error && known[error.code];
    // The server answers in my language too: "Another agent has already claimed this missed contact."
    return make ? make() : errorText(error);
  }

  async function act(button, path, done) {
    button.disabled = true;
    let ok = "";
    let failed = "";
    try {
      ok = done(await post(path, {}));
    } catch (error) {
      failed = worklistError(error);
    }
    await load(); // what the others did meanwhile (a lost claim shows its winner)
    button.disabled = false;
    show(status, ok);
    if (failed) show(listError, failed);
  }

  function claimedBy(item) {
    if (!item.claimed_by) return el("span", { className: "muted" }, "—");
    const who = item.claimed_by === me ? t("You") : names.agent(item.claimed_by);
    return el("span", { className: "tag", dataset: { testid: "claimed-by" }, title: t("Since %(time)s", { time: timeOfDay(item.claimed_at) }) }, who);
  }

  function button(testid, label, cls, onClick) {
    const b = el("button", { type: "button", className: cls, dataset: { testid } }, label);
    b.addEventListener("click", () => onClick(b));
    return b;
  }

  function actions(item) {
    const cell = el("td", { className: "row-actions" });
    const id = encodeURIComponent(item.interaction_id);
    if (item.followed_up_at) {
      cell.append(el("span", { className: "muted" }, item.follow_up === "called_back" ? t("Called back") : t("Handled")));
      return cell;
    }
    const mine = me && item.claimed_by === me;
    const free = !item.claimed_by;
    if (canCall && free) {
      cell.append(button("claim", t("Claim"), "small", (b) => act(b, `/api/v1/worklist/${id}/claim`, () => t("Claimed: it is yours to deal with."))));
    }
    if (mine || (overseer && item.claimed_by)) {
      cell.append(button("release", t("Release"), "small", (b) => act(b, `/api/v1/worklist/${id}/release`, () => t("Released: anyone may claim it."))));
    }
    if (canCall && (free || mine) && item.caller_number) {
      cell.append(
        button("call-back", t("Call back"), "small", (b) =>
          act(b, `/api/v1/worklist/${id}/callback`, () => t("Calling %(number)s back: your phone rings first.", { number: item.caller_number })),
        ),
      );
    }
    if (canWrapUp && (free || mine || overseer)) {
      cell.append(button("mark-handled", t("Mark handled"), "link", (b) => act(b, `/api/v1/worklist/${id}/followed-up`, () => t("Marked handled."))));
    }
    return cell;
  }

  function row(item) {
    const customer = el("td");
    names.customer(item.customer_id).then((name) => (customer.textContent = name));
    const voicemail = el("td");
    if (item.recording_id) {
      voicemail.append(el("audio", { controls: true, preload: "none", src: `/api/v1/recordings/${encodeURIComponent(item.recording_id)}`, dataset: { testid: "voicemail" } }));
    }
    const callbacks = item.callbacks ? el("div", { className: "muted" }, t("%(n)s calls back", { n: item.callbacks })) : null;
    return el(
      "tr",
      { dataset: { id: item.interaction_id, claimedBy: item.claimed_by || "" } },
      el("td", {}, el("a", { href: `/interactions/${encodeURIComponent(item.interaction_id)}` }, when(item.missed_at))),
      el("td", {}, KINDS()[item.reason] || item.reason),
      el("td", {}, item.caller_number || t("Unknown number")),
      customer,
      el("td", {}, names.queue(item.queue_id) || "—"),
      el("td", {}, duration(item.wait_s)),
      voicemail,
      el("td", {}, claimedBy(item), callbacks),
      actions(item),
    );
  }

  async function load() {
    const params = new URLSearchParams({ limit: PAGE, offset });
    if (queueFilter.value) params.set("queue", queueFilter.value);
    if (includeDone.checked) params.set("include_done", "true");
    try {
      const page = await get(`/api/v1/worklist?${params}`);
      total = page.total;
      rows.replaceChildren(...page.items.map(row));
      document.getElementById("page-info").textContent = total
        ? t("%(first)s–%(last)s of %(total)s", { first: offset + 1, last: offset + page.items.length, total })
        : t("No missed calls. Well done!");
      show(listError, "");
    } catch (error) {
      show(listError, worklistError(error));
    }
  }

  document.getElementById("refresh").addEventListener("click", load);
  for (const control of [queueFilter, includeDone]) {
    control.addEventListener("change", () => {
      offset = 0;
      load();
    });
  }
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
  // Claims by others show up without a reload.
  scope.every(() => {
    if (document.visibilityState === "visible") load();
  }, REFRESH_MS);
  scope.on(document, "visibilitychange", () => {
    if (document.visibilityState === "visible") load();
  });
  await load();
}
