"""Redis for the cluster tests: the machine's own (127.0.0.1:6379), a stream per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tests.conftest import CI

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def stream() -> AsyncIterator[str]:
    """A stream name of this test's own, deleted afterwards."""
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    name = f"hotline-test:{uuid.uuid4().hex}"
    try:
        yield name
    finally:
        await client.delete(name)
        await client.aclose()
