"""`hotline cluster status`: the nodes sharing this database, which node owns each center and
until when (ADR 0209), and — with the Redis bus — each node's place on the stream (ADR 0206)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import Annotated, Any

import typer
from redis.exceptions import RedisError
from rich.console import Console
from rich.table import Table

from hotline.clock import SystemClock
from hotline.cluster.leases import TenantLeases
from hotline.cluster.redis_bus import stream_groups
from hotline.config import Settings
from hotline.store.auth_repo import SqlTenants
from hotline.store.engine import create_engine

__all__ = ["app"]

app = typer.Typer(help="Several nodes on one database (docs/cluster.md).", no_args_is_help=True)


async def _gather(settings: Settings) -> dict[str, Any]:
    now = SystemClock().now()
    ttl = settings.cluster.lease_s
    engine = create_engine(settings.database.url)
    try:
        async with engine.connect() as conn:
            leases = TenantLeases(conn)
            nodes, held = await leases.nodes(), await leases.all()
            slugs = {str(c["id"]): str(c["slug"]) for c in await SqlTenants(conn).all()}
    finally:
        await engine.dispose()
    owned = {lease.tenant_id for lease in held if lease.live(now)}
    report: dict[str, Any] = {
        "ownership": settings.cluster.ownership,
        "nodes": [
            {
                **asdict(n),
                "state": n.state(now, ttl),
                "seen_s_ago": round(now - n.seen_at, 1),
            }
            for n in nodes
        ],
        "centers": [
            {
                "center": slugs.get(lease.tenant_id, lease.tenant_id),
                "owner": lease.owner if lease.live(now) else None,
                "last_owner": lease.owner,
                "token": lease.token,
                "expires_in_s": round(lease.expires_at - now, 1),
            }
            for lease in held
        ],
        "unowned": sorted(slug for tid, slug in slugs.items() if tid not in owned),
    }
    if settings.events.bus == "redis":
        try:
            groups = await stream_groups(settings.events.redis_url, settings.events.redis_stream)
            report["bus"] = [asdict(g) for g in groups]
        except (RedisError, OSError) as error:
            report["bus_error"] = f"{type(error).__name__}: {error}"
    return report


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """The nodes, who owns each center, and the bus across nodes."""
    settings = Settings.load()
    report = asyncio.run(_gather(settings))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    console = Console()
    if not report["ownership"]:
        console.print("cluster.ownership is off: every node serves every center (one node).")
    nodes = Table("node", "state", "last seen", "centers owned", title="Nodes")
    for n in report["nodes"]:
        nodes.add_row(n["node"], n["state"], f"{n['seen_s_ago']} s ago", str(n["owned"]))
    console.print(nodes)
    centers = Table("center", "owner", "token", "lease ends in", title="Centers")
    for c in report["centers"]:
        owner = c["owner"] or f"none (was {c['last_owner']})"
        centers.add_row(c["center"], owner, str(c["token"]), f"{c['expires_in_s']} s")
    console.print(centers)
    if report["unowned"]:
        console.print(f"not owned by any node: {', '.join(report['unowned'])}")
    if "bus" in report:
        bus = Table("node", "pending", "lag", title=f"Bus ({settings.events.redis_stream})")
        for g in report["bus"]:
            bus.add_row(g["node"], str(g["pending"]), "?" if g["lag"] is None else str(g["lag"]))
        console.print(bus)
    if "bus_error" in report:
        console.print(f"bus: Redis not reachable: {report['bus_error']}")
