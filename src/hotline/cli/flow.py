"""`hotline flow …`: check flow files before they are published.

`hotline flow check main.yaml` prints every problem as `node <id> field <field>: …` and exits 1,
or prints a one-line summary and exits 0. Prompt files are looked up under `--prompts`, or a
`prompts/` directory next to the flow file when there is one. `hotline flow graph main.yaml`
prints the graph (Mermaid, or `--json`). `publish`, `versions` and `rollback` need the
database (the tenant's queues are checked, events are logged).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from hotline.app import (
    Services,
    build_services,
    calendar_names,
    flow_service,
    queue_names,
    ticket_names,
)
from hotline.auth.model import Principal
from hotline.config import Settings
from hotline.directory.service import DirectoryService
from hotline.errors import HotlineError
from hotline.flows.errors import FlowError, FlowInvalid, FlowSyntaxError
from hotline.flows.graph import flow_graph, to_mermaid
from hotline.flows.loader import parse_flow, read_flow_file
from hotline.flows.schema import Flow
from hotline.flows.validate import check_flow
from hotline.store.auth_repo import SqlTenants
from hotline.store.repos import SqlRepos

app = typer.Typer(
    help="IVR / bot flows: check, graph (publish, versions, rollback).", no_args_is_help=True
)


@app.callback()
def flow() -> None:
    """IVR / bot flows."""


def _summary(flow: Flow, prompts_root: Path | None) -> str:
    kinds: dict[str, int] = {}
    for node in flow.nodes.values():
        kinds[node.type] = kinds.get(node.type, 0) + 1
    parts = [
        f"flow {flow.name!r} OK: {len(flow.nodes)} nodes",
        f"start {flow.start!r}",
        "languages " + ", ".join(flow.all_languages),
    ]
    if flow.dids:
        parts.append("DIDs " + ", ".join(flow.dids))
    parts.append("prompt files checked under " + str(prompts_root) if prompts_root else "")
    used = " ".join(f"{kind}×{count}" for kind, count in sorted(kinds.items()))
    return "; ".join(p for p in parts if p) + f" ({used})"


@app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="Flow files (.yaml, .yml or .json).")],
    prompts: Annotated[
        Path | None,
        typer.Option(help="Prompts directory; default: a prompts/ directory beside each file."),
    ] = None,
    queue: Annotated[
        list[str] | None,
        typer.Option("--queue", help="A queue that exists (repeat); other queue names fail."),
    ] = None,
) -> None:
    """Validate flow files: exit 1 listing node id and field of every error, else 0."""
    failed = False
    for path in files:
        root = prompts
        if root is None and (path.parent / "prompts").is_dir():
            root = path.parent / "prompts"
        try:
            data = read_flow_file(path)
        except FlowSyntaxError as exc:
            typer.echo(f"{path}: {exc.message}", err=True)
            failed = True
            continue
        result = check_flow(data, prompts_root=root, queues=queue or None)
        if result.flow is not None and not result.issues:
            typer.echo(f"{path}: {_summary(result.flow, root)}")
            continue
        failed = True
        for issue in result.issues:
            typer.echo(f"{path}: {issue}", err=True)
        typer.echo(f"{path}: {len(result.issues)} error(s)", err=True)
    if failed:
        raise typer.Exit(1)


@app.command("graph")
def graph(
    file: Annotated[Path, typer.Argument(help="A flow file (.yaml, .yml or .json).")],
    json_output: Annotated[
        bool, typer.Option("--json", help="Nodes and edges as JSON instead of Mermaid.")
    ] = False,
) -> None:
    """Print the flow's graph as a Mermaid flowchart (dotted arrows: taken without waiting)."""
    try:
        flow = parse_flow(read_flow_file(file))
    except (FlowSyntaxError, FlowInvalid) as exc:
        typer.echo(f"{file}: {exc.message}", err=True)
        raise typer.Exit(1) from None
    if json_output:
        typer.echo(json.dumps(flow_graph(flow).as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(to_mermaid(flow), nl=False)


# -- commands that need the database -------------------------------------------------------


def _run(job: Callable[[Services, dict[str, Any]], Awaitable[None]], tenant: str) -> None:
    async def run() -> None:
        services = build_services(Settings.load())
        await services.start()
        try:
            async with services.uow(write=False) as uow:
                row = await SqlTenants(uow.conn).by_slug(tenant)
            if row is None:
                raise FlowError(f"no tenant {tenant!r}", code="tenant.unknown")
            await job(services, row)
        finally:
            await services.stop()

    try:
        asyncio.run(run())
    except FlowInvalid as error:
        for issue in error.issues:
            typer.echo(f"error: {issue}", err=True)
        raise typer.Exit(1) from None
    except HotlineError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None


@app.command("publish")
def publish(
    file: Annotated[Path, typer.Argument(help="A flow file (.yaml, .yml or .json).")],
    tenant: Annotated[str, typer.Option(help="tenant slug")] = "demo",
    note: Annotated[str | None, typer.Option(help="what changed")] = None,
) -> None:
    """Validate and publish a flow: a new version that new calls get (calls in progress keep
    theirs). Publishing content identical to the active version changes nothing."""
    try:
        data = read_flow_file(file)
    except FlowSyntaxError as exc:
        typer.echo(f"{file}: {exc.message}", err=True)
        raise typer.Exit(1) from None

    async def job(services: Services, tenant_row: dict[str, Any]) -> None:
        async with services.uow() as uow:
            version = await flow_service(services, uow).publish_document(
                tenant_row["id"],
                data,
                by="cli",
                note=note,
                queues=await queue_names(uow, tenant_row["id"]),
                calendars=await calendar_names(uow, tenant_row["id"]),
                tickets=await ticket_names(uow, tenant_row["id"]),
            )
            # The document's numbers are routed here in the numbers table (ADR 0200).
            actor = Principal(
                tenant_id=tenant_row["id"],
                tenant_slug=tenant_row["slug"],
                user_id="cli",
                username="cli",
                display_name="cli",
                roles=("admin",),
                language="en",
                via="token",
            )
            numbers = DirectoryService(
                SqlRepos(uow.conn),
                actor=actor,
                clock=services.clock,
                emit=uow.emit,
                sip_realm=str(tenant_row["sip_domain"]),
            )
            await numbers.bind_numbers(version.name, version.flow.dids)
            await uow.commit()
        typer.echo(
            f"flow {version.name!r} version {version.version} is active "
            f"({version.content_hash[:12]})"
        )

    _run(job, tenant)


@app.command("versions")
def versions(
    name: Annotated[str, typer.Argument(help="flow name")],
    tenant: Annotated[str, typer.Option(help="tenant slug")] = "demo",
) -> None:
    """List a flow's published versions; * marks the active one."""

    async def job(services: Services, tenant_row: dict[str, Any]) -> None:
        async with services.uow(write=False) as uow:
            rows = await flow_service(services, uow).versions(tenant_row["id"], name)
        for v in rows:
            when = dt.datetime.fromtimestamp(v.published_at, dt.UTC).strftime("%Y-%m-%d %H:%M")
            mark = "*" if v.active else " "
            typer.echo(
                f"{mark} {v.version:>3}  {when}  {v.content_hash[:12]}  "
                f"{v.published_by or ''}  {v.note or ''}".rstrip()
            )

    _run(job, tenant)


@app.command("rollback")
def rollback(
    name: Annotated[str, typer.Argument(help="flow name")],
    to: Annotated[
        int | None, typer.Option(help="version; default: the one before the active")
    ] = None,
    tenant: Annotated[str, typer.Option(help="tenant slug")] = "demo",
) -> None:
    """Make an earlier version the one new calls get (one command, no editing)."""

    async def job(services: Services, tenant_row: dict[str, Any]) -> None:
        async with services.uow() as uow:
            version = await flow_service(services, uow).rollback(
                tenant_row["id"], name, to=to, by="cli"
            )
            await uow.commit()
        typer.echo(f"flow {name!r} version {version.version} is active")

    _run(job, tenant)
