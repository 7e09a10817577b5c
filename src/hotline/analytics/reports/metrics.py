"""The reports' figures, each defined once, from summed interval facts (docs/metrics.md,
GLOSSARY). Ratios round as the wallboard's do (`analytics.realtime.metrics.ratio`); `None`
means nothing was counted (shown as "—")."""

from __future__ import annotations

from collections.abc import Sequence

from hotline.analytics.realtime.metrics import ratio
from hotline.analytics.reports.measures import MAX_MEASURES, M

__all__ = ["FIGURES", "KINDS", "Totals", "add_totals", "figures", "kind_of", "mean_s"]

Totals = Sequence[int]
"""Measures summed over a range (indexed by `M`)."""

SECONDS_PLACES = 1


def mean_s(total_ms: int, count: int) -> float | None:
    if count <= 0:
        return None
    return round(total_ms / count / 1000.0, SECONDS_PLACES)


def add_totals(into: list[int], row: Totals) -> None:
    for index, value in enumerate(row):
        if index in MAX_MEASURES:
            into[index] = max(into[index], value)
        else:
            into[index] += value


def _seconds(ms: int) -> float:
    return round(ms / 1000.0, SECONDS_PLACES)


def figures(t: Totals) -> dict[str, float | int | None]:
    """Every figure of a range, by its code name (the API's and the exports' column names)."""
    short = t[M.SHORT_ABANDONED]
    handled = t[M.HANDLED]
    working = t[M.BUSY_MS] + t[M.WRAP_UP_MS]
    return {
        "contacts": t[M.CONTACTS],
        "offered": t[M.OFFERED],
        "answered": t[M.ANSWERED],
        "abandoned": t[M.ABANDONED],
        "short_abandoned": short,
        # 接通率: answered / (offered − short abandoned)
        "answer_rate": ratio(t[M.ANSWERED], t[M.OFFERED] - short),
        # 放弃率: (abandoned − short abandoned) / (offered − short abandoned)
        "abandon_rate": ratio(t[M.ABANDONED] - short, t[M.OFFERED] - short),
        # 服务水平: answered within T / (answered + abandoned after T), short abandons excluded
        "service_level": ratio(t[M.ANSWERED_IN_SL], t[M.ANSWERED] + t[M.ABANDONED_AFTER_SL]),
        # 平均应答速度 (ASA): mean wait of answered contacts
        "asa_s": mean_s(t[M.ANSWER_WAIT_MS], t[M.ANSWERED]),
        "longest_wait_s": _seconds(t[M.LONGEST_WAIT_MS]),
        "rejected": t[M.REJECTED],
        "callbacks_requested": t[M.CALLBACKS_REQUESTED],
        "callbacks_made": t[M.CALLBACKS_MADE],
        "callbacks_failed": t[M.CALLBACKS_FAILED],
        "voicemails": t[M.VOICEMAILS],
        "handled": handled,
        # 平均处理时长 (AHT): talk + hold + after-call work, per handled segment
        "aht_s": mean_s(t[M.HANDLE_MS], handled),
        "talk_s": mean_s(t[M.TALK_MS], handled),
        "hold_s": mean_s(t[M.HOLD_MS], handled),
        "holds": t[M.HOLDS],
        "acw_s": mean_s(t[M.ACW_MS], handled),
        "acw_overruns": t[M.ACW_OVERRUNS],
        "acw_overrun_s": _seconds(t[M.ACW_OVERRUN_MS]),
        "transfers": t[M.TRANSFERS],
        # 转接率: transferred / answered
        "transfer_rate": ratio(t[M.TRANSFERS], t[M.ANSWERED]),
        "consults": t[M.CONSULTS],
        # 首次解决率: answered contacts neither transferred nor followed by the customer's
        # next contact within N days / answered contacts
        "fcr": ratio(t[M.FCR_CONTACTS] - t[M.FCR_UNRESOLVED], t[M.FCR_CONTACTS]),
        "fcr_contacts": t[M.FCR_CONTACTS],
        # 客户满意度: satisfied answers / all survey answers; and the average rating
        "csat": ratio(t[M.CSAT_SATISFIED], t[M.CSAT_ANSWERS]),
        "csat_average": round(t[M.CSAT_SCORE] / t[M.CSAT_ANSWERS], 2)
        if t[M.CSAT_ANSWERS]
        else None,
        "csat_answers": t[M.CSAT_ANSWERS],
        # 转化率: segments with a sale disposition / handled segments
        "conversion_rate": ratio(t[M.SALES], handled),
        "dispositioned": t[M.DISPOSITIONED],
        # 坐席占用率: handle time / (handle time + available idle time)
        "occupancy": ratio(working, working + t[M.AVAILABLE_MS]),
        # 坐席利用率: handle time / logged-in time
        "utilization": ratio(working, t[M.LOGIN_MS]),
        "login_s": _seconds(t[M.LOGIN_MS]),
        "available_s": _seconds(t[M.AVAILABLE_MS]),
        "not_ready_s": _seconds(t[M.NOT_READY_MS]),
    }


FIGURES: tuple[str, ...] = tuple(figures([0] * len(M)))
"""Every figure's code name, in display order."""


RATES = frozenset({"answer_rate", "abandon_rate", "service_level", "transfer_rate", "fcr", "csat",
                   "conversion_rate", "occupancy", "utilization"})  # fmt: skip


def kind_of(figure: str) -> str:
    """How a figure reads: a rate (shown as %), seconds, a count, or another number."""
    if figure in RATES:
        return "rate"
    if figure.endswith("_s"):
        return "seconds"
    return "number" if figure == "csat_average" else "count"


KINDS: dict[str, str] = {f: kind_of(f) for f in FIGURES}
"""Each figure's kind, for the pages and the PDF (one rule for both)."""
