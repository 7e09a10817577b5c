"""Migration 0020 copies the agents' "resolved?" marks given before it from the log onto the
contacts and the agents' segments (the latest answer counts; "no answer" keeps the earlier)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.engine import WRITE, create_engine
from hotline.store.migrate import migrate
from hotline.store.tables import agent_segments, events, interactions, tenants

T = "01TENANT00000000000000000T"


def _contact(cid: str) -> dict[str, Any]:
    return {
        "id": cid, "tenant_id": T, "channel": "voice", "direction": "inbound", "queues": [],
        "agents": ["a1", "a2"], "segments": 2, "started_at": 1.0, "abandoned": False,
        "voicemail": False, "callback": False, "transferred": True, "consulted": False,
        "recorded": False,
    }  # fmt: skip


def _segment(cid: str, agent: str, seq: int, work: str) -> dict[str, Any]:
    return {"tenant_id": T, "work_seq": seq, "agent_id": agent, "work_id": work,
            "interaction_id": cid, "answered_at": float(seq), "hold_s": 0.0}  # fmt: skip


def _wrap_up(seq: int, cid: str, agent: str, work: str, resolved: bool | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"disposition": "d", "category": "c", "sale": False, "notes": "",
                               "work_id": work}  # fmt: skip
    if resolved is not None:
        payload["resolved"] = resolved
    return {"tenant_id": T, "seq": seq, "at": float(seq), "type": "interaction.dispositioned",
            "interaction_id": cid, "agent_id": agent, "payload": payload, "v": 2}  # fmt: skip


async def test_marks_before_the_upgrade_are_copied_from_the_log(tmp_path: Any) -> None:
    engine: AsyncEngine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/old.db")
    try:
        await migrate(engine, "0018")
        async with engine.connect() as raw:
            conn = await raw.execution_options(**WRITE)
            async with conn.begin():
                await conn.execute(insert(tenants).values(
                    id=T, slug="t", name="T", language="zh-CN", timezone="Asia/Shanghai",
                    region="CN", sip_domain="t.test", created_at=0.0, updated_at=0.0,
                ))  # fmt: skip
                for cid in ("C1", "C2", "C3"):
                    await conn.execute(insert(interactions).values(**_contact(cid)))
                await conn.execute(insert(agent_segments).values(_segment("C1", "a1", 1, "W1")))
                await conn.execute(insert(agent_segments).values(_segment("C1", "a2", 2, "W2")))
                await conn.execute(insert(agent_segments).values(_segment("C2", "a1", 3, "W3")))
                await conn.execute(insert(events).values([
                    _wrap_up(10, "C1", "a1", "W1", False),
                    _wrap_up(11, "C1", "a2", "W2", True),  # the latest answer of C1
                    _wrap_up(12, "C2", "a1", "W3", True),
                    _wrap_up(13, "C2", "a1", "W3", None),  # saved again, no answer: kept
                    _wrap_up(14, "C3", "a1", "W9", None),  # never answered
                ]))  # fmt: skip
        await migrate(engine)
        async with engine.connect() as conn:
            contacts = dict(
                (await conn.execute(select(interactions.c.id, interactions.c.resolved))).all()
            )
            segments = {
                (r.interaction_id, r.agent_id): r.resolved
                for r in await conn.execute(select(agent_segments))
            }
        assert contacts == {"C1": True, "C2": True, "C3": None}
        assert segments == {("C1", "a1"): False, ("C1", "a2"): True, ("C2", "a1"): True}
    finally:
        await engine.dispose()
