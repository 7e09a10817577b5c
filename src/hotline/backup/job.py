"""The scheduled backup: the job kind `backups.run` on the job host (docs/jobs.md).

A firing holds its transaction — on SQLite the single writer lock — until its handler returns,
and a backup of a large center takes minutes. So the handler only *starts* the backup: it runs
in a worker thread with its own event loop and database engine (`run_backup`), never holding
the firing's transaction and never stalling the server's loop, and the firing finishes at once
("started", or "still running" when the previous one is not done). The outcome goes to the log
and to `/metrics` (`hotline_backup_last_success_timestamp_seconds`, `…_failures_total`) for
alerting, and old backups beyond `keep` are deleted after a success."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from hotline.backup.service import BackupReport, Locations, prune, run_backup
from hotline.jobs.context import JobContext

__all__ = ["BACKUP_KIND", "BackupJob"]

BACKUP_KIND = "backups.run"

log = logging.getLogger(__name__)


class BackupJob:
    def __init__(
        self, where: Locations, directory: Path, *, keep: int, with_keys: bool = False
    ) -> None:
        self.where = where
        self.directory = directory
        self.keep = keep
        self.with_keys = with_keys
        self.task: asyncio.Task[BackupReport | None] | None = None
        self.last_success_at = 0.0
        self.last_seconds = 0.0
        self.last_bytes = 0
        self.failures = 0

    async def __call__(self, ctx: JobContext) -> None:
        if self.task is not None and not self.task.done():
            ctx.progress(0, None, "上一次备份仍在进行 / the previous backup is still running")
            return
        self.task = asyncio.create_task(self.run(), name="backup")
        ctx.progress(0, None, f"备份已开始 / backup started into {self.directory}")

    async def run(self) -> BackupReport | None:
        """One backup and the retention after it; None when it failed (logged, counted)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            report = await asyncio.to_thread(
                run_backup, self.where, self.directory, with_keys=self.with_keys
            )
            gone = await asyncio.to_thread(prune, self.directory, self.keep)
        except Exception:  # reported in the log and /metrics; the next run tries again
            self.failures += 1
            log.exception("scheduled backup into %s failed", self.directory)
            return None
        self.last_success_at = time.time()
        self.last_seconds = report.seconds
        self.last_bytes = report.size_bytes
        log.info(
            "backup %s: %d rows, %d recordings, %.1f MB in %.1f s; %d old backup(s) deleted",
            report.path,
            sum(report.rows.values()),
            report.recordings,
            report.size_bytes / 1e6,
            report.seconds,
            len(gone),
        )
        return report

    def metrics(self) -> list[tuple[str, float, str]]:
        return [
            (
                "hotline_backup_last_success_timestamp_seconds",
                self.last_success_at,
                "when the last scheduled backup finished (0: none since start)",
            ),
            ("hotline_backup_last_duration_seconds", self.last_seconds, "its duration"),
            ("hotline_backup_last_size_bytes", float(self.last_bytes), "its size"),
            (
                "hotline_backup_failures_total",
                float(self.failures),
                "scheduled backups that failed",
            ),
        ]

    async def close(self) -> None:
        """Let a running backup finish (stop hooks): a half-written file is never kept anyway."""
        if self.task is not None and not self.task.done():
            await asyncio.wait({self.task}, timeout=60)
