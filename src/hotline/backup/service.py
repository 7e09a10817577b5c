"""`hotline backup` and `hotline restore`: the database (SQLite or PostgreSQL) and the stored
files, consistent while the server runs, into and out of one archive (ADR 0117).

Consistent: every table is read in one read-only snapshot transaction (PostgreSQL REPEATABLE
READ; SQLite's WAL read transaction), and the recordings copied are exactly those the snapshot's
`recordings` rows name — a recording still being written has no row yet and is left for the
next backup, so a restore never has a row without its file. Files are immutable once their row
exists; one a retention purge deleted meanwhile is reported as missing.

A restore checks every member's checksum first, puts the files in place (refusing to overwrite
a different file), then writes every row in one transaction into a fresh database migrated to
the backup's schema version, and migrates it to this Hotline's newest. The archive's rows are
plain JSON, so a SQLite backup restores into PostgreSQL and back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Table, func, insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline import __version__
from hotline.backup.archive import ArchiveReader, ArchiveWriter
from hotline.backup.errors import ArchiveInvalid, BackupError, RestoreTargetNotEmpty
from hotline.store.engine import WRITE, create_engine, is_sqlite
from hotline.store.migrate import current_revision, head_revision, migrate, migrations_dir
from hotline.store.schema import metadata
from hotline.store.tenant_rows import of_tenant

__all__ = [
    "BACKUP_GLOB",
    "BackupReport",
    "Locations",
    "RestoreReport",
    "backup",
    "backup_name",
    "prune",
    "restore",
    "run_backup",
]

BACKUP_GLOB = "hotline-backup-*.tar"
_BATCH = 500

# (stage, done, total or None): "long work shows progress".
Progress = Callable[[str, int, int | None], None]


def _quiet(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Locations:
    """Where a Hotline keeps its data (from `Settings`)."""

    database_url: str
    recordings: Path
    prompts: Path
    keys: Path


@dataclass
class BackupReport:
    path: Path
    revision: str
    rows: dict[str, int]
    recordings: int
    missing: list[str]
    size_bytes: int
    seconds: float


@dataclass
class RestoreReport:
    revision: str
    rows: dict[str, int]
    recordings: int
    files: int
    skipped: list[str] = field(default_factory=list)


def backup_name(now: float) -> str:
    stamp = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"hotline-backup-{stamp}.tar"


def _ordered(table: Table) -> Any:
    return select(table).order_by(*table.primary_key.columns)


async def _snapshot(
    conn: AsyncConnection, archive: ArchiveWriter, progress: Progress, tenant_id: str | None
) -> tuple[str, dict[str, int], list[str]]:
    revision = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    if revision is None:
        raise BackupError("the database has no schema yet (run `hotline migrate`)")
    if revision != head_revision():
        raise BackupError(
            f"the database is at schema {revision}, this Hotline's is {head_revision()}: "
            "run `hotline migrate`, or back up with the Hotline that serves it",
            details={"revision": str(revision)},
        )
    rows: dict[str, int] = {}
    recording_keys: list[str] = []
    tables = metadata.sorted_tables
    for index, table in enumerate(tables):
        progress(f"table {table.name}", index, len(tables))
        writer = archive.table(table.name)
        query = _ordered(table)
        if tenant_id is not None:  # a tenant's export: its rows only (`store.tenant_rows`)
            condition = of_tenant(table, tenant_id)
            if condition is None:
                writer.close()
                rows[table.name] = 0
                continue
            query = query.where(condition)
        result = await conn.stream(query)
        async for part in result.mappings().partitions(_BATCH):
            batch = [dict(row) for row in part]
            writer.write(batch)
            if table.name == "recordings":
                recording_keys.extend(str(r["path"]) for r in batch)
        writer.close()
        rows[table.name] = writer.rows
    progress("tables", len(tables), len(tables))
    return str(revision), rows, recording_keys


async def backup(
    where: Locations,
    out: Path,
    *,
    with_keys: bool = False,
    progress: Progress = _quiet,
    tenant_id: str | None = None,
) -> BackupReport:
    """Write a backup to `out` (a file, or a directory to name one in); returns what it holds.
    With `tenant_id`, an export of that tenant alone: its rows, its recordings and (with keys)
    its recording key, no shared prompts; `hotline restore` takes it into a fresh database."""
    started = time.monotonic()
    now = time.time()
    # Blocking file work is fine here: a backup runs in its own process (the CLI) or in its
    # own thread and event loop (`run_backup`, from the job host), never on the server's loop.
    path = out / backup_name(now) if out.is_dir() else out  # noqa: ASYNC240
    path.parent.mkdir(parents=True, exist_ok=True)
    archive = ArchiveWriter(path)
    engine = create_engine(where.database_url)
    try:
        async with engine.connect() as conn:
            if not is_sqlite(where.database_url):
                conn = await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                if not is_sqlite(where.database_url):
                    await conn.execute(text("SET TRANSACTION READ ONLY"))
                revision, rows, keys = await _snapshot(conn, archive, progress, tenant_id)
        missing: list[str] = []
        for index, key in enumerate(keys):
            progress("recordings", index, len(keys))
            source = (where.recordings / key).resolve()
            if not source.is_relative_to(where.recordings.resolve()) or not source.is_file():
                missing.append(key)
                continue
            archive.add_file(f"recordings/{key}", source)
        progress("recordings", len(keys), len(keys))
        for folder, prefix in ((where.prompts, "prompts"), (where.keys, "keys")):
            if prefix == "keys" and not with_keys:
                continue
            if prefix == "prompts" and tenant_id is not None:
                continue  # prompts are shared by every tenant's flows
            if folder.is_dir():
                for source in sorted(p for p in folder.rglob("*") if p.is_file()):
                    if source.suffix in (".tmp", ".partial"):
                        continue
                    if tenant_id is not None and source.name != f"{tenant_id}.json":
                        continue  # a tenant's export holds its own key only
                    archive.add_file(f"{prefix}/{source.relative_to(folder).as_posix()}", source)
        archive.finish(
            {
                "hotline_version": __version__,
                "created_at": now,
                "revision": revision,
                "database": "sqlite" if is_sqlite(where.database_url) else "postgresql",
                "rows": rows,
                "recordings": len(keys) - len(missing),
                "recordings_missing": missing,
                "keys_included": with_keys,
                "tenant_id": tenant_id,  # None: the whole Hotline
            }
        )
    except BaseException:
        archive.abort()
        raise
    finally:
        await engine.dispose()
    return BackupReport(
        path=path,
        revision=revision,
        rows=rows,
        recordings=len(keys) - len(missing),
        missing=missing,
        size_bytes=path.stat().st_size,
        seconds=time.monotonic() - started,
    )


def run_backup(
    where: Locations, out: Path, *, with_keys: bool = False, tenant_id: str | None = None
) -> BackupReport:
    """`backup` in a fresh event loop: what a worker thread of the server runs, so the
    file work never stalls the server's loop (the media clock)."""
    return asyncio.run(backup(where, out, with_keys=with_keys, tenant_id=tenant_id))


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `directory` (retention); returns them."""
    found = sorted(directory.glob(BACKUP_GLOB))
    doomed = found[: max(0, len(found) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


async def _empty(engine: AsyncEngine) -> str | None:
    """The first table that holds rows, or None when the database is fresh."""
    if await current_revision(engine) is None:
        return None
    async with engine.connect() as conn:
        existing = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        for table in metadata.sorted_tables:
            if table.name in existing and await conn.scalar(
                select(func.count()).select_from(select(table).limit(1).subquery())
            ):
                return table.name
    return None


def _known_revision(revision: str) -> None:
    scripts = ScriptDirectory(str(migrations_dir()))
    try:
        found = scripts.get_revision(revision)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        found = None
    if found is None:
        raise ArchiveInvalid(
            f"the backup's schema version {revision} is unknown here: it was made by a newer "
            "Hotline; restore it with that version",
            details={"revision": revision},
        )


def _place(root: Path, relative: str) -> Path:
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ArchiveInvalid(f"{relative} leaves its folder", details={"member": relative})
    return target


def _extract(reader: ArchiveReader, member: str, target: Path, *, private: bool) -> bool:
    """Write `member` to `target`; False when an identical file is already there."""
    expected = reader.members[member]["sha256"]
    if target.exists():
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if digest == expected:
            return False
        raise RestoreTargetNotEmpty(
            f"{target} exists with other content; restore into an empty folder",
            details={"file": str(target)},
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if private:
        target.parent.chmod(0o700)
    partial = target.with_name(target.name + ".partial")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(partial, flags, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out, reader.open(member) as source:
        while block := source.read(1 << 20):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(target)
    return True


async def _insert_rows(
    conn: AsyncConnection, reader: ArchiveReader, progress: Progress
) -> dict[str, int]:
    written: dict[str, int] = {}
    tables = [t for t in metadata.sorted_tables if f"db/{t.name}.jsonl.gz" in reader.members]
    for index, table in enumerate(tables):
        progress(f"table {table.name}", index, len(tables))
        columns = set(table.c.keys())
        batch: list[dict[str, Any]] = []
        count = 0
        for row in reader.rows(table.name):
            unknown = set(row) - columns
            if unknown:
                raise ArchiveInvalid(
                    f"table {table.name} in the backup has columns this Hotline lacks: "
                    f"{', '.join(sorted(unknown))}",
                    details={"table": table.name},
                )
            batch.append(row)
            if len(batch) >= _BATCH:
                await conn.execute(insert(table), batch)
                count += len(batch)
                batch = []
        if batch:
            await conn.execute(insert(table), batch)
            count += len(batch)
        expected = reader.members[f"db/{table.name}.jsonl.gz"]["rows"]
        if count != expected:
            raise ArchiveInvalid(
                f"table {table.name}: {count} rows read, the manifest says {expected}",
                details={"table": table.name},
            )
        written[table.name] = count
    progress("tables", len(tables), len(tables))
    return written


async def _reset_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: serial columns continue after the restored rows."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) "
                        f"FROM {table.name}"
                    )
                )


async def restore(archive: Path, where: Locations, *, progress: Progress = _quiet) -> RestoreReport:
    """Restore `archive` into the (fresh) database and folders of `where`."""
    reader = ArchiveReader(archive)
    try:
        progress("checking the backup", 0, None)
        reader.verify()
        revision = str(reader.manifest["revision"])
        _known_revision(revision)
        engine = create_engine(where.database_url)
        try:
            busy = await _empty(engine)
            if busy is not None:
                raise RestoreTargetNotEmpty(
                    f"the database already holds data (table {busy}); restore into a fresh one",
                    details={"table": busy},
                )
            files = 0
            skipped: list[str] = []
            places = (
                ("recordings/", where.recordings, False),
                ("prompts/", where.prompts, False),
                ("keys/", where.keys, True),
            )
            for prefix, root, private in places:
                members = reader.files(prefix)
                for index, member in enumerate(members):
                    progress(prefix.rstrip("/"), index, len(members))
                    relative = member.removeprefix(prefix)
                    if _extract(reader, member, _place(root, relative), private=private):
                        files += 1
                    else:
                        skipped.append(member)
            await migrate(engine, revision)
            async with engine.connect() as conn:
                conn = await conn.execution_options(**WRITE)
                async with conn.begin():
                    rows = await _insert_rows(conn, reader, progress)
                    if not is_sqlite(where.database_url):
                        await _reset_sequences(conn)
            await migrate(engine)
        finally:
            await engine.dispose()
        return RestoreReport(
            revision=revision,
            rows=rows,
            recordings=len(reader.files("recordings/")),
            files=files,
            skipped=skipped,
        )
    finally:
        reader.close()
