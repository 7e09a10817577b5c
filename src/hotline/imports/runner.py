"""Runs of imports — the dry run (`check`) and the commit — with live progress and cancel.

A run has two halves:

1. **prepare** — read and clean the file in a worker thread into the staging file (sealed
   with a fingerprint of file, options, mapping and fields). No database transaction is open:
   on SQLite, reading a 100,000-row workbook must not hold the one writer's lock.
2. **apply** — inside ONE unit of work: the report, then every record planned against the
   stored ones (and, for a commit, written batch by batch), then the import's new status, its
   audit line and its event. A failure, a cancel or `kill -9` before that unit of work
   commits leaves the target's tables as they were; re-running the same file finds every
   record already there (identity keys).

On the server the apply half is a firing of the job host (`imports.run`, one job per import,
scheduled in the transaction that starts the run): a crash during it rolls it back and the job
fires again after the restart. The prepare half runs as a task beside it; when the job fires
before the file is ready the firing says "later" and is made due again when it is. The CLI
and tests call `run()`, which does both halves in-process.

Progress lives in memory (the page polls it, the CLI draws it, the jobs page shows the apply
half) and is saved on the import at the end of each half.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.imports.cleaning import Cleaner
from hotline.imports.errors import ImportCancelled, ImportHasInvalidRows, ImportNotFound
from hotline.imports.events import ImportCommitted
from hotline.imports.files import ImportFiles
from hotline.imports.headers import Column
from hotline.imports.mapping import check_mapping
from hotline.imports.model import (
    Counts,
    FieldSpec,
    ImportStatus,
    OnErrors,
    Problem,
    Rule,
    transition,
)
from hotline.imports.pipeline import BATCH, plan_groups, stage_rows
from hotline.imports.ports import ImportRepository, RunScheduler, UnitOfWork, UnitOfWorkFactory
from hotline.imports.progress import CancelToken, Phase, Progress
from hotline.imports.readers import Table, open_table
from hotline.imports.service import columns_of
from hotline.imports.staging import Staging
from hotline.imports.target import Target, TargetContext, TargetRegistry

__all__ = [
    "STAGING_FILE",
    "ImportRunner",
    "NotReady",
    "RunHandle",
    "TenantInfo",
    "staging_fingerprint",
]

log = logging.getLogger(__name__)

_RUNNING = {ImportStatus.CHECKING, ImportStatus.IMPORTING}
_STATUS_OF = {"check": ImportStatus.CHECKING, "commit": ImportStatus.IMPORTING}
STAGING_FILE = ".staging.db"
_STAGING_VERSION = 1  # bump when cleaning changes what a row becomes


@dataclass(frozen=True, slots=True)
class TenantInfo:
    region: str
    time_zone: str


class NotReady(Exception):
    """The apply half fired before the file was read; it will be made due again."""


def staging_fingerprint(
    row: dict[str, Any], fields: Sequence[FieldSpec], tenant: TenantInfo
) -> str:
    """What a pass's clean rows depend on: the file, how it is read and mapped, the fields
    (custom fields too) and the tenant's phone region and zone."""
    basis = {
        "version": _STAGING_VERSION,
        "file": row.get("file_sha256"),
        "read": [row.get("encoding"), row.get("sheet"), row.get("header_rows")],
        "mapping": row.get("mapping"),
        "target": row.get("target"),
        "fields": [f.describe() for f in fields],
        "tenant": [tenant.region, tenant.time_zone],
    }
    text = json.dumps(basis, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class RunHandle:
    """A run of this process: its progress and its cancel switch."""

    progress: Progress
    cancel: CancelToken
    task: asyncio.Task[Any] | None = None


@dataclass
class _Run:
    tenant_id: str
    import_id: str
    kind: str  # check | commit
    actor: str | None
    row: dict[str, Any] = field(default_factory=dict)
    tenant: TenantInfo = TenantInfo("CN", "Asia/Shanghai")
    mapping: dict[int, str] = field(default_factory=dict)
    columns: Sequence[Column] = ()

    @property
    def commit(self) -> bool:
        return self.kind == "commit"


class ImportRunner:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        repo: Callable[[Any], ImportRepository],
        registry: TargetRegistry,
        files: ImportFiles,
        clock: Clock,
        tenant_info: Callable[[Any, str], Awaitable[TenantInfo]],
        batch_size: int = BATCH,
        scheduler: RunScheduler | None = None,
    ) -> None:
        self.uow = uow
        self.repo = repo
        self.registry = registry
        self.files = files
        self.clock = clock
        self.tenant_info = tenant_info
        self.batch_size = batch_size
        self.scheduler = scheduler
        self._active: dict[str, RunHandle] = {}
        self._preparing: dict[str, asyncio.Task[None]] = {}
        self._applying: set[str] = set()  # imports whose apply half runs in this process

    # -- control ----------------------------------------------------------------------------

    async def begin(
        self,
        tenant_id: str,
        import_id: str,
        kind: str,
        actor: str | None = None,
        *,
        background: bool = True,
    ) -> dict[str, Any]:
        """Move the import into its run's status (checking / importing) and — on the server
        (`background`) — schedule its job in the same transaction and start reading the file.
        The CLI passes `background=False` and calls `run()`."""
        async with self.uow() as uow:
            repo = self.repo(uow.conn)
            row = await repo.get(tenant_id, import_id)
            if row is None:
                raise ImportNotFound(f"no import {import_id!r}", details={"id": import_id})
            status = transition(ImportStatus(row["status"]), kind)
            now = self.clock.now()
            values = {
                "status": str(status),
                "started_at": now,
                "finished_at": None,
                "updated_at": now,
                "error_code": None,
                "error_message": None,
                "progress": None,
            }
            await repo.update(tenant_id, import_id, values)
            if background and self.scheduler is not None:
                await self.scheduler.schedule(
                    uow.conn, tenant_id=tenant_id, import_id=import_id, kind=kind, actor=actor
                )
            await uow.commit()
        if background:
            if self.scheduler is not None:
                self.prepare_soon(tenant_id, import_id, kind, actor)
            else:
                handle = self.track(import_id, kind)

                async def alone() -> None:
                    with contextlib.suppress(HotlineError):
                        await self.run(tenant_id, import_id, kind, actor, active=handle)

                handle.task = asyncio.get_running_loop().create_task(alone())
        return {**row, **values}

    def track(self, import_id: str, kind: str) -> RunHandle:
        """The handle of this process's run of the import (made when missing)."""
        handle = self._active.get(import_id)
        if handle is None or handle.progress.kind != kind:
            handle = RunHandle(Progress(self.clock.monotonic, kind=kind), CancelToken())
            self._active[import_id] = handle
        return handle

    def progress(self, import_id: str) -> dict[str, Any] | None:
        handle = self._active.get(import_id)
        return handle.progress.snapshot() if handle else None

    def cancel(self, import_id: str) -> bool:
        """Ask this process's run to stop; False when none runs here."""
        handle = self._active.get(import_id)
        if handle is None:
            return False
        handle.cancel.cancel()
        return True

    async def cancel_run(self, tenant_id: str, import_id: str) -> None:
        """Stop the import's run wherever it is: reading the file here, waiting for its job,
        or in its job's firing (which rolls back and records the cancel itself)."""
        self.cancel(import_id)
        if import_id in self._applying:
            # Its transaction sees the switch at the next batch. (On SQLite that transaction
            # holds the writer: anything written here would wait for it to end.)
            return
        async with self.uow() as uow:
            repo = self.repo(uow.conn)
            row = await repo.get(tenant_id, import_id)
            if row is None:
                raise ImportNotFound(f"no import {import_id!r}", details={"id": import_id})
            status = transition(ImportStatus(row["status"]), "cancel")
            job = "none"
            if self.scheduler is not None:
                job = await self.scheduler.cancel(
                    uow.conn, tenant_id=tenant_id, import_id=import_id
                )
            if job != "running":
                now = self.clock.now()
                await repo.update(
                    tenant_id,
                    import_id,
                    {
                        "status": str(status),
                        "error_code": ImportCancelled.code,
                        "error_message": "cancelled; nothing of the run was written",
                        "finished_at": now,
                        "updated_at": now,
                    },
                )
            await uow.commit()

    async def wait(self, import_id: str) -> None:
        """Until this process's background work for the import is over (tests)."""
        for task in (
            self._preparing.get(import_id),
            getattr(self._active.get(import_id), "task", None),
        ):
            if task is not None:
                with contextlib.suppress(Exception):
                    await task

    async def stop(self) -> None:
        """At shutdown: stop reading files. A firing is left to the job host, which rolls it
        back; the job fires again after the restart and the file is read anew."""
        tasks = [*self._preparing.values()]
        tasks += [h.task for h in self._active.values() if h.task is not None]
        for import_id in self._preparing:
            self.cancel(import_id)  # the reading thread stops at its next batch
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task

    async def recover(self) -> int:
        """At start: a run whose job will still fire gets its file read again; a run nobody
        will finish (a CLI that died) is marked failed — its transaction rolled back, nothing
        of it is in the tables. Returns how many were marked failed."""
        failed = 0
        resume: list[dict[str, Any]] = []
        async with self.uow() as uow:
            repo = self.repo(uow.conn)
            now = self.clock.now()
            for row in await repo.running():
                if row["id"] in self._active:
                    continue
                if self.scheduler is not None and await self.scheduler.pending(
                    uow.conn, tenant_id=row["tenant_id"], import_id=row["id"]
                ):
                    resume.append(row)
                    continue
                await repo.update(
                    row["tenant_id"],
                    row["id"],
                    {
                        "status": str(ImportStatus.FAILED),
                        "error_code": "import.interrupted",
                        "error_message": "the run was interrupted (its process stopped); "
                        "nothing of it was written — start it again",
                        "updated_at": now,
                    },
                )
                failed += 1
            await uow.commit()
        for row in resume:
            kind = "commit" if row["status"] == ImportStatus.IMPORTING else "check"
            self.prepare_soon(row["tenant_id"], row["id"], kind, row.get("created_by"))
        return failed

    # -- the prepare half (outside any transaction) ------------------------------------------

    def prepare_soon(self, tenant_id: str, import_id: str, kind: str, actor: str | None) -> None:
        """Read the file in the background, then make the import's job due."""
        if import_id in self._preparing:
            return
        handle = self.track(import_id, kind)
        task = asyncio.get_running_loop().create_task(
            self._prepare_task(tenant_id, import_id, kind, actor, handle)
        )
        self._preparing[import_id] = task
        task.add_done_callback(lambda _: self._preparing.pop(import_id, None))

    async def _prepare_task(
        self, tenant_id: str, import_id: str, kind: str, actor: str | None, handle: RunHandle
    ) -> None:
        run = _Run(tenant_id, import_id, kind, actor)
        try:
            await self._load(run)
            staging, _ = await self.prepare(run, handle)
            staging.close(delete=False)
        except HotlineError as error:
            self._active.pop(import_id, None)
            await self._end(run, error, cancel_job=True)
            return
        except Exception:
            log.exception("import %s: reading the file failed", import_id)
            self._active.pop(import_id, None)
            await self._end(
                run, HotlineError("internal error; see the log", code="internal"), cancel_job=True
            )
            return
        if self.scheduler is not None:
            await self.scheduler.fire_now(tenant_id=tenant_id, import_id=import_id)

    async def _load(self, run: _Run, uow: UnitOfWork | None = None) -> None:
        async with contextlib.AsyncExitStack() as stack:
            if uow is None:
                uow = await stack.enter_async_context(self.uow(write=False))
            row = await self.repo(uow.conn).get(run.tenant_id, run.import_id)
            if row is None:
                raise ImportNotFound(f"no import {run.import_id!r}", details={"id": run.import_id})
            run.row = row
            run.tenant = await self.tenant_info(uow.conn, run.tenant_id)
            run.mapping = {int(k): str(v) for k, v in (row.get("mapping") or {}).items()}
            run.columns = columns_of(row)

    def _context(self, run: _Run, connection: Any) -> TargetContext:
        return TargetContext(
            tenant_id=run.tenant_id,
            region=run.tenant.region,
            time_zone=run.tenant.time_zone,
            now=self.clock.now(),
            actor=run.actor,
            connection=connection,
        )

    async def _target(self, run: _Run, connection: Any) -> Target:
        return await self.registry.build(run.row["target"], self._context(run, connection))

    def _staging_path(self, run: _Run) -> Any:
        return self.files.work_dir(run.tenant_id, run.import_id) / STAGING_FILE

    async def prepare(self, run: _Run, handle: RunHandle) -> tuple[Staging, Counts]:
        """The file's clean rows in the staging file: those a finished pass over the same
        file, options and fields sealed, or read and cleaned now."""
        async with self.uow(write=False) as uow:
            target = await self._target(run, uow.conn)
        fields = target.fields()
        fingerprint = staging_fingerprint(run.row, fields, run.tenant)
        staging = Staging.reuse(self._staging_path(run), fingerprint)
        if staging is not None and staging.sealed is not None:
            counts = Counts.from_dict(staging.sealed)
            handle.progress.start(Phase.READING)
            handle.progress.advance(counts.rows, 1.0)
            return staging, counts
        staging = Staging(self._staging_path(run))
        try:
            table: Table = await asyncio.to_thread(
                open_table,
                self.files.path(str(run.row["file_key"])),
                encoding=run.row.get("encoding"),
                sheet=run.row.get("sheet"),
                header_rows=run.row.get("header_rows"),
            )
            try:
                check_mapping(run.mapping, table.layout.columns, fields)
                run.columns = table.layout.columns
                counts = await asyncio.to_thread(
                    stage_rows,
                    table,
                    target,
                    run.mapping,
                    Cleaner(run.tenant.region, run.tenant.time_zone),
                    staging,
                    handle.progress,
                    handle.cancel,
                    batch_size=self.batch_size,
                )
            finally:
                table.close()
        except BaseException:
            staging.close()
            raise
        staging.seal(fingerprint, counts.as_dict())
        return staging, counts

    # -- the apply half (inside the caller's unit of work) -----------------------------------

    async def fire(
        self,
        tenant_id: str,
        import_id: str,
        kind: str,
        actor: str | None,
        uow: UnitOfWork,
        *,
        cancelled: Callable[[], bool] = lambda: False,
        report: Callable[[int, int | None, str], None] | None = None,
    ) -> None:
        """The job's firing: apply the run on the firing's unit of work (the host commits).
        A run that cannot finish records why on the import and returns; `NotReady` when the
        file is still being read."""
        run = _Run(tenant_id, import_id, kind, actor)
        try:
            await self._load(run, uow)
        except ImportNotFound:
            return  # deleted meanwhile
        if run.row["status"] != _STATUS_OF[kind]:
            return  # a stale job: the run was cancelled or finished meanwhile
        async with self.uow(write=False) as read:
            target = await self._target(run, read.conn)
        fingerprint = staging_fingerprint(run.row, target.fields(), run.tenant)
        staging = Staging.reuse(self._staging_path(run), fingerprint)
        if staging is None:
            self.prepare_soon(tenant_id, import_id, kind, actor)
            raise NotReady(import_id)
        handle = self.track(import_id, kind)
        handle.cancel.also = cancelled
        self._applying.add(import_id)
        if report is not None:
            message = f"{run.row['file_name']}"
            handle.progress.listener = lambda p: report(p.done, p.total, message)
        done = False
        try:
            staged = Counts.from_dict(staging.sealed or {})
            try:
                await self.apply(uow, run, staging, staged, handle)
                done = True
            except HotlineError as error:
                await self._end_on(uow, run, error)
        finally:
            staging.close(delete=done and run.commit)
            self._active.pop(import_id, None)
            self._applying.discard(import_id)

    async def run(
        self,
        tenant_id: str,
        import_id: str,
        kind: str,
        actor: str | None,
        *,
        active: RunHandle | None = None,
    ) -> Counts:
        """Both halves in this process (the CLI, tests, a server without a job host): record
        the end (checked, done, failed, cancelled) on the import; re-raise what stopped it."""
        handle = active or self.track(import_id, kind)
        run = _Run(tenant_id, import_id, kind, actor)
        staging: Staging | None = None
        done = False
        try:
            await self._load(run)
            staging, staged = await self.prepare(run, handle)
            self._applying.add(import_id)
            async with self.uow() as uow:
                try:
                    counts = await self.apply(uow, run, staging, staged, handle)
                except HotlineError as error:
                    await self._end_on(uow, run, error)
                    await uow.commit()
                    raise
                await uow.commit()
            done = True
            return counts
        except HotlineError as error:
            if not run.row or error.code in {ImportNotFound.code}:
                raise
            await self._end(run, error)
            raise
        except Exception:
            log.exception("import %s failed", import_id)
            await self._end(run, HotlineError("internal error; see the log", code="internal"))
            raise
        finally:
            if staging is not None:
                # A dry run's rows stay for the commit; a failed commit's for the retry.
                spent = done and run.commit
                staging.close(delete=spent or staging.sealed is None)
            self._active.pop(import_id, None)
            self._applying.discard(import_id)

    async def apply(
        self, uow: UnitOfWork, run: _Run, staging: Staging, staged: Counts, handle: RunHandle
    ) -> Counts:
        """The report, the plan (and the writes), the import's end — on `uow`. A problem
        that stops the run rolls back its savepoint and raises; the report stays."""
        repo = self.repo(uow.conn)
        await repo.clear_problems(run.tenant_id, run.import_id)
        for batch in staging.iter_problems(5000):
            await repo.add_problems(run.tenant_id, run.import_id, batch)
        await repo.update(
            run.tenant_id,
            run.import_id,
            {"counts": staged.as_dict(), "updated_at": self.clock.now()},
        )
        rule = Rule(run.row.get("rule") or Rule.MERGE)
        abort = OnErrors(run.row.get("on_errors") or OnErrors.SKIP) is OnErrors.ABORT
        if run.commit and abort and staged.invalid:
            raise ImportHasInvalidRows(
                f"{staged.invalid} rows are invalid and 'import all rows' was chosen; nothing "
                "was written — fix them, or import only the valid rows",
                details={"invalid": staged.invalid},
            )
        problems: list[Problem] = []
        try:
            # A savepoint: a run stopped half-way leaves nothing, yet its end is recorded in
            # the same transaction (the job's firing completes either way).
            async with uow.conn.begin_nested():
                target = await self._target(run, uow.conn)
                if run.commit:
                    await target.lock()
                counts, problems = await plan_groups(
                    staging,
                    target,
                    rule,
                    commit=run.commit,
                    progress=handle.progress,
                    cancel=handle.cancel,
                    mapping=run.mapping,
                    columns=run.columns,
                    batch_size=self.batch_size,
                )
                if run.commit and abort and problems:
                    raise ImportHasInvalidRows(
                        f"{len(problems)} rows match several stored records; nothing was written",
                        details={"invalid": len(problems)},
                    )
                total = self._total(counts, staged)
                await self._record(uow, run, total, problems, handle)
        except HotlineError:
            await repo.add_problems(run.tenant_id, run.import_id, problems)
            raise
        if run.commit:
            self._announce(uow, run, total)
        return total

    @staticmethod
    def _total(planned: Counts, staged: Counts) -> Counts:
        total = Counts(**planned.as_dict())
        total.rows = staged.rows
        total.invalid += staged.invalid
        total.problems += staged.problems
        return total

    async def _record(
        self, uow: UnitOfWork, run: _Run, counts: Counts, problems: list[Problem], handle: RunHandle
    ) -> None:
        """The run's end on the import: its last problems, status, counts; for a commit also
        the audit line."""
        repo = self.repo(uow.conn)
        await repo.add_problems(run.tenant_id, run.import_id, problems)
        now = self.clock.now()
        handle.progress.finish()
        await repo.update(
            run.tenant_id,
            run.import_id,
            {
                "status": str(ImportStatus.DONE if run.commit else ImportStatus.CHECKED),
                "counts": counts.as_dict(),
                "progress": handle.progress.snapshot(),
                "finished_at": now,
                "updated_at": now,
            },
        )
        if run.commit:
            await repo.audit(
                {
                    "tenant_id": run.tenant_id,
                    "at": now,
                    "actor_id": None,
                    "actor_name": run.actor,
                    "action": "import",
                    "entity": str(run.row["target"]),
                    "entity_id": run.import_id,
                    "before": None,
                    "after": {"file": run.row["file_name"], **counts.as_dict()},
                    "ip": None,
                }
            )

    def _announce(self, uow: UnitOfWork, run: _Run, counts: Counts) -> None:
        uow.emit(
            ImportCommitted(
                tenant_id=run.tenant_id,
                at=self.clock.now(),
                import_id=run.import_id,
                target=str(run.row["target"]),
                file_name=str(run.row["file_name"]),
                new=counts.new,
                updated=counts.updated,
                merged=counts.merged,
                unchanged=counts.unchanged,
                skipped=counts.skipped,
                invalid=counts.invalid,
                by=run.actor,
            )
        )

    # -- a run's end when it did not finish --------------------------------------------------

    def _end_values(self, error: HotlineError) -> dict[str, Any]:
        now = self.clock.now()
        cancelled = isinstance(error, ImportCancelled)
        return {
            "status": str(ImportStatus.CANCELLED if cancelled else ImportStatus.FAILED),
            "error_code": error.code,
            "error_message": error.message,
            "finished_at": now,
            "updated_at": now,
        }

    async def _end_on(self, uow: UnitOfWork, run: _Run, error: HotlineError) -> None:
        repo = self.repo(uow.conn)
        row = await repo.get(run.tenant_id, run.import_id)
        if row is not None and ImportStatus(row["status"]) in _RUNNING:
            await repo.update(run.tenant_id, run.import_id, self._end_values(error))

    async def _end(self, run: _Run, error: HotlineError, *, cancel_job: bool = False) -> None:
        try:
            async with self.uow() as uow:
                await self._end_on(uow, run, error)
                if cancel_job and self.scheduler is not None:
                    await self.scheduler.cancel(
                        uow.conn, tenant_id=run.tenant_id, import_id=run.import_id
                    )
                await uow.commit()
        except Exception:
            log.exception("could not record the end of import %s", run.import_id)
