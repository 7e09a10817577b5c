"""The campaigns report (issue 24): each campaign's figures over a report's period, counted by
`hotline.dialer.figures` (the one definition the campaigns screen and the wallboard show) from
the dial log, and the same as lines for the CSV and XLSX downloads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hotline.reporting.tables import Translate
from hotline.store.dialer_repo import SqlDialerStore

__all__ = ["CAMPAIGN_COLUMNS", "campaign_lines", "campaign_report"]

# (key in a row's figures, header, kind); rates are shares 0–1 in the downloads as on the API
# and percentages on the printed page
CAMPAIGN_COLUMNS: Sequence[tuple[str, str, str]] = (
    ("dials", "Dials", "count"),
    ("connects", "Connects", "count"),
    ("right_party", "Right-party contacts", "count"),
    ("conversions", "Conversions", "count"),
    ("abandon_rate_period", "Abandon rate (period)", "rate"),
    ("abandon_rate_window", "Abandon rate (window)", "rate"),
    ("abandon_rate_lifetime", "Abandon rate (lifetime)", "rate"),
    ("amd_human", "AMD: human", "count"),
    ("amd_machine", "AMD: machine", "count"),
    ("amd_unsure", "AMD: unsure", "count"),
    ("machine_messages", "Messages left on machines", "count"),
    ("talk_occupancy", "Agent talk occupancy (period)", "rate"),
    ("penetration", "List penetration (at the period's end)", "rate"),
)


async def campaign_report(store: SqlDialerStore, start: float, end: float) -> list[dict[str, Any]]:
    """The campaigns that dialed in the period (start, end], by name, with its figures."""
    items = []
    for campaign in await store.campaigns():
        figures = (await store.figures(campaign, end, since=start)).as_dict()
        if figures["dials"]:
            items.append(
                {"id": campaign.id, "name": campaign.name, "mode": str(campaign.mode),
                 "status": str(campaign.status), "figures": figures}
            )  # fmt: skip
    return items


def campaign_lines(
    report: Mapping[str, Any], language: str, translate: Translate
) -> list[list[Any]]:
    """The report as lines: the period, the header, a row per campaign."""
    header = [translate(language, "Campaign")]
    header += [translate(language, label) for _, label, _kind in CAMPAIGN_COLUMNS]
    lines: list[list[Any]] = [[translate(language, "Period"), report["period"]["label"]], header]
    for item in report["items"]:
        lines.append([item["name"], *(item["figures"][key] for key, _, _kind in CAMPAIGN_COLUMNS)])
    return lines
