"""This node's share of the centers (issue 26, ADR 0209): it renews the leases it holds, takes
free ones that fall to it, and says so to the runtime — a center gained is recovered from the
log and the phones' registrations and served; a center lost (or fenced out by the event log)
stops being served here at once.

`token(tenant_id)` is what the event log writes a center's records with: the lease's token
while this node holds it, 0 otherwise — a write the storage refuses as soon as any node has
owned the center (`hotline.cluster.leases`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import Clock
from hotline.cluster.leases import TenantLeases, preferred_owner
from hotline.store.auth_repo import SqlTenants
from hotline.store.engine import WRITE

__all__ = ["Ownership", "OwnershipSettings"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OwnershipSettings:
    node: str
    ttl_s: float = 3.0  # a dead node's centers are taken over after this (plus one round)

    @property
    def round_s(self) -> float:
        return self.ttl_s / 3


Hook = Callable[[str], Awaitable[None]]


class Ownership:
    """The leases this node holds and the loop that keeps them."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        settings: OwnershipSettings,
        *,
        centers: Callable[[], Awaitable[list[str]]] | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.settings = settings
        self.node = settings.node
        self._centers = centers or self._all_centers
        self._tokens: dict[str, int] = {}
        self.gained: list[Hook] = []  # called with a center this node now owns
        self.lost: list[Hook] = []  # called with a center it no longer owns
        self.started_at = clock.now()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._losing: set[str] = set()
        self._hooks: set[asyncio.Task[None]] = set()
        self.takeovers = 0
        self.losses = 0
        self.rounds = 0
        self.errors = 0

    # --- what the rest of the node asks ---------------------------------------------------

    def token(self, tenant_id: str) -> int:
        return self._tokens.get(tenant_id, 0)

    def owns(self, tenant_id: str) -> bool:
        return tenant_id in self._tokens

    @property
    def owned(self) -> list[str]:
        return sorted(self._tokens)

    def fenced(self, tenant_id: str) -> None:
        """The event log was refused for this center: a newer owner holds it. Stop serving it
        now, before the next round would notice."""
        if self._tokens.pop(tenant_id, None) is not None:
            log.warning("node %s: fenced out of center %s", self.node, tenant_id)
            self._spawn_lost(tenant_id)

    # --- the loop -------------------------------------------------------------------------

    async def start(self) -> None:
        await self.round()
        self._task = asyncio.create_task(self._run(), name="ownership")

    async def stop(self, *, release: bool = True) -> None:
        """Stop renewing; with `release` (a clean stop) the leases end now, so the other nodes
        take the centers over at their next round instead of after the lease."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if release:
            try:
                async with self._engine.connect() as conn:
                    conn = await conn.execution_options(**WRITE)
                    async with conn.begin():
                        leases, now = TenantLeases(conn), self._clock.now()
                        await leases.release(self.node, dict(self._tokens), now=now)
                        await leases.left(self.node, now=now)
            except Exception:
                log.exception("node %s: releasing its leases failed; they expire", self.node)
        self._tokens.clear()

    async def _run(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self.settings.round_s)
            try:
                await self.round()
            except Exception:
                self.errors += 1
                log.exception("node %s: ownership round failed", self.node)

    async def round(self) -> None:
        """Renew what is held, note this node alive, take the free centers that fall to it."""
        ttl = self.settings.ttl_s
        centers = await self._centers()
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                leases = TenantLeases(conn)
                held = dict(self._tokens)
                # The time is read when each lease is written, never carried over an await: a
                # round that started late must not write a lease that is already half gone.
                now = self._clock.now()
                kept = await leases.renew(self.node, held, now=now, ttl_s=ttl)
                await leases.seen(self.node, started_at=self.started_at, now=now, owned=len(kept))
            async with conn.begin():
                now = self._clock.now()
                leases = TenantLeases(conn)
                live = await leases.live_nodes(now=now, ttl_s=ttl)
                current = {lease.tenant_id: lease for lease in await leases.all()}
        for tenant_id in held:
            if tenant_id not in kept and self._tokens.get(tenant_id) == held[tenant_id]:
                del self._tokens[tenant_id]
                log.warning("node %s: lease of center %s lost", self.node, tenant_id)
                self._spawn_lost(tenant_id)
        for tenant_id in centers:
            if tenant_id in self._tokens:
                continue
            lease = current.get(tenant_id)
            if lease is not None and lease.live(now):
                continue
            # A free center goes to its preferred live node; one nobody took for a whole lease
            # (its preferred node is gone and not yet seen as gone) goes to whoever comes.
            free_since = lease.expires_at if lease is not None else None
            mine = preferred_owner(tenant_id, live) == self.node
            if not mine and (free_since is None or now - free_since < ttl):
                continue
            await self._take(tenant_id)
        self.rounds += 1

    async def _take(self, tenant_id: str) -> None:
        try:
            async with self._engine.connect() as conn:
                conn = await conn.execution_options(**WRITE)
                async with conn.begin():
                    lease = await TenantLeases(conn).acquire(
                        tenant_id, self.node, now=self._clock.now(), ttl_s=self.settings.ttl_s
                    )
        except DBAPIError as error:  # a lock held by a stopped node: next round
            log.warning("node %s: center %s not taken yet: %s", self.node, tenant_id, error.orig)
            return
        if lease is None or lease.owner != self.node:
            return
        self._tokens[tenant_id] = lease.token
        self.takeovers += 1
        log.info("node %s: owns center %s (token %d)", self.node, tenant_id, lease.token)
        for hook in self.gained:
            try:
                await hook(tenant_id)
            except Exception:
                log.exception("node %s: taking over center %s failed", self.node, tenant_id)

    def _spawn_lost(self, tenant_id: str) -> None:
        self.losses += 1
        if tenant_id in self._losing:
            return
        self._losing.add(tenant_id)

        async def run() -> None:
            try:
                for hook in self.lost:
                    try:
                        await hook(tenant_id)
                    except Exception:
                        log.exception(
                            "node %s: standing down center %s failed", self.node, tenant_id
                        )
            finally:
                self._losing.discard(tenant_id)

        task = asyncio.get_running_loop().create_task(run(), name=f"lost-{tenant_id}")
        self._hooks.add(task)
        task.add_done_callback(self._hooks.discard)

    async def _all_centers(self) -> list[str]:
        async with self._engine.connect() as conn:
            return [str(c["id"]) for c in await SqlTenants(conn).all()]

    def metrics(self) -> Iterator[tuple[str, float, str]]:
        yield ("hotline_cluster_owned_centers", float(len(self._tokens)), "centers this node owns")
        yield ("hotline_cluster_takeovers_total", float(self.takeovers), "centers taken")
        yield ("hotline_cluster_losses_total", float(self.losses), "centers lost or fenced out")
        yield ("hotline_cluster_round_errors_total", float(self.errors), "rounds that failed")
