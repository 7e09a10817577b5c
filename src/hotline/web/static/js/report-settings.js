// The report settings screen (issue 16): how the tenant's figures count (short abandons, the
// FCR window, the VIP threshold, the lowest satisfied rating), the targets of the center and
// of each queue, and who receives which report by e-mail. The server checks every value and
// answers in the user's language; rates are typed in percent here and sent as fractions.
import { del, get, put, post } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { Names, el, errorText, show, when } from "./interaction-format.js";

const RATES = ["answer_rate", "service_level", "fcr", "csat", "vip_service_level"];
const TARGET_COLUMNS = ["answer_rate", "service_level", "asa_s", "fcr", "csat", "vip_service_level"];
const PERIODS = () => ({ day: t("Daily report"), week: t("Weekly report"), month: t("Monthly report") });
const DIMENSIONS = () => ({
  center: t("Center"), queue: t("Skill group"), team: t("Team"), agent: t("Agent"),
  channel: t("Channel"), vip: t("VIP level"), skill: t("Skills required"), did: t("Number"),
});
const LANGUAGES = { "zh-CN": "中文", en: "English" };

/** A target as the table shows it: rates in percent, seconds as they are. */
function targetText(name, value) {
  if (value === null || value === undefined) return "—";
  return RATES.includes(name) ? `${+(value * 100).toFixed(1)}%` : `${value}`;
}

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const root = scope.root;
  const $ = (id) => root.querySelector(`#${id}`);
  const flags = $("report-settings").dataset;
  const canConfigure = flags.canConfigure === "true";
  const canSubscribe = flags.canSubscribe === "true";
  const errorBox = $("settings-error");
  const statusBox = $("settings-status");
  const names = await new Names().load({ agents: false, queues: true, dispositions: false });

  function done(message) {
    show(errorBox, "");
    show(statusBox, message);
  }
  function fail(error) {
    show(statusBox, "");
    show(errorBox, errorText(error));
  }

  // -- how the figures count ---------------------------------------------------------------
  const counting = $("counting-form");
  async function loadCounting() {
    const got = await get("/api/v1/reports/counting");
    for (const [name, value] of Object.entries(got.counting)) counting.elements[name].value = value;
    if (!canConfigure) for (const input of counting.elements) input.disabled = true;
  }
  counting.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(
      ["short_abandon_s", "fcr_window_days", "vip_sl_threshold_s", "csat_satisfied_from"].map((n) => [n, Number(counting.elements[n].value)]),
    );
    try {
      const saved = await put("/api/v1/reports/counting", body);
      done(saved.rebuilding ? t("Saved. The figures are being counted again from the event log.") : t("Saved."));
    } catch (error) {
      fail(error);
    }
  });

  // -- targets ------------------------------------------------------------------------------
  const targetForm = $("target-form");
  async function loadTargets() {
    const got = await get("/api/v1/reports/targets");
    const row = (key, label, values) =>
      el(
        "tr",
        { dataset: { testid: "target-row", queue: key } },
        el("td", {}, label),
        ...TARGET_COLUMNS.map((n) => el("td", { dataset: { testid: `target-${n}` } }, targetText(n, values[n]))),
        el(
          "td",
          {},
          canConfigure && key
            ? el("button", { type: "button", className: "link", dataset: { testid: "target-remove" }, onclick: () => removeTargets(key) }, t("Use the center's"))
            : "",
        ),
      );
    $("target-rows").replaceChildren(
      row("", t("The whole center"), got.tenant),
      ...Object.entries(got.queues).map(([queue, values]) => row(queue, names.queue(queue), values)),
    );
    return got;
  }
  async function removeTargets(queue) {
    try {
      await del(`/api/v1/reports/targets/${encodeURIComponent(queue)}`);
      await loadTargets();
      done(t("Saved."));
    } catch (error) {
      fail(error);
    }
  }
  if (targetForm) {
    const queues = (await get("/api/v1/queues?limit=500")).items;
    targetForm.queue_id.append(...queues.map((q) => el("option", { value: q.name }, q.display_name || q.name)));
    let tenantTargets = {};
    const fill = async () => {
      const queue = targetForm.queue_id.value;
      delete targetForm.dataset.filled;
      const got = await get("/api/v1/reports/targets");
      tenantTargets = got.tenant;
      const values = got.queues[queue] || got.tenant;
      for (const n of TARGET_COLUMNS) {
        const v = values[n];
        targetForm.elements[n].value = RATES.includes(n) ? +(v * 100).toFixed(1) : v;
      }
      targetForm.dataset.filled = queue || "center";
    };
    targetForm.queue_id.addEventListener("change", () => fill().catch(fail));
    await fill();
    targetForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const queue = targetForm.queue_id.value;
      const body = { queue_id: queue };
      for (const n of TARGET_COLUMNS) {
        const raw = targetForm.elements[n].value;
        if (raw === "") continue;
        const value = RATES.includes(n) ? Number(raw) / 100 : Number(raw);
        // a queue keeps only what differs from the center's: the rest follows the center
        if (queue && Math.abs(value - tenantTargets[n]) < 1e-9) continue;
        body[n] = value;
      }
      try {
        await put("/api/v1/reports/targets", body);
        await loadTargets();
        await fill();
        done(t("Saved."));
      } catch (error) {
        fail(error);
      }
    });
  }

  // -- reports by e-mail --------------------------------------------------------------------
  const subscriptionForm = $("subscription-form");
  async function loadSubscriptions() {
    const got = await get("/api/v1/reports/subscriptions");
    const at = (cron) => {
      const [minute, hour] = String(cron).split(" ");
      return `${hour.padStart(2, "0")}:${minute.padStart(2, "0")}`;
    };
    $("subscription-rows").replaceChildren(
      ...(got.items.length
        ? got.items.map((s) =>
            el(
              "tr",
              { dataset: { testid: "subscription-row", id: s.id } },
              el("td", {}, PERIODS()[s.period] || s.period),
              el("td", {}, DIMENSIONS()[s.by] || s.by),
              el("td", { dataset: { testid: "subscription-recipients" } }, (s.to || []).join(", ")),
              el("td", {}, at(s.cron)),
              el("td", {}, LANGUAGES[s.language] || s.language),
              el("td", {}, s.next_at ? when(s.next_at) : "—"),
              el("td", {}, el("button", { type: "button", className: "link", dataset: { testid: "subscription-stop" }, onclick: () => stop(s.id) }, t("Stop"))),
            ),
          )
        : [el("tr", {}, el("td", { colspan: 7, className: "muted", dataset: { testid: "no-subscriptions" } }, t("Nobody receives reports by e-mail yet.")))]),
    );
  }
  async function stop(id) {
    try {
      await del(`/api/v1/reports/subscriptions/${encodeURIComponent(id)}`);
      await loadSubscriptions();
      done(t("Saved."));
    } catch (error) {
      fail(error);
    }
  }
  if (subscriptionForm && canSubscribe) {
    const ownLanguage = () => (subscriptionForm.elements.language.value = language() === "en" ? "en" : "zh-CN");
    ownLanguage(); // the report in the subscriber's language, unless chosen otherwise
    subscriptionForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = subscriptionForm.elements;
      const body = {
        period: f.period.value,
        by: f.by.value,
        to: f.to.value.split(/[,;，；\s]+/).filter(Boolean),
        at: f.at.value,
        language: f.language.value,
      };
      try {
        await post("/api/v1/reports/subscriptions", body);
        subscriptionForm.reset();
        ownLanguage();
        await loadSubscriptions();
        done(t("Saved."));
      } catch (error) {
        fail(error);
      }
    });
  }

  try {
    await Promise.all([loadCounting(), loadTargets(), canSubscribe ? loadSubscriptions() : null]);
  } catch (error) {
    fail(error);
  }
  root.querySelector("#report-settings").dataset.ready = "true";
}
