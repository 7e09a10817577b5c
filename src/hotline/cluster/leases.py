"""Which node owns each center's live state: leases in the shared database with fencing tokens
(issue 26, ADR 0209).

A lease names its owner, runs until `expires_at` and carries a token raised at every change of
owner. Taking a lease also raises the fence on the center's event-log sequence row
(`event_sequences.fence`); the event log writes a center's records with the token it holds and
the database refuses a token below the fence (`hotline.store.eventlog.FencedOut`). So a node
that was paused past its lease and wakes up believing it still owns the center cannot write:
the one rule lives in the storage, not in the node's idea of the time.

Times are the nodes' clocks (epoch seconds, NTP-synchronised like the job host's leases); a
node's renewal runs every third of the lease, so a clock off by less than that is harmless.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.ops_tables import cluster_nodes, tenant_leases
from hotline.store.tables import event_sequences

__all__ = ["Lease", "NodeRow", "TenantLeases", "preferred_owner"]


@dataclass(frozen=True, slots=True)
class Lease:
    tenant_id: str
    owner: str
    token: int
    acquired_at: float
    expires_at: float

    def live(self, now: float) -> bool:
        return self.expires_at > now


@dataclass(frozen=True, slots=True)
class NodeRow:
    node: str
    started_at: float
    seen_at: float
    owned: int
    left_at: float | None = None

    def state(self, now: float, ttl_s: float) -> str:
        """ "left" (a clean stop), "up" (renewed within a lease) or "silent" (dead or cut off:
        its centers go to the others once their leases run out)."""
        if self.left_at is not None:
            return "left"
        return "up" if now - self.seen_at < ttl_s else "silent"


def preferred_owner(tenant_id: str, nodes: Sequence[str]) -> str | None:
    """The node a free center should go to (rendezvous hashing): every node computes the same
    answer from the same list, and a node joining or leaving moves only its share."""
    if not nodes:
        return None

    def weight(node: str) -> bytes:
        return hashlib.blake2b(f"{node}\0{tenant_id}".encode(), digest_size=8).digest()

    return max(nodes, key=weight)


def _lease(row: object) -> Lease:
    r = row._mapping  # type: ignore[attr-defined]
    return Lease(
        tenant_id=str(r["tenant_id"]),
        owner=str(r["owner"]),
        token=int(r["token"]),
        acquired_at=float(r["acquired_at"]),
        expires_at=float(r["expires_at"]),
    )


class TenantLeases:
    """The lease rows, on the caller's connection (each call in its own short transaction)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert

    @staticmethod
    def _held(tokens: dict[str, int]) -> ColumnElement[bool]:
        """The rows of these centers still at these tokens (nobody took them since)."""
        pairs = tuple_(tenant_leases.c.tenant_id, tenant_leases.c.token)
        return pairs.in_(sorted(tokens.items()))

    async def all(self) -> list[Lease]:
        rows = await self.conn.execute(select(tenant_leases).order_by(tenant_leases.c.tenant_id))
        return [_lease(r) for r in rows]

    async def get(self, tenant_id: str) -> Lease | None:
        row = (
            await self.conn.execute(
                select(tenant_leases).where(tenant_leases.c.tenant_id == tenant_id)
            )
        ).first()
        return _lease(row) if row is not None else None

    async def acquire(
        self, tenant_id: str, owner: str, *, now: float, ttl_s: float
    ) -> Lease | None:
        """Take the center if nobody holds it (no lease, or an expired one): a new token, one
        above the last; the fence rises with it. `None` when another node holds it or won the
        race. A live lease of `owner` itself is returned as it is (renew it instead)."""
        if self.conn.dialect.name == "postgresql":
            # A stopped node's write in flight holds the sequence row until PostgreSQL ends its
            # session: this round gives up after a while and the next one tries again.
            await self.conn.execute(text(f"SET LOCAL lock_timeout = {max(1, round(ttl_s * 333))}"))
        current = await self.get(tenant_id)
        if current is not None and current.live(now):
            return current if current.owner == owner else None
        if current is None:
            inserted = await self.conn.execute(
                self._insert(tenant_leases)
                .values(
                    tenant_id=tenant_id,
                    owner=owner,
                    token=1,
                    acquired_at=now,
                    expires_at=now + ttl_s,
                )
                .on_conflict_do_nothing(index_elements=["tenant_id"])
            )
            if inserted.rowcount != 1:
                return None
            token = 1
        else:
            token = current.token + 1
            taken = await self.conn.execute(
                update(tenant_leases)
                .where(
                    tenant_leases.c.tenant_id == tenant_id,
                    tenant_leases.c.token == current.token,  # nobody took it meanwhile
                )
                .values(owner=owner, token=token, acquired_at=now, expires_at=now + ttl_s)
            )
            if taken.rowcount != 1:
                return None
        await self._raise_fence(tenant_id, token)
        return Lease(tenant_id, owner, token, now, now + ttl_s)

    async def _raise_fence(self, tenant_id: str, token: int) -> None:
        """From now on the center's log refuses writes with a lower token (the row lock makes
        this wait for a write of the previous owner in flight, never cross it)."""
        await self.conn.execute(
            self._insert(event_sequences)
            .values(tenant_id=tenant_id, last_seq=0, fence=0)
            .on_conflict_do_nothing(index_elements=["tenant_id"])
        )
        await self.conn.execute(
            update(event_sequences)
            .where(event_sequences.c.tenant_id == tenant_id, event_sequences.c.fence < token)
            .values(fence=token)
        )

    async def renew(
        self, owner: str, tokens: dict[str, int], *, now: float, ttl_s: float
    ) -> set[str]:
        """Extend the live leases `owner` holds with these tokens; returns the centers renewed
        (a center missing from the answer was lost: expired and taken, or expired)."""
        if not tokens:
            return set()
        rows = await self.conn.execute(
            update(tenant_leases)
            .where(
                tenant_leases.c.owner == owner,
                self._held(tokens),
                tenant_leases.c.expires_at > now,
            )
            .values(expires_at=now + ttl_s)
            .returning(tenant_leases.c.tenant_id)
        )
        return {str(r.tenant_id) for r in rows}

    async def release(self, owner: str, tokens: dict[str, int], *, now: float) -> int:
        """A clean stop: the leases end now, so another node takes them at its next round."""
        if not tokens:
            return 0
        result = await self.conn.execute(
            update(tenant_leases)
            .where(tenant_leases.c.owner == owner, self._held(tokens))
            .values(expires_at=now)
        )
        return result.rowcount

    # --- the nodes ------------------------------------------------------------------------

    async def seen(self, node: str, *, started_at: float, now: float, owned: int) -> None:
        await self.conn.execute(
            self._insert(cluster_nodes)
            .values(node=node, started_at=started_at, seen_at=now, owned=owned, left_at=None)
            .on_conflict_do_update(
                index_elements=["node"],
                set_={"started_at": started_at, "seen_at": now, "owned": owned, "left_at": None},
            )
        )

    async def left(self, node: str, *, now: float) -> None:
        """A clean stop: the node no longer counts as alive for the centers it released."""
        await self.conn.execute(
            update(cluster_nodes).where(cluster_nodes.c.node == node).values(left_at=now, owned=0)
        )

    async def nodes(self) -> list[NodeRow]:
        rows = await self.conn.execute(select(cluster_nodes).order_by(cluster_nodes.c.node))
        return [
            NodeRow(
                str(r.node),
                float(r.started_at),
                float(r.seen_at),
                int(r.owned),
                float(r.left_at) if r.left_at is not None else None,
            )
            for r in rows
        ]

    async def live_nodes(self, *, now: float, ttl_s: float) -> list[str]:
        return [n.node for n in await self.nodes() if n.state(now, ttl_s) == "up"]
