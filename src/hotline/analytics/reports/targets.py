"""Targets a report is measured against, per tenant and per queue (defaults from the
call-center manager's daily report: 接通率 ≥ 85 %, ASA ≤ 20 s, FCR ≥ 70 %, CSAT ≥ 90 %,
SL 80/20; VIP callers 80 % within 15 s)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotline.analytics.reports.errors import TargetInvalid

__all__ = ["Targets", "assess"]

_RATES = ("answer_rate", "fcr", "csat", "service_level", "vip_service_level")
_SECONDS = ("asa_s",)


@dataclass(frozen=True, slots=True)
class Targets:
    answer_rate: float = 0.85
    asa_s: float = 20.0
    fcr: float = 0.70
    csat: float = 0.90
    service_level: float = 0.80  # within the queue's own SL threshold (its routing config)
    vip_service_level: float = 0.80  # within the VIP threshold (RollupSettings, 15 s)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Targets:
        """These targets with some replaced (checked: rates in [0, 1], seconds > 0)."""
        known = {f.name for f in dataclasses.fields(self)}
        changes: dict[str, float] = {}
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in known or isinstance(value, bool) or not isinstance(value, int | float):
                raise TargetInvalid(name, value)
            number = float(value)
            if name in _RATES and not 0.0 <= number <= 1.0:
                raise TargetInvalid(name, value)
            if name in _SECONDS and not number > 0.0:
                raise TargetInvalid(name, value)
            changes[name] = number
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


def assess(figures: Mapping[str, Any], targets: Targets, *, vip: bool = False) -> dict[str, Any]:
    """Each target with its figure and whether it was met (None: nothing to measure)."""

    def at_least(value: Any, goal: float) -> bool | None:
        return None if value is None else value >= goal

    def at_most(value: Any, goal: float) -> bool | None:
        return None if value is None else value <= goal

    sl_goal = targets.vip_service_level if vip else targets.service_level
    goals = {
        "answer_rate": (targets.answer_rate, at_least),
        "asa_s": (targets.asa_s, at_most),
        "fcr": (targets.fcr, at_least),
        "csat": (targets.csat, at_least),
        "service_level": (sl_goal, at_least),
    }
    return {
        name: {"target": goal, "value": figures.get(name), "met": rule(figures.get(name), goal)}
        for name, (goal, rule) in goals.items()
    }
