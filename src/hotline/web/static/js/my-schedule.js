// An agent's own week: the published shifts with their breaks (nobody else's: the API gives
// each agent only her own), time-off requests, swap offers, and what became of them.
import { get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { el, show } from "./interaction-format.js";
import { activityName, addDays, dayLabel, hm, kindName, localDate, mondayOf, statusName, wfmError } from "./wfm-common.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const $ = (id) => document.getElementById(id);
  const errorBox = $("my-error");
  const statusBox = $("my-status");
  const week = $("week");
  const me = (await get("/api/v1/auth/me")).agent_id;

  function fail(error) {
    show(errorBox, wfmError(error));
    show(statusBox, "");
  }

  async function loadWeek() {
    const monday = mondayOf(new Date(week.value + "T12:00:00"));
    week.value = monday;
    const shifts = (await get(`/api/v1/wfm/my-schedule?week_start=${monday}`)).items;
    $("shift-rows").replaceChildren(
      ...(shifts.length
        ? shifts.map((s) =>
            el(
              "tr",
              { dataset: { testid: "my-shift", agent: s.agent_id } },
              el("td", {}, dayLabel(localDate(s.start_at))),
              el("td", {}, `${hm(s.start_at)}–${hm(s.end_at)}`),
              el("td", {}, s.activities.filter((a) => a.activity !== "work").map((a) => `${activityName(a.activity)} ${hm(a.start_at)}–${hm(a.end_at)}`).join(" · ")),
            ),
          )
        : [el("tr", {}, el("td", { colspan: 3, className: "muted", dataset: { testid: "no-shifts" } }, t("No published shifts this week.")))]),
    );
    $("swap-shift").replaceChildren(...shifts.map((s) => el("option", { value: s.id }, `${dayLabel(localDate(s.start_at))} ${hm(s.start_at)}–${hm(s.end_at)}`)));
  }

  async function loadRequests() {
    const rows = (await get("/api/v1/wfm/requests/mine")).items;
    $("request-rows").replaceChildren(
      ...rows.map((r) =>
        el(
          "tr",
          {},
          el("td", {}, kindName(r.kind)),
          el("td", {}, r.kind === "time_off" ? `${localDate(r.starts_at)} ${hm(r.starts_at)} – ${localDate(r.ends_at)} ${hm(r.ends_at)}` : t("with %(name)s", { name: r.agent_id === me ? r.other_agent_name : r.agent_name })),
          el("td", {}, r.note),
          el("td", { dataset: { testid: "request-status" } }, statusName(r.status)),
        ),
      ),
    );
  }

  async function loadColleagues() {
    const agents = (await get("/api/v1/agents?limit=500")).items.filter((a) => a.id !== me);
    $("swap-agent").replaceChildren(...agents.map((a) => el("option", { value: a.id }, a.display_name || a.username)));
  }

  async function send(body, form) {
    try {
      await post("/api/v1/wfm/requests", body);
      form.reset();
      show(statusBox, t("Request sent; your supervisor decides."));
      show(errorBox, "");
      await loadRequests();
    } catch (error) {
      fail(error);
    }
  }

  $("time-off-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = new FormData(event.target);
    send({ kind: "time_off", starts_at: f.get("starts_at"), ends_at: f.get("ends_at"), note: f.get("note") || "" }, event.target);
  });

  $("swap-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = new FormData(event.target);
    send({ kind: "swap", shift_id: f.get("shift_id"), other_agent_id: f.get("other_agent_id"), other_day: f.get("other_day") }, event.target);
  });

  week.addEventListener("change", () => loadWeek().catch(fail));
  $("prev-week").addEventListener("click", () => { week.value = addDays(week.value, -7); loadWeek().catch(fail); });
  $("next-week").addEventListener("click", () => { week.value = addDays(week.value, 7); loadWeek().catch(fail); });

  week.value = new URLSearchParams(location.search).get("week") || mondayOf();
  await Promise.all([loadWeek(), loadRequests(), loadColleagues()]).catch(fail);
}
