"""A deleted center is purged by the job host after its grace period (FakeClock), on both
databases: nothing before the grace period ends, nothing after a resume, then an export first
and every row and file of the center gone — demo's untouched — and the export restores into a
fresh database with the center's rows and its sealed recording readable."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.app import Services, build_services, tenant_service
from hotline.auth.model import Principal
from hotline.auth.roles import Role
from hotline.backup import Locations, restore
from hotline.clock import FakeClock
from hotline.config import (
    DatabaseSettings,
    ImportSettings,
    RecordingSettings,
    Settings,
    TenantSettings,
)
from hotline.demo import seed_demo
from hotline.ids import new_id
from hotline.jobs import SYSTEM_TENANT, Jobs, JobState, JobView
from hotline.media.storage import FileRecordingStorage, recording_key
from hotline.store.engine import create_engine
from hotline.store.tables import audit_log, queue_skills, queues, recordings, skills, tenants
from hotline.store.tenant_repo import ensure_platform
from hotline.store.tenant_rows import tenant_tables
from hotline.tenants.model import PLATFORM_SLUG, TenantIn
from hotline.tenants.purge import purge_key
from hotline.vault import Keyring, SealedRecordingStorage

DAY = 86400.0


async def counts(engine: AsyncEngine, tenant_id: str) -> dict[str, int]:
    """The tenant's rows per table (tables where it has any)."""
    out: dict[str, int] = {}
    async with engine.connect() as conn:
        for table, condition in tenant_tables(tenant_id):
            if condition is not None:
                n = int(await conn.scalar(select(func.count()).select_from(table).where(condition)))
                if n:
                    out[table.name] = n
    return out


async def act(services: Services, action: str, key: str) -> dict[str, Any]:
    async with services.uow() as uow:
        platform = await ensure_platform(uow.conn, services.clock.now())
        operator = Principal(
            tenant_id=str(platform["id"]), tenant_slug=PLATFORM_SLUG, user_id="ops",
            username="ops", display_name="ops", roles=(Role.OPERATOR.value,), language="en",
            via="token",
        )  # fmt: skip
        service = tenant_service(services, uow, operator)
        if action == "create":
            row, _ = await service.create(
                TenantIn(name="华东", slug=key, sip_domain=f"{key}.example.com")
            )
        else:
            row = await getattr(service, action)(key)
        await uow.commit()
    return row


async def purged(services: Services, clock: FakeClock, tenant_id: str) -> JobView:
    """Fire the purge until it is finished: its first firings start the export (written in a
    worker thread) and ask to be fired again in 5 s (`RetryLater`)."""
    for _ in range(400):
        await services.jobs.run_due()
        async with services.uow() as uow:
            job = await Jobs(uow.conn).find(SYSTEM_TENANT, purge_key(tenant_id))
        assert job is not None
        if job.state is not JobState.PENDING:
            return job
        clock.advance(5)
        await asyncio.sleep(0.01)  # the export thread runs meanwhile
    raise AssertionError("the purge never finished")


async def add_data(services: Services, tenant_id: str, root: Path) -> str:
    """A skill, a queue needing it (a link row), a sealed recording with its file, an import
    staging file; returns the recording's key."""
    now = services.clock.now()
    sealed = SealedRecordingStorage(FileRecordingStorage(root / "recordings"), Keyring(root / "k"))
    key, file = sealed.create(recording_key(tenant_id, "01JINTERACTION000000000001", "LEG", now))
    with file:
        file.write(b"RIFF" + b"\x01" * 4000)
    stamps = {"created_at": now, "updated_at": now}
    skill, queue = new_id(now), new_id(now)
    async with services.engine.begin() as conn:
        await conn.execute(
            insert(skills).values(
                id=skill,
                tenant_id=tenant_id,
                name="purge-test",
                description="",
                **stamps,
            )
        )
        await conn.execute(
            insert(queues).values(
                id=queue, tenant_id=tenant_id, name="purge-test",
                display_name="Purge test", strategy="longest_idle", sl_target_pct=80.0,
                sl_threshold_s=20, wrap_up_s=0, disposition_required=False, options={},
                **stamps,
            )
        )  # fmt: skip
        await conn.execute(
            insert(queue_skills).values(queue_id=queue, skill_id=skill, min_proficiency=1)
        )
        await conn.execute(
            insert(recordings).values(
                id=new_id(now), tenant_id=tenant_id,
                interaction_id="01JINTERACTION000000000001", leg_id="LEG", kind="call",
                path=key, duration_s=1.0, channels=2, sha256="x" * 64, size_bytes=4004,
                paused_spans=[], mailbox=None, started_at=now,
            )
        )  # fmt: skip
    staging = root / "imports" / tenant_id / "run-1"
    staging.mkdir(parents=True)
    (staging / "upload.csv").write_text("phone\n13800138000\n")
    return key


async def test_a_deleted_center_is_exported_then_purged_after_its_grace_period(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "var"
    settings = Settings.load(
        database=DatabaseSettings(url=database_url),
        recording=RecordingSettings(directory=root / "recordings", key_dir=root / "k"),
        imports=ImportSettings(directory=root / "imports"),
        tenants=TenantSettings(delete_grace_days=30, export_dir=root / "exports"),
    )
    clock = FakeClock()
    services = build_services(settings, clock=clock)
    await services.start(run_migrations=False)
    try:
        demo = await seed_demo(services.uow, clock, settings, password="demo-password-1")
        east = str((await act(services, "create", "east"))["id"])
        demo_key = await add_data(services, demo.tenant_id, root)
        east_key = await add_data(services, east, root)
        demo_before = await counts(engine, demo.tenant_id)
        east_before = await counts(engine, east)
        assert {"tenants", "users", "queue_skills", "recordings", "events"} <= set(east_before)

        # Delete, then resume within the grace period: the purge job is cancelled.
        await act(services, "delete", "east")
        clock.advance(29 * DAY)
        assert await services.jobs.run_due() == 0  # not due yet
        await act(services, "resume", "east")
        async with services.uow() as uow:
            job = await Jobs(uow.conn).find(SYSTEM_TENANT, purge_key(east))
        assert job is not None
        assert job.state is JobState.CANCELLED
        clock.advance(2 * DAY)
        assert await services.jobs.run_due() == 0
        still = await counts(engine, east)  # kept (the events of delete and resume added)
        assert {k: v for k, v in still.items() if k != "events"} == {
            k: v for k, v in east_before.items() if k != "events"
        }

        # Delete again: after 30 days the job host exports, then purges.
        await act(services, "delete", "east")
        clock.advance(30 * DAY - 60)
        assert await services.jobs.run_due() == 0
        exported = await counts(engine, east)  # what the export must hold
        clock.advance(61)
        job = await purged(services, clock, east)
        assert job.state is JobState.DONE, job

        assert await counts(engine, east) == {}
        assert not (root / "recordings" / east).exists()
        assert not (root / "imports" / east).exists()
        assert not (root / "k" / f"{east}.json").exists()
        # Demo's rows and files are untouched.
        assert await counts(engine, demo.tenant_id) == demo_before
        assert (root / "recordings" / demo_key).is_file()
        assert (root / "imports" / demo.tenant_id / "run-1" / "upload.csv").is_file()
        assert (root / "k" / f"{demo.tenant_id}.json").is_file()
        async with engine.connect() as conn:
            (purge,) = (
                await conn.execute(select(audit_log).where(audit_log.c.action == "purge"))
            ).mappings()
        (export,) = (root / "exports").glob("tenant-east-*.tar")
        assert purge["entity_id"] == east
        assert purge["after"]["export"] == str(export)
    finally:
        await services.stop()

    # The export restores into a fresh database: east alone, its recording readable.
    fresh_url = f"sqlite+aiosqlite:///{tmp_path}/restored.db"
    target = tmp_path / "restored"
    into = Locations(fresh_url, target / "recordings", target / "prompts", target / "k")
    report = await restore(export, into)
    assert report.recordings == 1
    fresh = create_engine(fresh_url)
    try:
        assert await counts(fresh, east) == exported
        async with fresh.connect() as conn:
            slugs = {slug for (slug,) in await conn.execute(select(tenants.c.slug))}
        assert slugs == {"east"}
    finally:
        await fresh.dispose()
    reopened = SealedRecordingStorage(
        FileRecordingStorage(target / "recordings"), Keyring(target / "k")
    )
    with reopened.open_read(east_key) as file:
        assert file.read() == b"RIFF" + b"\x01" * 4000
