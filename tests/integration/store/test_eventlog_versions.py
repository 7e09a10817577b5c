"""Every read path of the log gives version 2: version-1 rows are converted on read, and a
contact's timeline holds the version-1 consultations folded into it (ADR 0061)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.events import DomainEvent
from hotline.routing.capacity import Channel
from hotline.routing.events import QueueEntered
from hotline.store.eventlog import SqlEventReader, write_events
from hotline.store.tables import contact_aliases, event_sequences, events

T = "t1"
CONTACT = "01CONTACT0000000000000000A"
CHILD = "01CONSULT0000000000000000B"


def _row(seq: int, type_: str, interaction_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "tenant_id": T,
        "seq": seq,
        "at": 100.0 + seq,
        "type": type_,
        "interaction_id": interaction_id,
        "leg_id": None,
        "agent_id": "a1",
        "payload": payload,
    }


async def test_version_1_rows_read_as_version_2_and_fold_consultations(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        # What the version-1 writer left: no `v` given, so the column's default (1) applies.
        await conn.execute(
            insert(events),
            [
                _row(1, "interaction.created", CONTACT, {"direction": "inbound"}),
                _row(2, "queue.entered", CONTACT, {"queue_id": "support"}),
                _row(3, "interaction.created", CHILD, {"parent_interaction_id": CONTACT}),
                _row(4, "queue.entered", CHILD, {"queue_id": "direct"}),
                _row(5, "interaction.ended", CHILD, {"answered": True}),
            ],
        )
        await conn.execute(insert(event_sequences).values(tenant_id=T, last_seq=5))
        await conn.execute(
            insert(contact_aliases).values(
                tenant_id=T, alias_id=CHILD, contact_id=CONTACT, agent_id="a1"
            )
        )
        written: list[DomainEvent] = [
            QueueEntered(
                tenant_id=T, at=200.0, interaction_id=CONTACT, queue_id="sales",
                channel=Channel.VOICE, priority=0, skills=(),
            )
        ]  # fmt: skip
        [new] = await write_events(conn, written)
    assert new.v == 2
    async with engine.connect() as conn:
        stored = dict((await conn.execute(select(events.c.seq, events.c.v))).all())
    assert stored == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 2}

    reader = SqlEventReader(engine)
    read = await reader.read_since(T, 0)
    assert [r.v for r in read] == [2] * 6
    assert [(r.seq, r.type, r.interaction_id) for r in read] == [
        (1, "interaction.created", CONTACT),
        (2, "queue.entered", CONTACT),
        (3, "interaction.consult_started", CONTACT),
        (4, "queue.entered", CONTACT),
        (5, "interaction.consult_ended", CONTACT),
        (6, "queue.entered", CONTACT),
    ]
    assert [r.payload.get("work_id") for r in read] == [None, CONTACT, CHILD, CHILD, CHILD, None]
    assert read[3].payload["queue_id"] == "@agent"
    assert read[5] == new
    assert [r.seq for r in await reader.read_since(T, 2, until_seq=4)] == [3, 4]

    timeline = await reader.for_interaction(T, CONTACT)
    assert [r.seq for r in timeline] == [1, 2, 3, 4, 5, 6]
    assert await reader.for_interaction(T, CHILD) == timeline
    assert await reader.contact_of(T, CHILD) == CONTACT
    assert await reader.contact_of(T, CONTACT) == CONTACT
    page = await reader.page(T, 1, limit=3, interaction_id=CHILD)
    assert [r.seq for r in page] == [2, 3, 4]
    created = await reader.page(T, 0, limit=10, type_="interaction.created")
    assert [(r.seq, r.type) for r in created] == [
        (1, "interaction.created"),
        (3, "interaction.consult_started"),
    ]
