"""The job kind `tenant.purge`: a deleted center's data goes after its grace period, an export
first (docs/tenants.md).

`hotline tenant delete` (or the API) schedules it at `purge_at`; resume cancels it. A firing
checks the center is still being deleted and due, then:

1. writes the export — a backup of this tenant alone (its rows, recordings and recording key;
   `backup(tenant_id=…)`), which `hotline restore` takes into a fresh database — to
   `tenants.export_dir`. A firing holds its transaction (on SQLite the one writer lock), and a
   large center's export takes minutes: so the firing only starts the export in a worker
   thread and asks to be fired again (`RetryLater`) until it is written, like `backups.run`;
2. deletes the tenant's rows (`store.tenant_rows`, the rule the export used) and writes an
   audit row in the platform's log, then commits (a checkpoint);
3. removes its files: its recordings folder, the files its recording rows named, its import
   staging folder and its recording key. A crash here resumes at step 3.

Nothing of another tenant is touched: every delete is by the tenant's own condition.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from hotline.backup.service import BackupReport, Locations, run_backup
from hotline.jobs.context import JobContext
from hotline.jobs.errors import RetryLater
from hotline.store.auth_repo import SqlAudit
from hotline.store.tenant_repo import SqlTenantStore, ensure_platform
from hotline.store.tenant_rows import delete_tenant_rows, recording_paths
from hotline.tenants.model import TenantStatus

__all__ = ["TENANT_PURGE_KIND", "TenantPurgeJob", "export_name", "purge_key"]

TENANT_PURGE_KIND = "tenant.purge"
EXPORT_POLL_S = 5.0  # how soon a firing looks again at an export still being written

log = logging.getLogger(__name__)


def purge_key(tenant_id: str) -> str:
    """The job's key: one purge per tenant (a second delete moves it)."""
    return f"tenant.purge:{tenant_id}"


def export_name(slug: str, now: float) -> str:
    stamp = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"tenant-{slug}-{stamp}.tar"


@dataclass(frozen=True, slots=True)
class PurgeFolders:
    """Where a tenant's files live besides its recording rows' paths."""

    imports: Path  # staging files of imports: imports/<tenant id>/…


def _inside(root: Path, target: Path) -> bool:
    return target.resolve().is_relative_to(root.resolve()) and target.resolve() != root.resolve()


def remove_files(where: Locations, folders: PurgeFolders, tenant_id: str, paths: list[str]) -> int:
    """Delete the tenant's files; returns how many files went (blocking: run in a thread)."""
    removed = 0
    for key in paths:
        target = where.recordings / key
        if _inside(where.recordings, target) and target.is_file():
            target.unlink()
            removed += 1
    for root, name in ((where.recordings, tenant_id), (folders.imports, tenant_id)):
        folder = root / name
        if _inside(root, folder) and folder.is_dir():
            removed += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
    key_file = where.keys / f"{tenant_id}.json"
    if key_file.is_file():
        key_file.unlink()
        removed += 1
    return removed


class TenantPurgeJob:
    def __init__(self, where: Locations, export_dir: Path, folders: PurgeFolders) -> None:
        self.where = where
        self.export_dir = export_dir
        self.folders = folders
        self.exports: dict[str, asyncio.Task[BackupReport]] = {}  # by tenant id

    async def __call__(self, ctx: JobContext) -> None:
        tenant_id = str(ctx.payload["tenant_id"])
        resumed = (ctx.resume or {}).get("stage") == "files"  # rows gone, files left
        if not resumed and not await self._export_and_delete_rows(ctx, tenant_id):
            return
        state = ctx.resume or {}
        removed = await asyncio.to_thread(
            remove_files, self.where, self.folders, tenant_id, list(state["paths"])
        )
        export = state["export"]
        log.info("tenant %s purged: %d file(s) removed; export %s", tenant_id, removed, export)
        ctx.progress(1, 1, f"已清除，导出文件 {export} / purged; export {export}")

    async def close(self) -> None:
        """Stop hook: let exports being written finish (the next start begins them anew)."""
        running = [t for t in self.exports.values() if not t.done()]
        if running:
            await asyncio.wait(running, timeout=60)
        for task in self.exports.values():
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: reported by the next firing, not at exit
        self.exports.clear()

    def _export(self, ctx: JobContext, tenant_id: str, slug: str) -> BackupReport:
        """The finished export, or `RetryLater` while it is written (started if need be)."""
        task = self.exports.get(tenant_id)
        if task is None:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            target = self.export_dir / export_name(slug, ctx.now)
            task = asyncio.create_task(
                asyncio.to_thread(
                    run_backup, self.where, target, with_keys=True, tenant_id=tenant_id
                ),
                name=f"tenant-export-{slug}",
            )
            self.exports[tenant_id] = task
        if not task.done():
            ctx.progress(0, 3, f"导出 {slug} / exporting {slug}")
            raise RetryLater(f"exporting {slug}", delay_s=EXPORT_POLL_S)
        del self.exports[tenant_id]
        return task.result()  # a failed export fails this firing (retried, then reported)

    async def _export_and_delete_rows(self, ctx: JobContext, tenant_id: str) -> bool:
        row = await SqlTenantStore(ctx.conn).get(tenant_id)
        if row is None:
            ctx.progress(0, 0, "already purged")
            return False
        due = row.get("delete_after")
        if row.get("status") != TenantStatus.DELETING.value or due is None or due > ctx.now:
            # Resumed (the cancel raced this firing) or deleted again later: nothing now.
            ctx.progress(0, 0, f"center {row['slug']} is {row.get('status')}: not purged")
            return False
        report = self._export(ctx, tenant_id, str(row["slug"]))
        ctx.progress(1, 3, f"删除数据 / deleting the rows of {row['slug']}")
        paths = await recording_paths(ctx.conn, tenant_id)
        counts = await delete_tenant_rows(ctx.conn, tenant_id)
        platform = await ensure_platform(ctx.conn, ctx.now)
        await SqlAudit(ctx.conn).add(
            {
                "tenant_id": platform["id"],
                "at": ctx.now,
                "actor_id": None,
                "actor_name": f"job:{TENANT_PURGE_KIND}",
                "action": "purge",
                "entity": "tenant",
                "entity_id": tenant_id,
                "before": {"slug": row["slug"], "sip_domain": row["sip_domain"]},
                "after": {"export": str(report.path), "rows": counts},
                "ip": None,
            }
        )
        # Commit the rows' removal before any file goes: a crash leaves files, never rows
        # without their files; the next firing resumes at the files.
        await ctx.checkpoint({"stage": "files", "paths": paths, "export": str(report.path)})
        return True
