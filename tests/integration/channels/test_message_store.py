"""Text messages on both databases: kept in order per contact, once per sender's client id,
even when two writers of one conversation race; the history reads back what was kept."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.channels.text import Attachment, InvalidMessage, NewMessage, Sender
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, Settings
from hotline.demo import seed_demo
from hotline.ids import AgentId, InteractionId
from hotline.store.engine import create_engine
from hotline.store.messages_repo import SqlMessageStore
from hotline.store.uow import UnitOfWorkFactory

CONTACT = InteractionId("01JCHATCONTACT000000000001")


async def test_messages_are_kept_in_order_and_once_per_client_id(
    engine: AsyncEngine, database_url: str
) -> None:
    clock = FakeClock(start=1_795_400_000.0)
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    tenant = (
        await seed_demo(
            UnitOfWorkFactory(engine, EventBus()), clock, settings, password="demo-password-1"
        )
    ).tenant_id
    store = SqlMessageStore(engine)

    def customer(client_id: str, body: str) -> NewMessage:
        return NewMessage(tenant, CONTACT, Sender.CUSTOMER, client_id, body)

    first, new = await store.append(customer("c-1", "你好"), at=clock.now())
    assert (first.seq, new) == (1, True)
    again, new = await store.append(customer("c-1", "你好"), at=clock.now() + 5)
    assert (again, new) == (first, False)
    photo = Attachment("f-1", "发票.png", "image/png", 2048)
    reply, _ = await store.append(
        NewMessage(tenant, CONTACT, Sender.AGENT, "c-1", "请稍等", AgentId("a1"), photo),
        at=clock.now() + 6,
    )
    assert reply.seq == 2  # the same client id from the agent is another message

    # twenty writers at once: each message once, seq 3…22 without gaps
    results = await asyncio.gather(
        *(store.append(customer(f"burst-{i}", f"第{i}条"), at=clock.now() + 7) for i in range(20)),
        *(store.append(customer(f"burst-{i}", f"第{i}条"), at=clock.now() + 7) for i in range(5)),
    )
    assert sum(1 for _, created in results if created) == 20
    history = await store.history(tenant, CONTACT)
    assert [m.seq for m in history] == list(range(1, 23))
    assert history[1] == reply
    assert history[1].attachment == photo
    assert [m.body for m in await store.history(tenant, CONTACT, after_seq=21)] == [
        history[-1].body
    ]
    assert await store.history(tenant, InteractionId("01JOTHERCONTACT0000000000")) == []


def test_an_empty_message_is_refused_before_the_store() -> None:
    with pytest.raises(InvalidMessage):
        NewMessage("t", CONTACT, Sender.CUSTOMER, "c-1", "")


async def test_a_burst_of_messages_is_committed_in_batches_on_one_connection(
    engine: AsyncEngine, database_url: str
) -> None:
    """Three hundred writers at once on a pool of one connection: each message stored once,
    numbered per conversation without gaps, in far fewer commits than messages."""
    clock = FakeClock(start=1_795_400_000.0)
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    tenant = (
        await seed_demo(
            UnitOfWorkFactory(engine, EventBus()), clock, settings, password="demo-password-1"
        )
    ).tenant_id
    one = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        store = SqlMessageStore(one)
        contacts = [InteractionId(f"01JCHATBURST{i:014d}") for i in range(30)]

        def say(contact: InteractionId, i: int) -> NewMessage:
            return NewMessage(tenant, contact, Sender.CUSTOMER, f"m-{i}", f"第{i}条")

        results = await asyncio.gather(
            *(store.append(say(c, i), at=clock.now()) for i in range(10) for c in contacts),
            *(store.append(say(c, 0), at=clock.now()) for c in contacts),  # resent at once
        )
        assert sum(1 for _, created in results if created) == 300
        assert store.appended == 300
        assert store.batches < 300
        for contact in contacts:
            history = await store.history(tenant, contact)
            assert [m.seq for m in history] == list(range(1, 11))
            assert [m.client_id for m in history] == [f"m-{i}" for i in range(10)]
    finally:
        await one.dispose()
