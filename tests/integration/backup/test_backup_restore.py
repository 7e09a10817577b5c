"""Backups round-trip every row and file: the demo center with interactions, tickets and
recordings (plain and sealed) is backed up from one database and restored into a fresh one of
the other kind (SQLite → PostgreSQL, PostgreSQL → SQLite) with every table equal; a damaged or
foreign archive, a database that is not fresh, or a clashing file is refused before anything is
written."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.backup import ArchiveInvalid, Locations, RestoreTargetNotEmpty, backup, prune, restore
from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, Settings
from hotline.demo import seed_demo
from hotline.media.storage import FileRecordingStorage, recording_key
from hotline.store.engine import create_engine, is_sqlite
from hotline.store.migrate import current_revision
from hotline.store.tables import metadata, recordings
from hotline.store.uow import UnitOfWorkFactory
from hotline.vault import Keyring, SealedRecordingStorage
from tests import dbs


async def tables(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    async with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
            out[table.name] = [dict(r._mapping) for r in rows]
    return out


@pytest.fixture
def other(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database of the other kind."""
    if is_sqlite(database_url):
        url = dbs.create_pg_database()
        yield url
        dbs.drop_pg_database(url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path}/restored.db"


async def seed(engine: AsyncEngine, url: str, root: Path) -> list[str]:
    clock = FakeClock()
    settings = Settings.load(database=DatabaseSettings(url=url))
    center = await seed_demo(
        UnitOfWorkFactory(engine, EventBus()), clock, settings, password="demo-password-1"
    )
    plain = FileRecordingStorage(root / "recordings")
    sealed = SealedRecordingStorage(plain, Keyring(root / "keys"))
    keys = []
    async with engine.begin() as conn:
        for n, storage in enumerate((plain, sealed, sealed)):
            key, file = storage.create(
                recording_key(
                    center.tenant_id, f"01JINTERACTION{n:012d}", "LEG", 1_790_000_000.0 + n
                )
            )
            with file:
                file.write(b"RIFF" + bytes([n]) * 5000)
            keys.append(key)
            await conn.execute(
                insert(recordings).values(
                    id=f"rec-{n}", tenant_id=center.tenant_id,
                    interaction_id=f"01JINTERACTION{n:012d}", leg_id="LEG", kind="call",
                    path=key, duration_s=1.5 + n, channels=2,
                    sha256="x" * 64, size_bytes=5005, paused_spans=[[0.5, 0.75]], mailbox=None,
                    started_at=1_790_000_000.0 + n,
                )
            )  # fmt: skip
    return keys


async def test_a_backup_restores_into_the_other_database_with_every_row_and_file(
    engine: AsyncEngine, database_url: str, other: str, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    keys = await seed(engine, database_url, source)
    (source / "prompts").mkdir()
    (source / "prompts" / "welcome.wav").write_bytes(b"RIFF prompt")
    where = Locations(database_url, source / "recordings", source / "prompts", source / "keys")
    stages: list[str] = []
    report = await backup(
        where, tmp_path, with_keys=True, progress=lambda s, _d, _t: stages.append(s)
    )
    assert report.recordings == 3
    assert report.missing == []
    assert report.rows["customers"] == 12
    assert "table events" in stages
    assert "recordings" in stages
    assert report.path.name.startswith("hotline-backup-")

    target = tmp_path / "target"
    into = Locations(other, target / "recordings", target / "prompts", target / "keys")
    restored = await restore(report.path, into)
    assert restored.rows == report.rows
    fresh = create_engine(other)
    try:
        assert await tables(fresh) == await tables(engine)
    finally:
        await fresh.dispose()
    for key in keys:
        assert (target / "recordings" / key).read_bytes() == (
            source / "recordings" / key
        ).read_bytes()
    assert (target / "prompts" / "welcome.wav").read_bytes() == b"RIFF prompt"
    # The sealed recordings stay sealed on disk and open with the restored keys.
    reopened = SealedRecordingStorage(
        FileRecordingStorage(target / "recordings"), Keyring(target / "keys")
    )
    with reopened.open_read(keys[1]) as file:
        assert file.read() == b"RIFF" + bytes([1]) * 5000
    assert b"RIFF" not in (target / "recordings" / keys[1]).read_bytes()

    # The same backup again: the database is no longer fresh.
    with pytest.raises(RestoreTargetNotEmpty) as caught:
        await restore(report.path, into)
    assert "already holds data" in caught.value.message


async def test_damaged_or_foreign_archives_and_clashing_files_are_refused_first(
    engine: AsyncEngine, database_url: str, other: str, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    keys = await seed(engine, database_url, source)
    where = Locations(database_url, source / "recordings", source / "prompts", source / "keys")
    good = (await backup(where, tmp_path / "b.tar")).path
    target = tmp_path / "target"
    into = Locations(other, target / "recordings", target / "prompts", target / "keys")

    damaged = tmp_path / "damaged.tar"
    data = bytearray(good.read_bytes())
    with tarfile.open(good) as tar:
        member = tar.getmember(f"recordings/{keys[0]}")
    data[member.offset_data + 100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(ArchiveInvalid, match="is damaged"):
        await restore(damaged, into)
    assert not (target / "recordings").exists()

    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:
        tar.add(good, arcname="something.tar")
    with pytest.raises(ArchiveInvalid, match="not a Hotline backup"):
        await restore(foreign, into)

    (target / "recordings" / keys[0]).parent.mkdir(parents=True)
    (target / "recordings" / keys[0]).write_bytes(b"another recording")
    with pytest.raises(RestoreTargetNotEmpty, match="exists with other content"):
        await restore(good, into)
    fresh = create_engine(other)
    try:  # nothing written: no schema yet, or (PostgreSQL's test database) empty tables
        if await current_revision(fresh) is not None:
            assert all(not rows for rows in (await tables(fresh)).values())
    finally:
        await fresh.dispose()


def test_retention_keeps_the_newest(tmp_path: Path) -> None:
    for stamp in ("20261201T010000Z", "20261202T010000Z", "20261203T010000Z"):
        (tmp_path / f"hotline-backup-{stamp}.tar").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("kept")
    gone = prune(tmp_path, 2)
    assert [p.name for p in gone] == ["hotline-backup-20261201T010000Z.tar"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hotline-backup-20261202T010000Z.tar",
        "hotline-backup-20261203T010000Z.tar",
        "notes.txt",
    ]
