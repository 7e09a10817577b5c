// The wallboard's campaigns panel (and TV mode's): every running or paused campaign's live
// figures — the abandon rate over its window (24 h or 30 days) against its cap, and over its lifetime,
// dials, connects, right-party contacts, conversions, AMD outcomes, talk occupancy and list
// penetration (GET /api/v1/campaign-figures every 5 s, the same figures as the campaigns
// screen). Hidden for users who may not see it and while no campaign runs or is paused.
import { get } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { percent } from "./interaction-format.js";
import { windowName } from "./campaign-settings.js";

const REFRESH_MS = 5000;
const STATUSES = () => ({ running: t("Running"), paused: t("Paused"), finished: t("Finished") });

/** Mount the panel: `tv` draws TV mode's large figures (`.tv-figure`), else the board's. */
export async function mount(scope, { tv = false } = {}) {
  await loadCatalog();
  const panel = document.getElementById(tv ? "tv-campaigns" : "campaigns");
  const cards = document.getElementById(tv ? "tv-campaign-cards" : "campaign-cards");
  if (!panel || !cards) return;

  function figure(label, value, testid, tone) {
    const div = document.createElement("div");
    div.className = tv ? "tv-figure" : "figure";
    if (tone) div.classList.add(`tone-${tone}`);
    const v = document.createElement("strong");
    v.textContent = value;
    v.dataset.testid = testid;
    const l = document.createElement("span");
    l.textContent = label;
    div.append(v, l);
    return div;
  }

  function card(item) {
    const f = item.figures;
    const section = document.createElement("section");
    section.className = tv ? "tv-queue" : "queue-card";
    section.dataset.testid = "board-campaign";
    section.dataset.name = item.name;
    const head = document.createElement(tv ? "h2" : "h3");
    head.textContent = `${item.name} · ${STATUSES()[item.status] || item.status}`;
    const tone = f.abandon_over_cap ? "bad" : f.abandon_rate_window > f.abandon_cap * 0.8 ? "warn" : "ok";
    if (tv) section.classList.add(`tone-edge-${tone}`);
    const grid = document.createElement("div");
    grid.className = tv ? "tv-small" : "figures";
    grid.append(
      figure(t("Abandon rate, %(window)s (cap %(cap)s)", { window: windowName(f.abandon_window_s), cap: percent(f.abandon_cap) }),
        percent(f.abandon_rate_window), "board-campaign-abandon-window", tone),
      figure(t("Abandon rate, lifetime"), percent(f.abandon_rate_lifetime), "board-campaign-abandon-lifetime"),
      figure(t("Dials"), String(f.dials), "board-campaign-dials"),
      figure(t("Connects"), String(f.connects), "board-campaign-connects"),
      figure(t("Right-party contacts"), String(f.right_party), "board-campaign-right-party"),
      figure(t("Conversions"), String(f.conversions), "board-campaign-conversions"),
      figure(t("AMD: machine / human"), `${f.amd_machine} / ${f.amd_human}`, "board-campaign-amd"),
      figure(t("Talk occupancy"), percent(f.talk_occupancy), "board-campaign-occupancy"),
      figure(t("Penetration"), percent(f.penetration), "board-campaign-penetration"),
    );
    section.append(head, grid);
    return section;
  }

  async function refresh() {
    let items;
    try {
      items = (await get("/api/v1/campaign-figures")).items;
    } catch (error) {
      if (error.status === 403) return false; // may not see campaigns: no panel, no polling
      console.warn("campaign figures", error);
      return true;
    }
    if (scope.closed) return false;
    panel.hidden = items.length === 0;
    cards.replaceChildren(...items.map(card));
    return true;
  }

  if (await refresh()) scope.every(() => refresh().catch(() => {}), REFRESH_MS);
}
