"""The acceptance simulation, scaled down for the suite (one day, 12 agents, six hours; the
week with 20 agents is `bench/dialer.py`): the real pacer against virtual callees keeps the
abandon rate under 3 % in every 24-hour window, every abandoned person hears the safe-harbor
message within 2 s, and agents talk more of their time than with progressive dialing."""

from __future__ import annotations

from hotline.dialer.pacing import PacerSettings, PacingMode
from hotline.dialer.simulation import Staffing, simulate

STAFF = Staffing(agents=12, start_hour=9.0, end_hour=15.0)


def test_predictive_keeps_the_cap_and_beats_progressive() -> None:
    predictive = simulate(PacerSettings(), days=1, staffing=STAFF, seed=7)
    progressive = simulate(
        PacerSettings(mode=PacingMode.PROGRESSIVE), days=1, staffing=STAFF, seed=7
    )
    total = predictive.total()
    assert total.answered > 500
    assert total.abandoned > 0  # it did pace beyond the free agents
    assert predictive.worst_window() <= 0.03
    assert max(predictive.safe_harbor_delays) <= 2.0
    assert progressive.total().abandoned == 0
    assert total.talk_occupancy > progressive.total().talk_occupancy * 1.05
