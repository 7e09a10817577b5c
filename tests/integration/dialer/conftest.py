"""The dialer's storage tests run over the imports' environment (started services on a
migrated database, SQLite and PostgreSQL, tenant `demo` with its custom fields); its API test
over the API tests' demo center."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.api.conftest import api  # noqa: F401  (the API tests' fixture)
from tests.integration.imports.conftest import Env, open_env


@pytest.fixture
async def env(engine: AsyncEngine, database_url: str, tmp_path: Path) -> AsyncIterator[Env]:
    async with open_env(database_url, tmp_path / "imports") as opened:
        yield opened


@pytest.fixture(scope="session")
def tts_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """espeak-ng prompts synthesised once for the whole run."""
    return tmp_path_factory.mktemp("tts")
