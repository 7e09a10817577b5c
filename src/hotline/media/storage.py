"""Where recordings live: a small storage interface with the DESIGN §10 layout
`<tenant>/<yyyy>/<mm>/<dd>/<interaction>-<leg>.wav` (UTC date), a local-disk implementation,
and the retention purge the lead schedules (per-tenant retention days).

Keys are relative paths; the database row and the API deal in keys, never in absolute paths.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, Protocol

from hotline.events import EventSink
from hotline.media.errors import RecordingError
from hotline.media.events import RecordingPurged

__all__ = ["FileRecordingStorage", "RecordingStorage", "purge_recordings", "recording_key"]

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _part(value: str | None, fallback: str) -> str:
    # Ids are ULIDs; anything else is made path-safe so a key can never climb out of the root.
    return _SAFE.sub("_", value) if value else fallback


def recording_key(tenant_id: str, interaction_id: str | None, leg_id: str | None,
                  started_at: float) -> str:  # fmt: skip
    day = dt.datetime.fromtimestamp(started_at, tz=dt.UTC)
    return (
        f"{_part(tenant_id, 'default')}/{day:%Y/%m/%d}/"
        f"{_part(interaction_id, 'no-interaction')}-{_part(leg_id, 'no-leg')}.wav"
    )


class RecordingStorage(Protocol):
    def create(self, key: str) -> tuple[str, BinaryIO]:
        """Open a new file for writing at `key` (or a free variant of it); returns the key used."""
        ...

    def open_read(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def recordings(self, tenant_id: str) -> Iterator[tuple[str, float]]:
        """(key, modification time) of every recording of a tenant."""
        ...

    def tenants(self) -> list[str]: ...


class FileRecordingStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise RecordingError(f"recording key {key!r} leaves the storage root")
        return path

    def create(self, key: str) -> tuple[str, BinaryIO]:
        stem = key.removesuffix(".wav")
        for attempt in range(1, 1000):
            candidate = key if attempt == 1 else f"{stem}-{attempt}.wav"
            path = self.path(candidate)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                return candidate, path.open("xb")  # a leg recorded twice keeps both files
            except FileExistsError:
                continue
            except OSError as exc:
                raise RecordingError(f"cannot create recording {candidate}: {exc}") from exc
        raise RecordingError(f"too many recordings named {key}")

    def open_read(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        path = self.path(key)
        path.unlink(missing_ok=True)
        # Remove the day/month/year folders once they are empty.
        for parent in list(path.parents)[:3]:
            try:
                parent.rmdir()
            except OSError:
                break

    def tenants(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def recordings(self, tenant_id: str) -> Iterator[tuple[str, float]]:
        base = self.root / _part(tenant_id, "default")
        for path in sorted(base.glob("*/*/*/*.wav")):
            yield path.relative_to(self.root).as_posix(), path.stat().st_mtime


def purge_recordings(
    storage: RecordingStorage,
    *,
    now: float,
    default_retention_days: int,
    retention_days: Mapping[str, int] | None = None,
    sink: EventSink | None = None,
) -> list[str]:
    """Delete recordings older than their tenant's retention; returns the deleted keys.

    Blocking file work: the lead runs it in an executor, e.g. once an hour.
    """
    purged = []
    overrides = retention_days or {}
    for tenant in storage.tenants():
        days = overrides.get(tenant, default_retention_days)
        cutoff = now - days * 86400
        for key, modified in list(storage.recordings(tenant)):
            if modified < cutoff:
                storage.delete(key)
                purged.append(key)
                if sink is not None:
                    sink.emit(RecordingPurged(
                        tenant_id=tenant, at=now, path=key,
                        age_days=round((now - modified) / 86400, 2), retention_days=days,
                    ))  # fmt: skip
    return purged
