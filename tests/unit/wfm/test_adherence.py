"""Adherence, conformance and the live check against the schedule."""

from __future__ import annotations

import pytest

from hotline.analytics.wfm.adherence import adherence, live_adherence, state_intervals


def test_adherence_and_conformance() -> None:
    plan = [("work", 0.0, 3600.0), ("break", 3600.0, 4500.0), ("work", 4500.0, 8100.0)]
    changes = [
        (600.0, "available", "logged_out", 600.0),  # 10 minutes late
        (3600.0, "not_ready", "available", 3000.0),
        (5400.0, "available", "not_ready", 1800.0),  # 15 minutes long on the break
    ]
    states = state_intervals(changes, until=8100.0)
    figures = adherence(plan, states, until=8100.0)
    assert figures.scheduled_s == 8100.0
    assert figures.adherent_s == 8100.0 - 600.0 - 900.0
    assert figures.conformance == pytest.approx((3000.0 + 2700.0) / 7200.0)
    live = live_adherence(plan, states, now=5000.0)
    assert (live.activity, live.state, live.in_adherence, live.out_since) == (
        "work",
        "not_ready",
        False,
        4500.0,
    )
    assert live_adherence(plan, states, now=6000.0).in_adherence
    assert live_adherence(plan, states, now=9000.0).activity is None
