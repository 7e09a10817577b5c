from __future__ import annotations

import dataclasses
import enum

import pytest

from hotline.errors import HotlineError, IllegalTransition, InvalidInput, Throttled
from hotline.events import DomainEvent, EventRecord, ListSink, domain_event, event_class


class Color(enum.StrEnum):
    RED = "red"


@domain_event("test.painted")
class Painted(DomainEvent):
    color: Color
    coats: tuple[int, ...] = ()


def test_domain_events_are_frozen_registered_and_serialise_their_payload() -> None:
    event = Painted(tenant_id="t1", at=5.0, interaction_id="i1", color=Color.RED, coats=(1, 2))
    assert Painted.type == "test.painted"
    assert event_class("test.painted") is Painted
    assert event.payload() == {"color": "red", "coats": [1, 2]}
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.color = Color.RED  # type: ignore[misc]


@domain_event("test.painted_again")
class PaintedAgain(Painted):
    by: str = ""


def test_a_subclass_payload_has_its_own_fields_and_its_parents() -> None:
    event = PaintedAgain(tenant_id="t", at=1.0, leg_id="l", color=Color.RED, by="ann")
    assert event.payload() == {"color": "red", "coats": [], "by": "ann"}
    assert Painted(tenant_id="t", at=1.0, color=Color.RED).payload() == {
        "color": "red",
        "coats": [],
    }


def test_a_record_row_has_the_same_values_as_its_deep_copy() -> None:
    payload = {"color": "red", "coats": [1, 2]}
    record = EventRecord("t", 7, 5.0, "test.painted", "i1", None, "a1", payload)
    assert record.row() == record.as_dict()
    assert record.row()["payload"] is payload  # the log's writer reads it as it is
    assert record.as_dict()["payload"] is not payload  # a copy the caller may change


def test_an_event_type_cannot_be_declared_twice() -> None:
    with pytest.raises(ValueError, match="declared twice"):

        @domain_event("test.painted")
        class Again(DomainEvent):
            pass


def test_list_sink_collects() -> None:
    sink = ListSink()
    sink.emit(Painted(tenant_id="t", at=1.0, color=Color.RED))
    assert sink.types() == ["test.painted"]
    assert len(sink.of_type(Painted)) == 1


def test_errors_carry_stable_codes_and_details() -> None:
    err = InvalidInput("skill 'x' is unknown", code="agent.skill.unknown", details={"field": "x"})
    assert err.code == "agent.skill.unknown"
    assert isinstance(err, HotlineError)
    assert str(err) == "skill 'x' is unknown"
    assert InvalidInput("x").code == "invalid_input"
    t = IllegalTransition("agent", "logged_out", "answer")
    assert t.details == {"machine": "agent", "state": "logged_out", "event": "answer"}
    assert Throttled("slow down", retry_after_s=3.0).details == {"retry_after_s": 3.0}
