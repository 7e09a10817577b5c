"""Version-1 records read as version 2 (ADR 0061), one test per rule, and properties that hold
for any record: the result is version 2, converting twice changes nothing, the log's order and
times are kept, no `direct` queue is left and every routing event names its work item."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hotline.events import EventRecord
from hotline.store.upcast import PERSONAL_LINE, ROUTING_TYPES, Alias, upcast, upcast_all

T = "t1"
CONTACT = "01CONTACT0000000000000000A"
CHILD = "01CONSULT0000000000000000B"
ALIAS = Alias(CONTACT, "a1")


def v1(
    type_: str,
    payload: dict[str, Any],
    *,
    interaction_id: str | None = CONTACT,
    agent_id: str | None = None,
    seq: int = 7,
) -> EventRecord:
    return EventRecord(T, seq, 1000.0 + seq, type_, interaction_id, None, agent_id, payload, v=1)


def test_a_version_2_record_comes_back_as_it_is() -> None:
    record = EventRecord(T, 1, 1.0, "queue.entered", CONTACT, None, None, {"queue_id": "direct"})
    assert upcast(record) is record
    assert upcast(record, ALIAS) is record


def test_routing_events_get_the_envelope_id_as_their_work_item() -> None:
    for type_ in sorted(ROUTING_TYPES):
        out = upcast(v1(type_, {"queue_id": "support"}, agent_id="a1"))
        assert out.payload["work_id"] == CONTACT, type_
        assert (out.v, out.type, out.agent_id) == (2, type_, "a1")


def test_a_disposition_gets_the_envelope_id_as_its_work_item() -> None:
    out = upcast(v1("interaction.dispositioned", {"disposition": "resolved"}, agent_id="a2"))
    assert out.payload == {"disposition": "resolved", "work_id": CONTACT}


def test_an_agent_state_names_the_work_only_when_work_caused_it() -> None:
    busy = upcast(v1("agent.state_changed", {"state": "busy", "queue_id": "support"}))
    assert busy.payload["work_id"] == CONTACT
    idle = upcast(v1("agent.state_changed", {"state": "available", "queue_id": None}))
    assert "work_id" not in idle.payload


def test_a_work_id_already_there_is_kept() -> None:
    out = upcast(v1("queue.answered", {"queue_id": "q", "work_id": "01WORK"}))
    assert out.payload["work_id"] == "01WORK"


def test_the_direct_queue_becomes_the_personal_line() -> None:
    out = upcast(v1("queue.offered", {"queue_id": "direct", "via_queue_id": "direct"}))
    assert (out.payload["queue_id"], out.payload["via_queue_id"]) == (PERSONAL_LINE, PERSONAL_LINE)
    ended = upcast(v1("interaction.ended", {"reason": "completed", "queue_id": "direct"}))
    assert ended.payload["queue_id"] == PERSONAL_LINE
    entered = upcast(v1("queue.entered", {"queue_id": "direct"}))
    assert entered.payload["target_agent_id"] is None
    assert entered.payload["excluded_agents"] == []


def test_a_created_contact_says_where_it_came_from() -> None:
    inbound = upcast(
        v1("interaction.created", {"direction": "inbound", "parent_interaction_id": None})
    )
    assert inbound.payload == {
        "direction": "inbound",
        "origin": "customer",
        "related_interaction_id": None,
    }
    outbound = upcast(v1("interaction.created", {"direction": "outbound"}))
    assert outbound.payload["origin"] == "click_to_dial"


def test_a_transfer_names_the_work_items_it_joins() -> None:
    blind = upcast(
        v1("interaction.transferred", {"kind": "blind", "target_kind": "queue"}, agent_id="a1")
    )
    assert (blind.payload["work_id"], blind.payload["to_work_id"]) == (CONTACT, CONTACT)
    number = upcast(v1("interaction.transferred", {"kind": "blind", "target_kind": "number"}))
    assert number.payload["to_work_id"] is None
    consult = upcast(v1("interaction.transferred", {"kind": "consult", "target_kind": "agent"}))
    assert consult.payload["to_work_id"] is None


def test_a_consultation_folds_into_its_customers_contact() -> None:
    offered = upcast(
        v1("queue.offered", {"queue_id": "direct"}, interaction_id=CHILD, agent_id="a2"), ALIAS
    )
    assert offered.interaction_id == CONTACT
    assert offered.payload["work_id"] == CHILD
    assert offered.agent_id == "a2"
    wrap = upcast(v1("agent.wrap_up_ended", {"queue_id": "direct"}, interaction_id=CHILD), ALIAS)
    assert (wrap.interaction_id, wrap.payload["work_id"]) == (CONTACT, CHILD)


def test_a_consultations_creation_and_end_become_consult_events() -> None:
    created = v1(
        "interaction.created",
        {"direction": "internal", "caller_number": "1001", "parent_interaction_id": CONTACT},
        interaction_id=CHILD,
        agent_id="a1",
    )
    started = upcast(created, ALIAS)
    assert (started.type, started.interaction_id, started.agent_id) == (
        "interaction.consult_started",
        CONTACT,
        "a1",
    )
    assert started.payload["work_id"] == CHILD
    assert started.payload["from_work_id"] == CONTACT
    answered = v1(
        "interaction.ended", {"answered": True}, interaction_id=CHILD, agent_id="a2", seq=9
    )
    ended = upcast(answered, ALIAS)
    assert (ended.type, ended.agent_id, ended.payload) == (
        "interaction.consult_ended",
        "a1",
        {"work_id": CHILD, "result": "completed"},
    )
    unanswered = v1("interaction.ended", {"answered": False}, interaction_id=CHILD)
    assert upcast(unanswered, ALIAS).payload["result"] == "failed"


def test_upcast_all_finds_each_records_alias() -> None:
    records = [
        v1("queue.entered", {"queue_id": "support"}, seq=1),
        v1("queue.entered", {"queue_id": "direct"}, interaction_id=CHILD, seq=2),
        v1("flow.started", {"flow": "main"}, interaction_id=None, seq=3),
    ]
    out = upcast_all(records, {CHILD: ALIAS})
    assert [r.interaction_id for r in out] == [CONTACT, CONTACT, None]
    assert [r.payload.get("work_id") for r in out] == [CONTACT, CHILD, None]


_TYPES = st.sampled_from(
    [
        *sorted(ROUTING_TYPES),
        "interaction.created",
        "interaction.ended",
        "interaction.transferred",
        "interaction.dispositioned",
        "agent.state_changed",
        "flow.survey_answered",
        "leg.answered",
    ]
)
_VALUES = st.one_of(st.none(), st.booleans(), st.sampled_from(["direct", "support", "x"]))
_PAYLOADS = st.dictionaries(
    st.sampled_from(
        ["queue_id", "via_queue_id", "work_id", "answered", "kind", "target_kind", "direction"]
    ),
    _VALUES,
)


@st.composite
def records(draw: st.DrawFn) -> tuple[EventRecord, Alias | None]:
    interaction = draw(st.sampled_from([CONTACT, CHILD, None]))
    record = EventRecord(
        T,
        draw(st.integers(1, 10**9)),
        draw(st.floats(0, 2e9)),
        draw(_TYPES),
        interaction,
        None,
        draw(st.sampled_from([None, "a1", "a2"])),
        draw(_PAYLOADS),
        v=1,
    )
    return record, ALIAS if interaction == CHILD else None


@given(records())
def test_any_record_converts_once_and_for_all(case: tuple[EventRecord, Alias | None]) -> None:
    record, alias = case
    before = dict(record.payload)
    out = upcast(record, alias)
    assert record.payload == before  # the stored record is never changed
    assert out.v == 2
    assert upcast(out, alias) == out
    assert (out.tenant_id, out.seq, out.at, out.leg_id) == (
        record.tenant_id,
        record.seq,
        record.at,
        record.leg_id,
    )
    assert "direct" not in (out.payload.get("queue_id"), out.payload.get("via_queue_id"))
    if alias is not None:
        assert out.interaction_id == CONTACT
    if out.type in ROUTING_TYPES and record.interaction_id is not None:
        assert out.payload["work_id"] is not None
