"""Job kinds the platform itself runs on the host (registered in `app.build_job_host`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hotline.events import ListSink
from hotline.jobs.context import JobContext
from hotline.media import FileRecordingStorage, purge_recordings

__all__ = ["PURGE_KIND", "RecordingPurgeJob"]

PURGE_KIND = "recordings.purge"


class RecordingPurgeJob:
    """Delete recordings past their retention (hourly). The file work runs off the event loop;
    the `recording.purged` events are written in the firing's transaction."""

    def __init__(self, directory: Path, retention_days: int) -> None:
        self.storage = FileRecordingStorage(directory)
        self.retention_days = retention_days

    async def __call__(self, ctx: JobContext) -> None:
        sink = ListSink()
        purged = await asyncio.get_running_loop().run_in_executor(
            None,
            lambda: purge_recordings(
                self.storage,
                now=ctx.now,
                default_retention_days=self.retention_days,
                sink=sink,
            ),
        )
        for event in sink.events:
            ctx.emit(event)
        n = len(purged)
        ctx.progress(n, n, f"已清理 {n} 条录音 / {n} recording(s) purged")
