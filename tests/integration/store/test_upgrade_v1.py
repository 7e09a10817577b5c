"""A database written by the version-1 code with a day of calls upgrades: migrations, then the
contact projections rebuilt from seq 0 through the conversion on read, and its history shows
in the contact model (issue 10's acceptance; ADR 0061, 0065)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.auth.model import Principal
from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.history import ContactQuery, ContactService
from hotline.store.contacts_repo import SqlContacts, SqlQueueMembership
from hotline.store.eventlog import SqlEventReader
from hotline.store.interaction_projection import PROJECTED_TABLES, InteractionProjector
from hotline.store.migrate import migrate
from hotline.store.tables import (
    agent_segments,
    contact_aliases,
    events,
    interactions,
    projection_cursors,
    work_items,
    worklist,
)
from tests.integration.store.v1_day import TENANT, by_caller, database_at_0005, load_day


async def _rows(engine: AsyncEngine, query: Any) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(query)]


async def _contact(engine: AsyncEngine, number: str) -> dict[str, Any]:
    contact_id = by_caller(number)
    [row] = await _rows(engine, select(interactions).where(interactions.c.id == contact_id))
    row["work"] = await _rows(
        engine,
        select(work_items).where(work_items.c.interaction_id == contact_id).order_by("seq"),
    )
    row["parts"] = await _rows(
        engine,
        select(agent_segments)
        .where(agent_segments.c.interaction_id == contact_id)
        .order_by("answered_at"),
    )
    return row


def _segments(contact: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (s["agent_id"], s["queue_id"], s["disposition"], s["notes"], s["csat"])
        for s in contact["parts"]
    ]


async def test_a_version_1_day_upgrades_and_shows_in_the_contact_model(database_url: str) -> None:
    async with database_at_0005(database_url) as engine:
        await load_day(engine)
        await migrate(engine)
        async with engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(contact_aliases)) == 2
            assert set((await conn.execute(select(events.c.v))).scalars()) == {1}
            assert await conn.scalar(select(func.count()).select_from(interactions)) == 0
            assert not (await conn.execute(select(projection_cursors))).first()
        projector = InteractionProjector(engine, EventBus())
        assert await projector.catch_up(TENANT) == 542

        contacts = await _rows(engine, select(interactions).order_by("started_at"))
        assert len(contacts) == 11  # the two consultations are no contacts of their own
        assert sum(1 for c in contacts if c["answered_at"] is not None) == 7
        assert {c["direction"] for c in contacts} == {"inbound"}

        # Consult, three-way call, the first agent leaves: one contact, answered once, offered
        # once in support (the personal line is no queue), two segments with their own
        # wrap-ups, the survey on the agent who finished the call.
        conference = await _contact(engine, "13100131010")
        assert (conference["queues"], conference["segments"], conference["consulted"]) == (
            ["support"],
            2,
            True,
        )
        visits = [
            (w["queue_id"], w["via"], w["outcome"], w["agent_id"]) for w in conference["work"]
        ]
        assert visits == [
            ("support", "flow", "answered", "a1"),
            ("@agent", "consult", "answered", "a2"),
        ]
        assert conference["work"][1]["result"] == "conference"
        assert conference["work"][1]["from_work_id"] == conference["id"]
        assert _segments(conference) == [
            ("a1", "support", "resolved", "三方通话已确认身份", None),
            ("a2", "@agent", "complaint", "客户投诉已登记", 4),
        ]
        assert (conference["csat"], conference["csat_agent_id"]) == (4, "a2")
        assert conference["parts"][0]["talk_s"] == 125.0
        assert conference["parts"][0]["hold_s"] == 25.0  # held while a1 consulted a2
        assert conference["parts"][1]["talk_s"] == 155.0

        complete = await _contact(engine, "13200132009")
        assert _segments(complete) == [
            ("a1", "support", "follow_up", "账单问题转二线", None),
            ("a2", "@agent", "resolved", "账单已更正", 5),
        ]
        assert complete["work"][1]["result"] == "completed"
        assert complete["parts"][0]["wrap_up_s"] == 100.0

        # Blind transfers: to an agent (the personal line, with its target), and to a queue,
        # which the contact then visited too.
        to_agent = await _contact(engine, "13400134007")
        assert [(w["queue_id"], w["via"], w["target_agent_id"]) for w in to_agent["work"]] == [
            ("support", "flow", None),
            ("@agent", "transfer", "a2"),
        ]
        assert _segments(to_agent) == [
            ("a1", "support", "follow_up", "转给王经理处理退款", None),
            ("a2", "@agent", "resolved", "退款已办理", 3),
        ]
        assert to_agent["parts"][0]["ended_by"] == "transfer"
        assert to_agent["transferred"] is True
        to_queue = await _contact(engine, "13300133008")
        assert to_queue["queues"] == ["support", "sales"]
        assert [(w["queue_id"], w["via"], w["note"]) for w in to_queue["work"]] == [
            ("support", "flow", None),
            ("sales", "transfer", "想买年卡"),
        ]
        assert _segments(to_queue) == [
            ("a1", "support", None, None, None),
            ("a2", "sales", "sale", "年卡成交", 4),
        ]

        # The caller who waited 60 s and hung up: abandoned, 60 s, in support's worklist.
        gave_up = await _contact(engine, "13700137003")
        assert (gave_up["outcome"], gave_up["wait_s"], gave_up["abandoned"]) == (
            "abandoned",
            60.0,
            True,
        )
        missed = {
            (m["interaction_id"]): (m["queue_id"], m["reason"], m["wait_s"])
            for m in await _rows(engine, select(worklist))
        }
        assert missed == {
            gave_up["id"]: ("support", "abandoned", 60.0),
            by_caller("13600136005"): ("sales", "voicemail", 0.0),
            by_caller("13500135006"): ("sales", "callback_failed", 224.0),
        }
        [voicemail] = await _rows(engine, select(worklist).where(worklist.c.reason == "voicemail"))
        assert voicemail["recording_id"]

        called_back = await _contact(engine, "13812345678")
        assert called_back["callback"] is True
        assert [(w["outcome"], w["callback"], w["wait_s"]) for w in called_back["work"]] == [
            ("answered", True, 84.0)
        ]
        assert _segments(called_back) == [("a2", "sales", "sale", "回呼成交：年度套餐", None)]

        first = await _contact(engine, "13900000001")
        assert _segments(first) == [("a1", "support", "resolved", "查询订单物流，已告知", 5)]
        assert (first["vip_level"], first["wait_s"], first["origin"]) == (3, 3.0, "customer")
        ivr = await _contact(engine, "15800158012")
        assert (ivr["outcome"], ivr["work"], ivr["parts"]) == ("ivr", [], [])

        # The contact's page as the API serves it: both agents' parts, the folded
        # consultation's records in its timeline (converted on read), and an old link to the
        # consultation's own id opens the customer's contact.
        admin = Principal(
            tenant_id=TENANT, tenant_slug="demo", user_id="u1", username="admin",
            display_name="admin", roles=("admin",), language="zh-CN", via="session",
        )  # fmt: skip
        async with engine.connect() as conn:
            view = ContactService(
                SqlContacts(conn), SqlEventReader(engine), SqlQueueMembership(conn),
                principal=admin, clock=FakeClock(), emit=lambda _e: None,
            )  # fmt: skip
            page = await view.detail(conference["id"])
            [consult_id] = {w["work_id"] for w in page["work_items"]} - {conference["id"]}
            assert await view.detail(consult_id) == page
            listed, total = await view.list(ContactQuery(limit=100))
        assert total == 11
        assert [s["agent_id"] for s in page["segments"]] == ["a1", "a2"]
        types = [r.type for r in page["timeline"]]
        assert "interaction.consult_started" in types
        assert "interaction.consult_ended" in types
        assert all(r.v == 2 and r.interaction_id == conference["id"] for r in page["timeline"])
        assert {r["id"] for r in listed} == {c["id"] for c in contacts}

        # Rebuilding from seq 0 again gives the same rows.
        def everything() -> Any:
            return {t.name: select(t).order_by(*t.primary_key.columns) for t in PROJECTED_TABLES}

        before = {name: await _rows(engine, q) for name, q in everything().items()}
        await projector.rebuild(TENANT)
        after = {name: await _rows(engine, q) for name, q in everything().items()}
        assert after == before
