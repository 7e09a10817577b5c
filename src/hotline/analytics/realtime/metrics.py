"""The GLOSSARY's metric definitions, computed from a period's counts.

Each function quotes the definition it implements. The reports use the same functions over
the same events, so the wallboard and the daily report never disagree about a definition.
"""

from __future__ import annotations

from hotline.analytics.realtime.figures import Period
from hotline.analytics.realtime.tally import Count, Tally

__all__ = [
    "abandon_rate",
    "answer_rate",
    "average_handle_time_s",
    "average_speed_of_answer_s",
    "csat",
    "period",
    "ratio",
    "service_level",
    "transfer_rate",
]

RATIO_PLACES = 4
SECONDS_PLACES = 1


def ratio(numerator: int, denominator: int) -> float | None:
    """A fraction rounded for display; `None` when nothing was counted (shown as "—")."""
    if denominator <= 0:
        return None
    return round(numerator / denominator, RATIO_PLACES)


def _mean_s(total_ms: int, count: int) -> float | None:
    if count <= 0:
        return None
    return round(total_ms / count / 1000.0, SECONDS_PLACES)


def service_level(t: Tally) -> float | None:
    """服务水平: answered within T / (answered + abandoned after T), short abandons excluded.

    T is the threshold each answer or abandon carried when it happened; callbacks count when
    their callback is answered, with the wait measured from when they first entered the queue.
    """
    return ratio(t[Count.ANSWERED_IN_SL], t[Count.ANSWERED] + t[Count.ABANDONED_AFTER_SL])


def average_speed_of_answer_s(t: Tally) -> float | None:
    """平均应答速度 (ASA): mean wait (queue entry → answer) of answered contacts."""
    return _mean_s(t[Count.ANSWER_WAIT_MS], t[Count.ANSWERED])


def abandon_rate(t: Tally) -> float | None:
    """放弃率: (abandoned − short abandoned) / (offered − short abandoned)."""
    short = t[Count.SHORT_ABANDONED]
    return ratio(t[Count.ABANDONED] - short, t[Count.OFFERED] - short)


def answer_rate(t: Tally) -> float | None:
    """接通率: answered / (offered − short abandoned)."""
    return ratio(t[Count.ANSWERED], t[Count.OFFERED] - t[Count.SHORT_ABANDONED])


def average_handle_time_s(t: Tally) -> float | None:
    """平均处理时长 (AHT): talk + hold + wrap-up, per answered contact whose handling finished."""
    return _mean_s(t[Count.HANDLE_MS], t[Count.COMPLETED])


def csat(t: Tally) -> float | None:
    """客户满意度: satisfied answers / all survey answers."""
    return ratio(t[Count.CSAT_SATISFIED], t[Count.CSAT_ANSWERS])


def transfer_rate(t: Tally) -> float | None:
    """转接率: transferred / answered."""
    return ratio(t[Count.TRANSFERRED], t[Count.ANSWERED])


def period(t: Tally, *, transfers: bool) -> Period:
    """All figures of one period; transfer figures are `None` until transfers are tracked."""
    return Period(
        offered=t[Count.OFFERED],
        rejected=t[Count.REJECTED],
        answered=t[Count.ANSWERED],
        answered_in_sl=t[Count.ANSWERED_IN_SL],
        abandoned=t[Count.ABANDONED],
        short_abandoned=t[Count.SHORT_ABANDONED],
        abandoned_after_sl=t[Count.ABANDONED_AFTER_SL],
        callbacks=t[Count.CALLBACKS],
        callbacks_failed=t[Count.CALLBACKS_FAILED],
        exited=t[Count.EXITED],
        completed=t[Count.COMPLETED],
        service_level=service_level(t),
        asa_s=average_speed_of_answer_s(t),
        abandon_rate=abandon_rate(t),
        answer_rate=answer_rate(t),
        aht_s=average_handle_time_s(t),
        csat=csat(t),
        csat_answers=t[Count.CSAT_ANSWERS],
        transferred=t[Count.TRANSFERRED] if transfers else None,
        transfer_rate=transfer_rate(t) if transfers else None,
    )
