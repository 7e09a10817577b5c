"""`kill -9` at half of an import's commit leaves the tables exactly as they were; the run
started again lands once; the same file imported again changes nothing.

Two processes, two databases (a server start costs seconds, so each pairing runs once): the
real `hotline demo` server on SQLite, where the import is a job-host firing that the
restarted server fires again by itself; and `hotline import` as a subprocess on PostgreSQL,
started again by hand."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.app import build_services
from hotline.config import DatabaseSettings, Settings
from hotline.demo import seed_demo
from hotline.ids import new_id
from hotline.store.auth_repo import SqlTenants
from hotline.store.engine import create_engine
from hotline.store.tables import custom_fields, customer_emails, customer_phones, customers, imports
from tests import dbs
from tests.imports_data import CUSTOM_FIELDS, Dataset, build, write_csv
from tests.server import PASSWORD, ServerProcess

pytestmark = pytest.mark.slow

ROWS, BATCH = 3000, "50"  # 60 batches of writing: room to stop at half


async def _snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    async with engine.connect() as conn:
        for table in (customers, customer_phones, customer_emails):
            rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(r) for r in rows]
    return out


async def _status(engine: AsyncEngine, import_id: str) -> str | None:
    async with engine.connect() as conn:
        return await conn.scalar(select(imports.c.status).where(imports.c.id == import_id))


def _data(tmp_path: Path) -> tuple[Dataset, Path]:
    data = build(ROWS, bad=30, duplicates=60, typed=False)
    path = tmp_path / "客户.csv"
    write_csv(data, path, encoding="gbk")
    return data, path


async def _until(
    client: httpx.Client, import_id: str, ok: Any, timeout: float = 120
) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            response = await asyncio.to_thread(client.get, f"/api/v1/imports/{import_id}")
            row: dict[str, Any] = response.json()
            if ok(row):
                return row
            await asyncio.sleep(0.02)


async def test_kill_the_server_at_half_the_commit_then_its_restart_imports_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db"
    server = ServerProcess(tmp_path / "var", url, HOTLINE_IMPORTS__BATCH_SIZE=BATCH)
    engine = create_engine(url)
    try:
        server.start("demo")
        admin = server.login("admin")
        for position, field in enumerate(CUSTOM_FIELDS):
            assert admin.post("/api/v1/custom-fields", json={**field, "position": position})
        data, path = _data(tmp_path)
        with path.open("rb") as f:
            created = admin.post("/api/v1/imports", files={"file": (path.name, f)}).json()
        before = await _snapshot(engine)
        assert admin.post(f"/api/v1/imports/{created['id']}/commit").status_code == 202

        def half_written(row: dict[str, Any]) -> bool:
            assert row["status"] == "importing", row  # it must not end before the kill
            progress = row.get("progress") or {}
            return progress.get("phase") == "writing" and (progress.get("phase_percent") or 0) >= 50

        seen = await _until(admin, created["id"], half_written)
        server.kill()
        assert seen["progress"]["phase_percent"] < 100
        assert await _snapshot(engine) == before
        assert await _status(engine, created["id"]) == "importing"

        # The restarted server's job host fires the import again; it lands once.
        server.start("demo")
        admin = server.login("admin")
        done = await _until(admin, created["id"], lambda r: r["status"] != "importing")
        assert done["status"] == "done", done
        assert done["counts"] == data.expected_counts()
        after = await _snapshot(engine)
        added = data.expected_counts()["new"]
        assert len(after["customers"]) == len(before["customers"]) + added

        with path.open("rb") as f:
            again = admin.post("/api/v1/imports", files={"file": (path.name, f)}).json()
        admin.post(f"/api/v1/imports/{again['id']}/commit")
        rerun = await _until(admin, again["id"], lambda r: r["status"] != "importing")
        assert rerun["counts"]["new"] == 0
        assert rerun["counts"]["unchanged"] == added
        assert await _snapshot(engine) == after
    finally:
        server.stop()
        await engine.dispose()


@pytest.fixture
async def pg_demo(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    """The PostgreSQL test database, emptied, with the demo center and the custom fields."""
    engine = create_engine(postgres_url)
    await dbs.truncate_all(engine)
    services = build_services(Settings.load(database=DatabaseSettings(url=postgres_url)))
    await services.start(run_migrations=False)
    await seed_demo(services.uow, services.clock, services.settings, password=PASSWORD)
    now = services.clock.now()
    async with services.uow() as uow:
        tenant = await SqlTenants(uow.conn).by_slug("demo")
        assert tenant is not None
        for position, field in enumerate(CUSTOM_FIELDS):
            await uow.conn.execute(
                insert(custom_fields).values(
                    id=new_id(now), tenant_id=tenant["id"], entity="customer", key=field["key"],
                    label_zh=field["label_zh"], label_en=field["label_en"], type=field["type"],
                    choices=field.get("choices", []), required=False, position=position,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
        await uow.commit()
    await services.stop()
    yield engine
    await engine.dispose()


def _cli(postgres_url: str, tmp_path: Path, path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": postgres_url,
        "HOTLINE_VAR_DIR": str(tmp_path / "var"),
        "HOTLINE_IMPORTS__BATCH_SIZE": BATCH,
    }
    command = [
        sys.executable,
        "-m",
        "hotline.cli",
        "import",
        "customers",
        str(path),
        "--lang",
        "en",
    ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


async def test_kill_the_cli_at_half_the_commit_then_run_it_again(
    pg_demo: AsyncEngine, postgres_url: str, tmp_path: Path
) -> None:
    data, path = _data(tmp_path)
    before = await _snapshot(pg_demo)
    process = _cli(postgres_url, tmp_path, path)
    assert process.stdout is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(120):
            while True:
                line = await asyncio.to_thread(process.stdout.readline)
                assert line, "".join(seen)  # it must not end before the kill
                seen.append(line)
                match = re.match(r"progress writing (\d+\.\d)%", line)
                if match and 50 <= float(match.group(1)) < 100:
                    break
        process.kill()
    finally:
        process.kill()
        process.wait(10)
        process.stdout.close()
    assert await _snapshot(pg_demo) == before
    import_id = None
    async with pg_demo.connect() as conn:
        import_id = await conn.scalar(select(imports.c.id))
    assert await _status(pg_demo, str(import_id)) == "importing"

    added = data.expected_counts()["new"]
    for expected in (f"new {added} ", "new 0 "):
        finished = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "hotline.cli", "import", "customers", str(path), "--lang", "en"],
            env={
                **os.environ,
                "HOTLINE_DATABASE_URL": postgres_url,
                "HOTLINE_VAR_DIR": str(tmp_path / "var"),
            },
            capture_output=True,
            text=True,
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr
        assert expected in finished.stdout, finished.stdout
    after = await _snapshot(pg_demo)
    assert len(after["customers"]) == len(before["customers"]) + added
    assert "unchanged " + str(added) in finished.stdout

    # Export them and import the export: every customer is there, nothing changes.
    out = tmp_path / "export.xlsx"
    command = [sys.executable, "-m", "hotline.cli", "export", "customers", str(out)]
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": postgres_url,
        "HOTLINE_VAR_DIR": str(tmp_path / "var"),
    }
    exported = await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True
    )
    assert exported.stdout.strip() == f"exported {len(after['customers'])} records to {out}"
    command = [sys.executable, "-m", "hotline.cli", "import", "customers", str(out), "--lang", "en"]
    back = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True)
    assert back.returncode == 0, back.stdout + back.stderr
    assert "new 0 " in back.stdout
    assert await _snapshot(pg_demo) == after
