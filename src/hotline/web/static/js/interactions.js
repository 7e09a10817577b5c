// The contacts list (search and filters, paged) and one contact's page: summary, each agent's
// segment with its own wrap-up and CSAT, the queue visits, the event timeline in words, and the
// stereo recording played in the page and downloadable.
import { get } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import {
  CHANNELS, DIRECTIONS, Names, OUTCOMES, WORK_OUTCOMES, describeEvent, duration, el, queueOf, rating, resolvedMark, show, timeOfDay, viaOf, when, zonedMidnight,
} from "./interaction-format.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const names = await new Names().load();
  const PAGE = 25;

  // The list ---------------------------------------------------------------------------------
  async function listPage() {
    const form = document.getElementById("filters");
    const rows = document.getElementById("rows");
    const listError = document.getElementById("list-error");
    const customerOptions = document.getElementById("customer-options");
    const customerIds = new Map(); // "王芳 13800138001" → id
    let offset = 0;
    let total = 0;

    for (const [id, label] of Object.entries(names.agents)) form.agent_id.append(el("option", { value: id }, label));
    for (const [id, label] of Object.entries(names.queues)) form.queue.append(el("option", { value: id }, label));
    for (const [code, label] of Object.entries(names.dispositions)) form.disposition.append(el("option", { value: code }, label));

    // The page's filters live in its URL, so a filtered list can be bookmarked and shared.
    const url = new URL(window.location.href);
    for (const name of ["since", "until", "agent_id", "queue", "disposition", "channel", "q"]) {
      if (url.searchParams.get(name)) form[name].value = url.searchParams.get(name);
    }
    const presetCustomer = url.searchParams.get("customer_id");
    if (presetCustomer) {
      const name = await names.customer(presetCustomer);
      form.customer.value = name || presetCustomer;
      customerIds.set(form.customer.value, presetCustomer);
    }

    let typing = null;
    form.customer.addEventListener("input", () => {
      clearTimeout(typing);
      const text = form.customer.value.trim();
      if (text.length < 1 || customerIds.has(text)) return;
      typing = scope.after(async () => {
        const found = await get(`/api/v1/customers?limit=10&q=${encodeURIComponent(text)}`).catch(() => ({ items: [] }));
        customerOptions.replaceChildren(
          ...found.items.map((c) => {
            const label = [c.name, ...(c.phones || []).slice(0, 1)].join(" ");
            customerIds.set(label, c.id);
            return el("option", { value: label });
          }),
        );
      }, 200);
    });

    function params() {
      const p = new URLSearchParams();
      for (const name of ["since", "until", "agent_id", "queue", "disposition", "channel", "q"]) {
        const value = form[name].value.trim();
        if (value) p.set(name, value);
      }
      const customer = form.customer.value.trim();
      if (customer) p.set("customer_id", customerIds.get(customer) || customer);
      // Days are the tenant's days; "To" is inclusive on the page, `until` exclusive in the API.
      if (p.get("since")) p.set("since", zonedMidnight(p.get("since")).toISOString());
      if (p.get("until")) {
        const next = new Date(p.get("until") + "T00:00:00Z");
        next.setUTCDate(next.getUTCDate() + 1);
        p.set("until", zonedMidnight(next.toISOString().slice(0, 10)).toISOString());
      }
      return p;
    }

    async function load() {
      const p = params();
      p.set("limit", PAGE);
      p.set("offset", offset);
      try {
        const page = await get(`/api/v1/interactions?${p}`);
        total = page.total;
        rows.replaceChildren(...page.items.map(row));
        document.getElementById("page-info").textContent = total
          ? t("%(first)s–%(last)s of %(total)s", { first: offset + 1, last: offset + page.items.length, total })
          : t("No interactions match");
        show(listError, "");
      } catch (error) {
        show(listError, error.message);
      }
    }

    function row(item) {
      const customer = el("td", { dataset: { customer: item.customer_id || "" } });
      names.customer(item.customer_id).then((name) => (customer.textContent = name));
      const link = el("a", { href: `/interactions/${encodeURIComponent(item.id)}` }, when(item.started_at));
      return el(
        "tr",
        { dataset: { id: item.id } },
        el("td", {}, link),
        el("td", {}, CHANNELS()[item.channel] || item.channel),
        el("td", {}, item.caller_number || ""),
        customer,
        el("td", {}, (item.queues && item.queues.length ? item.queues : [item.queue_id]).filter(Boolean).map((q) => names.queue(q)).join(" → ")),
        el("td", {}, (item.agents || []).map((a) => names.agent(a)).join(", ")),
        el("td", {}, item.ended_at ? OUTCOMES()[item.outcome] || item.outcome || "" : t("In progress")),
        el("td", {}, item.talk_s ? duration(item.talk_s) : "—"),
        el("td", {}, names.disposition(item.disposition)),
        el("td", {}, item.recorded ? el("a", { href: `/interactions/${encodeURIComponent(item.id)}#recordings`, title: t("Listen") }, "▶") : ""),
      );
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      offset = 0;
      const shown = params();
      for (const name of ["since", "until"]) if (form[name].value) shown.set(name, form[name].value);
      history.replaceState(null, "", `${location.pathname}${shown.toString() ? "?" + shown : ""}`);
      load();
    });
    form.addEventListener("reset", () => {
      scope.after(() => {
        offset = 0;
        history.replaceState(null, "", location.pathname);
        load();
      });
    });
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
  }

  // One interaction --------------------------------------------------------------------------
  async function detailPage(box) {
    const id = box.dataset.interaction;
    const error = document.getElementById("detail-error");
    let item;
    try {
      item = await get(`/api/v1/interactions/${encodeURIComponent(id)}`);
    } catch (e) {
      show(error, e.status === 404 ? t("This interaction does not exist or is not yours to see.") : e.message);
      return;
    }
    box.hidden = false;
    const customer = await names.customer(item.customer_id);
    const facts = [
      [t("Started"), when(item.started_at)],
      [t("Channel"), [CHANNELS()[item.channel] || item.channel, DIRECTIONS()[item.direction]].filter(Boolean).join(" · ")],
      [t("Caller"), item.caller_number || "—"],
      [t("Customer"), customer || "—", item.customer_id ? `/interactions?customer_id=${encodeURIComponent(item.customer_id)}` : null],
      [t("Number dialled"), item.did || "—"],
      [t("Queues"), (item.queues || []).map((q) => names.queue(q)).join(" → ") || "—"],
      [t("Agents"), (item.agents || []).map((a) => names.agent(a)).join(", ") || "—"],
      [t("Outcome"), item.ended_at ? OUTCOMES()[item.outcome] || item.outcome : t("In progress")],
      [t("Waited"), duration(item.wait_s)],
      [t("Talk time"), duration(item.talk_s)],
      [t("Hold time"), duration(item.hold_s)],
      [t("Resolved?"), resolvedMark(item.resolved)],
      [
        t("Satisfaction"),
        item.csat
          ? [rating(item.csat, item.csat_scale), item.csat_agent_id && t("for %(agent)s", { agent: names.agent(item.csat_agent_id) })].filter(Boolean).join(" ")
          : "—",
      ],
    ];
    document.getElementById("summary").replaceChildren(
      ...facts.flatMap(([label, value, href]) => [
        el("dt", {}, label),
        el("dd", {}, href ? el("a", { href }, value) : value),
      ]),
    );

    document.getElementById("segment-rows").replaceChildren(
      ...(item.segments.length ? item.segments.map(segmentRow) : [el("tr", {}, el("td", { colspan: 10, className: "muted" }, t("No agent answered")))]),
    );
    document.getElementById("work-rows").replaceChildren(
      ...(item.work_items.length ? item.work_items.map(workRow) : [el("tr", {}, el("td", { colspan: 8, className: "muted" }, t("Not queued")))]),
    );

    const recordings = document.getElementById("recordings");
    if (!item.recordings.length) recordings.append(el("p", { className: "muted" }, t("No recording")));
    for (const rec of item.recordings) {
      const src = `/api/v1/recordings/${encodeURIComponent(rec.id)}`;
      const audio = el("audio", { controls: true, preload: "metadata", src, dataset: { testid: "recording-audio", recording: rec.id } });
      const problem = el("p", { className: "error", hidden: true });
      audio.addEventListener("error", () => show(problem, t("This recording cannot be played (no permission, or no longer stored).")));
      const kind = rec.kind === "voicemail" ? t("Voicemail") : t("Call recording");
      const channels = rec.channels === 2 ? t("stereo") : t("mono");
      recordings.append(
        el(
          "div",
          { className: "recording" },
          el("p", {}, el("strong", {}, kind), " · ", duration(rec.duration_s), " · ", channels),
          audio,
          el("p", {}, el("a", { href: src, download: `${item.id}-${rec.kind}.wav`, dataset: { testid: "recording-download" } }, t("Download"))),
          problem,
        ),
      );
    }

    document.getElementById("timeline-rows").replaceChildren(
      ...item.timeline.map((record) => {
        const [label, details] = describeEvent(record, names);
        return el(
          "tr",
          { dataset: { type: record.type } },
          el("td", { className: "nowrap" }, timeOfDay(record.at_iso || record.at)),
          el("td", {}, label || el("code", {}, record.type)),
          el("td", {}, details.join(" · ")),
        );
      }),
    );
    if (location.hash === "#recordings") recordings.scrollIntoView();
  }

  function segmentRow(s) {
    const wrap = [s.wrap_up_s !== null && s.wrap_up_s !== undefined ? duration(s.wrap_up_s) : null, s.overrun_at && t("overran")].filter(Boolean).join(" · ");
    return el(
      "tr",
      { dataset: { agent: s.agent_id, work: s.work_id } },
      el("td", {}, names.agent(s.agent_id), ["transfer", "consult"].includes(s.ended_by) ? el("div", { className: "muted" }, t("transferred")) : null),
      el("td", {}, queueOf(s.queue_id, names)),
      el("td", { className: "nowrap" }, timeOfDay(s.answered_at)),
      el("td", {}, duration(s.talk_s)),
      el("td", {}, duration(s.hold_s)),
      el("td", { className: s.overrun_at ? "overrun" : "" }, wrap || "—"),
      el("td", { dataset: { testid: "segment-disposition" } }, names.disposition(s.disposition) || "—"),
      el("td", { dataset: { testid: "segment-notes" } }, s.notes || "—"),
      el("td", { dataset: { testid: "segment-resolved" } }, resolvedMark(s.resolved)),
      el("td", { dataset: { testid: "segment-csat" } }, s.csat ? rating(s.csat, s.csat_scale) : "—"),
    );
  }

  function workRow(w) {
    const target = w.target_agent_id ? t("to %(who)s", { who: names.agent(w.target_agent_id) }) : "";
    return el(
      "tr",
      { dataset: { queue: w.queue_id || "" } },
      el("td", {}, queueOf(w.queue_id, names), target ? el("div", { className: "muted" }, target) : null),
      el("td", {}, viaOf(w)),
      el("td", { className: "nowrap" }, timeOfDay(w.entered_at || w.created_at)),
      el("td", {}, duration(w.wait_s)),
      el("td", {}, String(w.offers)),
      el("td", {}, WORK_OUTCOMES()[w.outcome] || w.outcome || t("Still waiting")),
      el("td", {}, w.agent_id ? names.agent(w.agent_id) : "—"),
      el("td", {}, w.note || ""),
    );
  }

  const detail = document.getElementById("detail");
  if (detail) await detailPage(detail);
  else await listPage();
}
