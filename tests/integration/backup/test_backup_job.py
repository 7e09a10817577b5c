"""Backups scheduled on the job host: `backups.run` is kept as a daily recurring job; running it
starts a backup off the firing's transaction (on SQLite the writer lock is released at once),
writes the archive, applies retention and reports in /metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.app import build_services
from hotline.backup.job import BACKUP_KIND, BackupJob
from hotline.config import BackupSettings, DatabaseSettings, RecordingSettings, Settings
from hotline.demo import seed_demo
from hotline.jobs import SYSTEM_TENANT, Jobs, JobState


async def test_the_scheduled_backup_runs_on_the_job_host_with_retention(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20260101T030000Z", "20260102T030000Z"):
        (folder / f"hotline-backup-{stamp}.tar").write_bytes(b"old")
    settings = Settings.load(
        database=DatabaseSettings(url=database_url),
        recording=RecordingSettings(directory=tmp_path / "rec", key_dir=tmp_path / "keys"),
        backup=BackupSettings(directory=folder, keep=2),
    )
    services = build_services(settings)
    await services.start(run_migrations=False)
    try:
        await seed_demo(services.uow, services.clock, settings, password="demo-password-1")
        await services.jobs.start()
        async with services.uow() as uow:
            (job,), _ = await Jobs(uow.conn).list(SYSTEM_TENANT, kind=BACKUP_KIND)
            assert (job.cron, job.timezone) == ("0 3 * * *", "Asia/Shanghai")
            await services.jobs.run_now(uow.conn, job.id, tenant_id=SYSTEM_TENANT)
            await uow.commit()
        handler = services.backup_job
        assert isinstance(handler, BackupJob)
        for _ in range(600):
            if handler.task is not None and handler.task.done():
                break
            await asyncio.sleep(0.05)
        assert handler.task is not None
        report = handler.task.result()
        assert report is not None
        assert report.rows["customers"] == 12
        kept = sorted(p.name for p in folder.glob("hotline-backup-*.tar"))
        assert kept == ["hotline-backup-20260102T030000Z.tar", report.path.name]
        metrics = dict((name, value) for name, value, _ in services.extra_metrics())
        assert metrics["hotline_backup_last_success_timestamp_seconds"] > 0
        assert metrics["hotline_backup_failures_total"] == 0
        async with services.uow(write=False) as uow:
            done = await Jobs(uow.conn).get(job.id, tenant_id=SYSTEM_TENANT)
        assert done.state is JobState.PENDING  # recurring: waiting for tomorrow 03:00
        assert done.runs >= 1
        assert "backup started" in done.progress.message
    finally:
        await services.stop()
