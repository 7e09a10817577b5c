"""Fixtures shared by unit and integration tests."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.auth.passwords import configure_hashing
from hotline.clock import FakeClock
from hotline.store.engine import create_engine, is_sqlite
from hotline.store.migrate import migrate
from tests import dbs, templates

CI = os.environ.get("CI", "").lower() == "true"


def require_tool(name: str) -> str:
    """Path of an external tool; a skip locally, a failure under CI=true when it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (scripts/system-deps.sh all installs it)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def _fixed_seed() -> Iterator[None]:
    state = random.getstate()
    random.seed(1999)
    yield
    random.setstate(state)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> None:
    # Real argon2, low cost: a test suite needs no protection against offline cracking.
    configure_hashing(time_cost=1, memory_kib=1024)


@pytest.fixture(autouse=True, scope="session")
def _database_templates(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[None]:
    """Migrated and demo-seeded SQLite files, made once per run for all workers and copied
    into each test (tests/templates.py); HOTLINE_TEST_TEMPLATES=0 turns them off."""
    if os.environ.get("HOTLINE_TEST_TEMPLATES", "1") == "0":
        yield
        return
    base = tmp_path_factory.getbasetemp()
    # xdist workers' folders are beside each other in the run's: share that one.
    worker = hasattr(request.config, "workerinput")
    templates.configure((base.parent if worker else base) / "templates")
    yield
    templates.configure(None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One migrated PostgreSQL database for the whole run, dropped at the end."""
    problem = dbs.pg_available()
    if problem:
        if CI:
            pytest.fail(problem)
        pytest.skip(problem)
    url = dbs.create_pg_database()
    try:
        yield url
    finally:
        dbs.drop_pg_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage/API test runs on both databases. SQLite: a fresh file, not yet migrated."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/hotline.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database."""
    if is_sqlite(database_url):
        db = Path(database_url.split(":///", 1)[1])
        copied = await asyncio.to_thread(templates.copy_migrated, db)
        engine = create_engine(database_url)
        if not copied:
            await migrate(engine)
    else:
        engine = create_engine(database_url)
        await dbs.truncate_all(engine)
    yield engine
    await engine.dispose()


# Property tests are deterministic in every run and never fail on a machine's speed.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("hotline", derandomize=True, deadline=None, print_blob=True)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hotline"))
