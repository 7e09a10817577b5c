"""A tenant's counting rules (ADR 0173): how the facts count what the log says — the
short-abandon threshold, the FCR window, the VIP service-level threshold and the lowest
satisfied rating on the 1–5 survey. Each has the GLOSSARY's default; a tenant may set its own,
checked here. Changing one changes the facts, so the store rolls the tenant's log up again."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotline.analytics.reports.errors import CountingInvalid
from hotline.analytics.reports.rollup import RollupSettings

__all__ = ["COUNTING_ENTITY", "COUNTING_LIMITS", "Counting"]

# The `config.changed` entity announced when a tenant's rules change: followers of the log
# that count with them (the wallboard, ADR 0176) take them up without a restart.
COUNTING_ENTITY = "report_counting"

# name → (lowest, highest, whole number): what a tenant may set
COUNTING_LIMITS: dict[str, tuple[float, float, bool]] = {
    "short_abandon_s": (0.0, 60.0, False),
    "fcr_window_days": (1, 30, True),
    "vip_sl_threshold_s": (1.0, 600.0, False),
    "csat_satisfied_from": (1, 5, True),  # on the 1–5 survey
}


@dataclass(frozen=True, slots=True)
class Counting:
    short_abandon_s: float = 5.0
    fcr_window_days: int = 7
    vip_sl_threshold_s: float = 15.0
    csat_satisfied_from: int = 4

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> Counting:
        """The rules with a tenant's own values (checked); unknown or empty values refused."""
        values: dict[str, Any] = {}
        for name, value in stored.items():
            if name not in COUNTING_LIMITS:
                raise CountingInvalid(name, value)
            low, high, whole = COUNTING_LIMITS[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CountingInvalid(name, value)
            number = float(value)
            if not math.isfinite(number) or not low <= number <= high:
                raise CountingInvalid(name, value)
            if whole and number != int(number):
                raise CountingInvalid(name, value)
            values[name] = int(number) if whole else number
        return cls(**values)

    def rollup(self) -> RollupSettings:
        """What the rollup counts with."""
        return RollupSettings(
            short_abandon_s=self.short_abandon_s,
            fcr_window_days=self.fcr_window_days,
            vip_sl_threshold_s=self.vip_sl_threshold_s,
            csat_satisfied_from={5: self.csat_satisfied_from},
        )

    def as_dict(self) -> dict[str, float | int]:
        return {
            "short_abandon_s": self.short_abandon_s,
            "fcr_window_days": self.fcr_window_days,
            "vip_sl_threshold_s": self.vip_sl_threshold_s,
            "csat_satisfied_from": self.csat_satisfied_from,
        }
