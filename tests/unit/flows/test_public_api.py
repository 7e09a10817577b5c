"""The public surface of `hotline.flows` and its event types stay deliberate."""

from __future__ import annotations

import hotline.flows
from hotline.events import registered_event_types


def test_all_is_sorted_unique_and_importable() -> None:
    names = hotline.flows.__all__
    assert len(names) == len(set(names))
    assert sorted(names, key=lambda n: (n[0].islower(), n)) == names
    for name in names:
        assert getattr(hotline.flows, name) is not None


def test_flow_event_types() -> None:
    flow_types = sorted(t for t in registered_event_types() if t.startswith("flow."))
    assert flow_types == [
        "flow.activated",
        "flow.bot_handed_off",
        "flow.bot_turn",
        "flow.digits_collected",
        "flow.emergency_switched",
        "flow.ended",
        "flow.expression_failed",
        "flow.node_entered",
        "flow.prompt_spoken",
        "flow.published",
        "flow.started",
        "flow.survey_answered",
        "flow.survey_offered",
        "flow.variable_set",
    ]
