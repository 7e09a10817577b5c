"""Database URLs as users write them: the async driver is filled in, or one clear line says why
Hotline cannot use the URL (never a traceback about async drivers)."""

from __future__ import annotations

import pytest

from hotline.store.engine import database_url, is_sqlite
from hotline.store.errors import DatabaseUrlInvalid


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite:////srv/hotline/x.db", "sqlite+aiosqlite:////srv/hotline/x.db"),
        ("sqlite+aiosqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        (
            "postgresql://hotline:pw@db:5432/hotline",
            "postgresql+asyncpg://hotline:pw@db:5432/hotline",
        ),
        ("postgres://hotline@db/hotline", "postgresql+asyncpg://hotline@db/hotline"),
        ("postgresql+asyncpg://hotline@db/hotline", "postgresql+asyncpg://hotline@db/hotline"),
        ("postgresql://h@db/x?sslmode=require", "postgresql+asyncpg://h@db/x?ssl=require"),
    ],
)
def test_the_forms_users_write_work(written: str, used: str) -> None:
    assert database_url(written) == used


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("mysql://root:secret@db/hotline", "not 'mysql'"),
        ("postgresql+psycopg2://u:secret@db/x", "through asyncpg, not psycopg2"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("postgresql://db", "name the database"),
        ("var/hotline.db", "not a URL"),
    ],
)
def test_others_stop_with_one_line_that_hides_the_password(written: str, says: str) -> None:
    with pytest.raises(DatabaseUrlInvalid) as caught:
        database_url(written)
    message = caught.value.message
    assert says in message
    assert "\n" not in message
    assert "secret" not in message
    assert caught.value.details == {"field": "database.url"}


def test_is_sqlite_reads_both_forms() -> None:
    assert is_sqlite("sqlite:///x.db")
    assert is_sqlite("sqlite+aiosqlite:///x.db")
    assert not is_sqlite("postgresql://u@h/db")
