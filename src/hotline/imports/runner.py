"""Runs of imports — the dry run (`check`) and the commit — with live progress and cancel.

A run reads and cleans the file in a worker thread into the staging file, writes the problem
report, then plans every record against the stored ones. A commit does its planning and
writing in batches inside ONE unit of work, and marks the import done in that same
transaction: a failure, a cancel or `kill -9` before the commit leaves the target's tables as
they were, and re-running the same file finds every record already there (identity keys).

Progress lives in memory (the page polls it; the CLI draws it) and is saved on the import at
the end of each phase: during a commit on SQLite the database's one writer is the run itself.
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
from hotline.imports.ports import ImportRepository, UnitOfWorkFactory
from hotline.imports.progress import CancelToken, Phase, Progress
from hotline.imports.readers import Table, open_table
from hotline.imports.service import columns_of
from hotline.imports.staging import Staging
from hotline.imports.target import Target, TargetContext, TargetRegistry

__all__ = ["STAGING_FILE", "ImportRunner", "RunHandle", "TenantInfo", "staging_fingerprint"]

log = logging.getLogger(__name__)

_RUNNING = {ImportStatus.CHECKING, ImportStatus.IMPORTING}
STAGING_FILE = ".staging.db"
_STAGING_VERSION = 1  # bump when cleaning changes what a row becomes


@dataclass(frozen=True, slots=True)
class TenantInfo:
    region: str
    time_zone: str


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
    ) -> None:
        self.uow = uow
        self.repo = repo
        self.registry = registry
        self.files = files
        self.clock = clock
        self.tenant_info = tenant_info
        self.batch_size = batch_size
        self._active: dict[str, RunHandle] = {}

    # -- control ----------------------------------------------------------------------------

    async def begin(self, tenant_id: str, import_id: str, kind: str) -> dict[str, Any]:
        """Move the import into its run's status (checking / importing), committed."""
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
            await uow.commit()
        return {**row, **values}

    def launch(self, tenant_id: str, import_id: str, kind: str, actor: str | None) -> None:
        """Run in the background (the caller has `begin`-ed it)."""
        active = self.track(import_id, kind)

        async def background() -> None:
            with contextlib.suppress(HotlineError):
                await self.run(tenant_id, import_id, kind, actor, active=active)

        active.task = asyncio.get_running_loop().create_task(background())

    def track(self, import_id: str, kind: str) -> RunHandle:
        """A handle for a run about to start here (the CLI draws its progress from it)."""
        active = RunHandle(Progress(self.clock.monotonic, kind=kind), CancelToken())
        self._active[import_id] = active
        return active

    def progress(self, import_id: str) -> dict[str, Any] | None:
        active = self._active.get(import_id)
        return active.progress.snapshot() if active else None

    def cancel(self, import_id: str) -> bool:
        """Ask a run of this process to stop; False when none runs here."""
        active = self._active.get(import_id)
        if active is None:
            return False
        active.cancel.cancel()
        return True

    async def cancel_run(self, tenant_id: str, import_id: str) -> None:
        """Stop the import's run: the one of this process, or — when none runs here, as after
        a crash — mark it cancelled (its transaction is gone, nothing of it was written)."""
        if self.cancel(import_id):
            return
        async with self.uow() as uow:
            repo = self.repo(uow.conn)
            row = await repo.get(tenant_id, import_id)
            if row is None:
                raise ImportNotFound(f"no import {import_id!r}", details={"id": import_id})
            status = transition(ImportStatus(row["status"]), "cancel")
            now = self.clock.now()
            await repo.update(
                tenant_id,
                import_id,
                {
                    "status": str(status),
                    "error_code": "import.cancelled",
                    "error_message": "cancelled; nothing of the run was written",
                    "finished_at": now,
                    "updated_at": now,
                },
            )
            await uow.commit()

    async def wait(self, import_id: str) -> None:
        active = self._active.get(import_id)
        if active and active.task:
            with contextlib.suppress(Exception):
                await active.task

    async def stop(self) -> None:
        for active in list(self._active.values()):
            active.cancel.cancel()
        for active in list(self._active.values()):
            if active.task:
                with contextlib.suppress(Exception):
                    await active.task

    async def recover(self, *, older_than_s: float = 0.0) -> int:
        """Mark runs left by a process that died as failed (their transaction rolled back, so
        nothing of them is in the tables); the user starts them again."""
        count = 0
        async with self.uow() as uow:
            repo = self.repo(uow.conn)
            now = self.clock.now()
            for row in await repo.running():
                if row["id"] in self._active or now - float(row["updated_at"]) < older_than_s:
                    continue
                await repo.update(
                    row["tenant_id"],
                    row["id"],
                    {
                        "status": str(ImportStatus.FAILED),
                        "error_code": "import.interrupted",
                        "error_message": "the run was interrupted (the process stopped); "
                        "nothing of it was written — start it again",
                        "updated_at": now,
                    },
                )
                count += 1
            await uow.commit()
        return count

    # -- one run ------------------------------------------------------------------------------

    async def run(
        self,
        tenant_id: str,
        import_id: str,
        kind: str,
        actor: str | None,
        *,
        active: RunHandle | None = None,
    ) -> Counts:
        """Do the run the import was `begin`-ed for; record its end (done, checked, failed or
        cancelled) on the import. Re-raises what stopped it."""
        active = active or self.track(import_id, kind)
        run = _Run(tenant_id, import_id, kind, actor)
        staging: Staging | None = None
        done = False
        try:
            async with self.uow(write=False) as uow:
                row = await self.repo(uow.conn).get(tenant_id, import_id)
                if row is None:
                    raise ImportNotFound(f"no import {import_id!r}", details={"id": import_id})
                run.row = row
                run.tenant = await self.tenant_info(uow.conn, tenant_id)
            staging, counts = await self._stage(run, active)
            counts = await self._finish(run, staging, counts, active)
            active.progress.finish()
            done = True
            return counts
        except ImportCancelled as error:
            await self._end(run, ImportStatus.CANCELLED, error.code, error.message)
            raise
        except HotlineError as error:
            await self._end(run, ImportStatus.FAILED, error.code, error.message)
            raise
        except Exception:
            log.exception("import %s failed", import_id)
            await self._end(run, ImportStatus.FAILED, "internal", "internal error; see the log")
            raise
        finally:
            if staging is not None:
                # A dry run's rows stay for the commit; a failed commit's for the retry.
                spent = done and kind == "commit"
                staging.close(delete=spent or staging.sealed is None)
            self._active.pop(import_id, None)

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

    async def _stage(self, run: _Run, active: RunHandle) -> tuple[Staging, Counts]:
        """The file's clean rows in the staging file: read and cleaned now, or those a dry
        run of the same file, options and fields left; their problems into the report."""
        row = run.row
        async with self.uow(write=False) as uow:
            target = await self._target(run, uow.conn)
        fields = target.fields()
        mapping = {int(k): str(v) for k, v in (row.get("mapping") or {}).items()}
        path = self.files.work_dir(run.tenant_id, run.import_id) / STAGING_FILE
        fingerprint = staging_fingerprint(row, fields, run.tenant)
        staging = Staging.reuse(path, fingerprint) if run.kind == "commit" else None
        if staging is not None and staging.sealed is not None:
            counts = Counts.from_dict(staging.sealed)
            run.row["_columns"] = columns_of(row)
            active.progress.start(Phase.READING)
            active.progress.advance(counts.rows, 1.0)
        else:
            staging = Staging(path)
            table: Table = await asyncio.to_thread(
                open_table,
                self.files.path(str(row["file_key"])),
                encoding=row.get("encoding"),
                sheet=row.get("sheet"),
                header_rows=row.get("header_rows"),
            )
            try:
                check_mapping(mapping, table.layout.columns, fields)
                cleaner = Cleaner(run.tenant.region, run.tenant.time_zone)
                counts = await asyncio.to_thread(
                    stage_rows,
                    table,
                    target,
                    mapping,
                    cleaner,
                    staging,
                    active.progress,
                    active.cancel,
                    batch_size=self.batch_size,
                )
            except BaseException:
                staging.close()
                raise
            finally:
                table.close()
            staging.seal(fingerprint, counts.as_dict())
            run.row["_columns"] = table.layout.columns
        run.row["_mapping"] = mapping
        async with self.uow() as uow:
            repo = self.repo(uow.conn)
            await repo.clear_problems(run.tenant_id, run.import_id)
            for batch in staging.iter_problems(5000):
                await repo.add_problems(run.tenant_id, run.import_id, batch)
            await repo.update(
                run.tenant_id,
                run.import_id,
                {
                    "counts": counts.as_dict(),
                    "progress": active.progress.snapshot(),
                    "updated_at": self.clock.now(),
                },
            )
            await uow.commit()
        return staging, counts

    async def _finish(
        self, run: _Run, staging: Staging, staged: Counts, active: RunHandle
    ) -> Counts:
        rule = Rule(run.row.get("rule") or Rule.MERGE)
        abort = OnErrors(run.row.get("on_errors") or OnErrors.SKIP) is OnErrors.ABORT
        if run.kind != "commit":
            async with self.uow(write=False) as uow:
                counts, problems = await self._plan(run, uow, rule, staging, active, commit=False)
            async with self.uow() as uow:
                await self._record(uow, run, self._total(counts, staged), problems, active)
                await uow.commit()
            return self._total(counts, staged)
        if abort and staged.invalid:
            raise ImportHasInvalidRows(
                f"{staged.invalid} rows are invalid and 'import all rows' was chosen; nothing "
                "was written — fix them, or import only the valid rows",
                details={"invalid": staged.invalid},
            )
        # The import's one transaction: every batch, the report's last lines, the import's
        # status, the audit line and the event commit together or not at all.
        async with self.uow() as uow:
            counts, problems = await self._plan(run, uow, rule, staging, active, commit=True)
            if abort and problems:
                raise ImportHasInvalidRows(
                    f"{len(problems)} rows match several stored records; nothing was written",
                    details={"invalid": len(problems)},
                )
            total = self._total(counts, staged)
            await self._record(uow, run, total, problems, active)
            await uow.commit()
        return total

    @staticmethod
    def _total(planned: Counts, staged: Counts) -> Counts:
        total = Counts(**planned.as_dict())
        total.rows = staged.rows
        total.invalid += staged.invalid
        total.problems += staged.problems
        return total

    async def _plan(
        self,
        run: _Run,
        uow: Any,
        rule: Rule,
        staging: Staging,
        active: RunHandle,
        *,
        commit: bool,
    ) -> tuple[Counts, list[Problem]]:
        target = await self._target(run, uow.conn)
        if commit:
            await target.lock()
        return await plan_groups(
            staging,
            target,
            rule,
            commit=commit,
            progress=active.progress,
            cancel=active.cancel,
            mapping=run.row["_mapping"],
            columns=run.row["_columns"],
            batch_size=self.batch_size,
        )

    async def _record(
        self, uow: Any, run: _Run, counts: Counts, problems: list[Problem], active: RunHandle
    ) -> None:
        """The run's end on the import: its last problems, status, counts; for a commit also
        the audit line and the event."""
        commit = run.kind == "commit"
        repo = self.repo(uow.conn)
        await repo.add_problems(run.tenant_id, run.import_id, problems)
        now = self.clock.now()
        active.progress.finish()
        await repo.update(
            run.tenant_id,
            run.import_id,
            {
                "status": str(ImportStatus.DONE if commit else ImportStatus.CHECKED),
                "counts": counts.as_dict(),
                "progress": active.progress.snapshot(),
                "finished_at": now,
                "updated_at": now,
            },
        )
        if not commit:
            return
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
        uow.emit(
            ImportCommitted(
                tenant_id=run.tenant_id,
                at=now,
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

    async def _end(self, run: _Run, status: ImportStatus, code: str, message: str) -> None:
        try:
            async with self.uow() as uow:
                repo = self.repo(uow.conn)
                row = await repo.get(run.tenant_id, run.import_id)
                if row is None or ImportStatus(row["status"]) not in _RUNNING:
                    return
                now = self.clock.now()
                await repo.update(
                    run.tenant_id,
                    run.import_id,
                    {
                        "status": str(status),
                        "error_code": code,
                        "error_message": message,
                        "finished_at": now,
                        "updated_at": now,
                    },
                )
                await uow.commit()
        except Exception:
            log.exception("could not record the end of import %s", run.import_id)
