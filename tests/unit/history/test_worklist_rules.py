"""The history's rules on fakes of its ports: who sees which contacts and missed contacts, and
the worklist's claims (one holder, releases, marking handled, calling back after the claim is
committed)."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.auth.model import Principal
from hotline.clock import FakeClock
from hotline.events import DomainEvent
from hotline.history import (
    NoNumberToCall,
    NotAnAgent,
    Scope,
    WorklistAlreadyDone,
    WorklistClaimed,
    WorklistItemNotFound,
    WorklistNotYours,
    WorklistService,
    contact_scope,
    worklist_scope,
)
from hotline.history.model import WorklistQuery
from hotline.history.ports import Row


def principal(*roles: str, agent: str | None = None) -> Principal:
    return Principal(
        tenant_id="t", tenant_slug="t", user_id=f"u-{agent or roles[0]}", username="x",
        display_name="x", roles=roles, language="en", via="session", agent_id=agent,
    )  # fmt: skip


def test_who_sees_which_contacts() -> None:
    team = frozenset({"a2", "a3"})
    assert contact_scope(principal("admin"), team_agents=team) == Scope(everything=True)
    assert contact_scope(principal("qa"), team_agents=team) == Scope(everything=True)
    boss = contact_scope(principal("supervisor", agent="s1"), team_agents=team)
    assert boss == Scope(agents=frozenset({"a2", "a3", "s1"}), unanswered=True)
    assert contact_scope(principal("agent", agent="a1"), team_agents=team) == Scope(
        agents=frozenset({"a1"})
    )
    assert contact_scope(principal("agent"), team_agents=team).nothing


def test_who_sees_which_missed_contacts() -> None:
    mine = frozenset({"support"})
    assert worklist_scope(principal("supervisor"), my_queues=mine).everything
    assert worklist_scope(principal("agent", agent="a1"), my_queues=mine) == Scope(queues=mine)


class FakeWorklist:
    def __init__(self, *items: dict[str, Any]) -> None:
        self.items = {
            i["interaction_id"]: {"claimed_by": None, "claimed_at": None, **i} for i in items
        }

    async def page(
        self, tenant_id: str, scope: Scope, query: WorklistQuery
    ) -> tuple[list[Row], int]:
        rows = [i for i in self.items.values() if scope.everything or i["queue_id"] in scope.queues]
        return rows, len(rows)

    async def get(self, tenant_id: str, interaction_id: str) -> Row | None:
        return self.items.get(interaction_id)

    async def claim(
        self, tenant_id: str, interaction_id: str, agent_id: str, at: float
    ) -> tuple[Row, bool]:
        item = self.items[interaction_id]
        made = item["claimed_by"] is None
        if made:
            item.update(claimed_by=agent_id, claimed_at=at)
        return {"agent_id": item["claimed_by"], "claimed_at": item["claimed_at"]}, made

    async def release(self, tenant_id: str, interaction_id: str, agent_id: str) -> bool:
        item = self.items[interaction_id]
        if item["claimed_by"] != agent_id:
            return False
        item.update(claimed_by=None, claimed_at=None)
        return True


class Membership:
    async def queues_of(self, tenant_id: str, agent_id: str) -> frozenset[str]:
        return frozenset({"support"}) if agent_id in ("a1", "a3") else frozenset({"sales"})


class Dialled:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def dial(self, agent_id: str, number: str, *, related_interaction_id: str) -> str:
        self.log.append(f"dial {agent_id} {number} for {related_interaction_id}")
        return "new-contact"


def service(items: FakeWorklist, who: Principal, emitted: list[DomainEvent]) -> WorklistService:
    return WorklistService(
        items, Membership(), principal=who, clock=FakeClock(100.0), emit=emitted.append
    )


def missed(iid: str, queue: str = "support", **more: Any) -> dict[str, Any]:
    return {"interaction_id": iid, "queue_id": queue, "reason": "abandoned", "followed_up_at": None,
            "caller_number": "13800138000", **more}  # fmt: skip


async def test_one_holder_at_a_time() -> None:
    items = FakeWorklist(missed("m1"), missed("m2", "sales"))
    events: list[DomainEvent] = []
    a1, a3 = principal("agent", agent="a1"), principal("agent", agent="a3")
    claimed = await service(items, a1, events).claim("m1")
    assert claimed["claimed_by"] == "a1"
    assert (await service(items, a1, events).claim("m1"))["claimed_by"] == "a1"  # again: same
    assert [e.type for e in events] == ["worklist.claimed"]
    with pytest.raises(WorklistClaimed) as lost:
        await service(items, a3, events).claim("m1")
    assert lost.value.details["agent_id"] == "a1"
    with pytest.raises(WorklistItemNotFound):
        await service(items, a1, events).claim("m2")  # sales is not a1's queue
    with pytest.raises(NotAnAgent):
        await service(items, principal("supervisor"), events).claim("m1")
    with pytest.raises(WorklistNotYours):
        await service(items, a3, events).release("m1")
    await service(items, principal("supervisor"), events).release("m1")
    assert events[-1].type == "worklist.released"
    assert events[-1].payload()["claimed_by"] == "a1"
    with pytest.raises(WorklistNotYours):
        await service(items, a1, events).release("m1")


async def test_marking_handled_and_calling_back() -> None:
    items = FakeWorklist(missed("m1"), missed("m2", caller_number=None), missed("m3"))
    events: list[DomainEvent] = []
    log: list[str] = []
    a1, a3 = principal("agent", agent="a1"), principal("agent", agent="a3")

    async def commit() -> None:
        log.append("commit")

    made = await service(items, a1, events).call_back("m1", Dialled(log), commit)
    assert made == "new-contact"
    assert log == ["commit", "dial a1 13800138000 for m1"]  # the claim is saved first
    with pytest.raises(WorklistClaimed):
        await service(items, a3, events).followed_up("m1", None)
    with pytest.raises(NoNumberToCall):
        await service(items, a3, events).call_back("m2", Dialled(log), commit)
    await service(items, a3, events).followed_up("m3", "called from my mobile")
    assert events[-1].type == "interaction.followed_up"
    items.items["m3"]["followed_up_at"] = 120.0
    with pytest.raises(WorklistAlreadyDone):
        await service(items, a1, events).claim("m3")
