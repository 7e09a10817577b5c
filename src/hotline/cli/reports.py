"""`hotline reports rollup` and `hotline reports rebuild [--from DATE]`: the interval facts
from the event log (docs/metrics.md). The server keeps them up to date by itself; these are for
an upgrade, a changed counting setting, or a check."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import select

from hotline.analytics.reports.rollup import interval
from hotline.config import Settings
from hotline.store.engine import create_engine
from hotline.store.report_rollup import ReportRollup
from hotline.store.tables import tenants

__all__ = ["app"]

app = typer.Typer(help="Reports: interval facts from the event log.", no_args_is_help=True)


async def _run(tenant: str | None, since: date | None, rebuild: bool) -> None:
    engine = create_engine(Settings.load().database.url)
    rollup = ReportRollup(engine)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(select(tenants.c.id, tenants.c.slug, tenants.c.timezone))
            ).all()
        chosen = [r for r in rows if tenant in (None, r.id, r.slug)]
        if not chosen and tenant is None:
            typer.echo("no tenants yet: nothing to roll up")
            return
        if not chosen:
            raise typer.BadParameter(f"no tenant {tenant!r}", param_hint="--tenant")
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        ) as progress:
            for row in chosen:
                task = progress.add_task(f"{row.slug}", total=None)

                def moved(seq: int, latest: int, task: TaskID = task) -> None:
                    progress.update(task, completed=seq, total=latest)

                start = None
                if since is not None:  # the tenant's midnight of that day
                    midnight = datetime.combine(since, time(0), ZoneInfo(row.timezone))
                    start = interval(midnight.timestamp())
                if rebuild:
                    last = await rollup.rebuild(row.id, from_interval=start, progress=moved)
                else:
                    last = await rollup.catch_up(row.id, progress=moved)
                progress.update(task, description=f"{row.slug}: facts up to seq {last}")
    finally:
        await engine.dispose()


@app.command("rollup")
def rollup_cmd(
    tenant: Annotated[str | None, typer.Option(help="a tenant's id or slug; default: all")] = None,
) -> None:
    """Roll up the events logged since the last run."""
    asyncio.run(_run(tenant, None, rebuild=False))


@app.command("rebuild")
def rebuild_cmd(
    since: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="rewrite the facts from this local day"),
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="a tenant's id or slug; default: all")] = None,
) -> None:
    """Throw the facts away and make them again from the whole log (identical results)."""
    asyncio.run(_run(tenant, since.date() if since is not None else None, rebuild=True))
