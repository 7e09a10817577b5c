"""Hints during service in the database (`hotline.crm.hints.HintStore`): the rules (edited as
a simple configuration entity, `hint_rules`) and the agents' responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.crm.hints import HintRule
from hotline.store.crm_tables import hint_responses, hint_rules

__all__ = ["SqlHints"]


class SqlHints:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def rules(self, tenant_id: str) -> list[HintRule]:
        r = hint_rules
        q = select(r).where(r.c.tenant_id == tenant_id, r.c.active.is_(True))
        return [HintRule.of(dict(row)) for row in (await self.conn.execute(q)).mappings()]

    async def rule(self, tenant_id: str, rule_id: str) -> HintRule | None:
        r = hint_rules
        q = select(r).where(r.c.tenant_id == tenant_id, r.c.id == rule_id)
        row = (await self.conn.execute(q)).mappings().first()
        return None if row is None else HintRule.of(dict(row))

    async def add_response(self, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(hint_responses).values(**row))

    async def responses(self, tenant_id: str, interaction_id: str) -> dict[str, str]:
        h = hint_responses
        q = (
            select(h.c.rule_id, h.c.response)
            .where(h.c.tenant_id == tenant_id, h.c.interaction_id == interaction_id)
            .order_by(h.c.at, h.c.id)
        )
        return {str(rule): str(response) for rule, response in await self.conn.execute(q)}

    async def counts(self, tenant_id: str, since: float, until: float) -> list[dict[str, Any]]:
        """Per rule and response: how many contacts ended with that answer in the window (a
        contact's last answer counts)."""
        h = hint_responses
        last = (
            select(
                h.c.rule_id,
                h.c.interaction_id,
                func.max(h.c.at).label("at"),
            )
            .where(h.c.tenant_id == tenant_id, h.c.at >= since, h.c.at < until)
            .group_by(h.c.rule_id, h.c.interaction_id)
            .subquery()
        )
        final = (
            select(h.c.rule_id, h.c.response, func.count().label("n"))
            .join(
                last,
                (last.c.rule_id == h.c.rule_id)
                & (last.c.interaction_id == h.c.interaction_id)
                & (last.c.at == h.c.at),
            )
            .where(h.c.tenant_id == tenant_id)
            .group_by(h.c.rule_id, h.c.response)
        )
        names = {
            str(i): str(n)
            for i, n in await self.conn.execute(
                select(hint_rules.c.id, hint_rules.c.name).where(
                    hint_rules.c.tenant_id == tenant_id
                )
            )
        }
        out: dict[str, dict[str, Any]] = {}
        for rule_id, response, n in await self.conn.execute(final):
            row = out.setdefault(
                str(rule_id),
                {"rule_id": str(rule_id), "name": names.get(str(rule_id), ""),
                 "offered": 0, "accepted": 0, "declined": 0},
            )  # fmt: skip
            row[str(response)] = int(n)
        return sorted(out.values(), key=lambda r: r["name"])
