"""Imports on the job host: the apply half of every run is a firing of `imports.run` (one job
per import, key `import:<id>`), so its writes commit with the firing or not at all, a crash
fires it again after the restart, and the jobs page shows its progress and can cancel it."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.imports.runner import ImportRunner, NotReady
from hotline.jobs import JobContext, JobHost, JobNotRunnable, Jobs, JobState, Retry, RetryLater
from hotline.jobs.errors import JobError
from hotline.store.engine import WRITE

__all__ = ["IMPORT_KIND", "JobScheduler", "attach_import_jobs"]

IMPORT_KIND = "imports.run"
# The file is read beside the job; if the process dies meanwhile, the job fires again after
# this long and reads it anew.
_NOT_READY_S = 30.0


def _key(import_id: str) -> str:
    return f"import:{import_id}"


class JobScheduler:
    def __init__(self, host: JobHost) -> None:
        self.host = host

    async def schedule(
        self,
        conn: AsyncConnection,
        *,
        tenant_id: str,
        import_id: str,
        kind: str,
        actor: str | None,
    ) -> None:
        await self.host.schedule(
            conn,
            IMPORT_KIND,
            tenant_id=tenant_id,
            payload={"import_id": import_id, "kind": kind, "actor": actor},
            key=_key(import_id),
        )

    async def cancel(self, conn: AsyncConnection, *, tenant_id: str, import_id: str) -> str:
        job = await Jobs(conn).find(tenant_id, _key(import_id))
        if job is None or job.state not in {JobState.PENDING, JobState.RUNNING}:
            return "none"
        running = job.state is JobState.RUNNING
        await self.host.cancel(conn, job.id, tenant_id=tenant_id)
        return "running" if running else "cancelled"

    async def pending(self, conn: AsyncConnection, *, tenant_id: str, import_id: str) -> bool:
        job = await Jobs(conn).find(tenant_id, _key(import_id))
        return job is not None and job.state in {JobState.PENDING, JobState.RUNNING}

    async def fire_now(self, *, tenant_id: str, import_id: str) -> None:
        # The firing that found the file unready may still be finishing: try a few times,
        # else its retry delay brings it back.
        for _ in range(10):
            try:
                async with self.host.engine.connect() as raw:
                    conn = await raw.execution_options(**WRITE)
                    async with conn.begin():
                        job = await Jobs(conn).find(tenant_id, _key(import_id))
                        if job is None or job.state is not JobState.PENDING:
                            if job is None or job.state is not JobState.RUNNING:
                                return
                            raise JobNotRunnable("running")
                        await self.host.run_now(conn, job.id, tenant_id=tenant_id)
                return
            except JobError:
                await asyncio.sleep(0.2)


def attach_import_jobs(host: JobHost, runner: ImportRunner) -> None:
    """Register the handler of `imports.run` and let the runner schedule its runs there."""

    async def fire(ctx: JobContext) -> None:
        payload: dict[str, Any] = ctx.payload
        try:
            await runner.fire(
                ctx.tenant_id,
                str(payload["import_id"]),
                str(payload["kind"]),
                payload.get("actor"),
                ctx.uow,
                cancelled=lambda: ctx.cancelled,
                report=ctx.progress,
            )
        except NotReady:
            raise RetryLater("reading the file", delay_s=_NOT_READY_S) from None

    host.register(IMPORT_KIND, fire, retry=Retry(max_attempts=3, base_s=30.0))
    runner.scheduler = JobScheduler(host)
