"""Workforce management: Erlang math, forecasts, schedules (pure, numpy at most)."""

from hotline.analytics.wfm.erlang import (
    DEFAULT_SHRINKAGE,
    agents_needed,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    lines_needed,
    occupancy,
    scheduled_agents,
    service_level,
)
from hotline.analytics.wfm.erlang_a import ErlangA, erlang_a

__all__ = [
    "DEFAULT_SHRINKAGE",
    "ErlangA",
    "agents_needed",
    "average_speed_of_answer",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "lines_needed",
    "occupancy",
    "scheduled_agents",
    "service_level",
]
