"""`HOTLINE_DATABASE_URL` in the forms users write: `sqlite:///var/x.db` and `postgresql://…`
work as they are; a URL Hotline cannot use, or a database that is not there, stops the command
with one line (exit 1), not a traceback."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests import dbs
from tests.conftest import CI


def _hotline(cwd: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOTLINE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sqlite_url_as_written_migrates(tmp_path: Path) -> None:
    done = _hotline(tmp_path, "sqlite:///var/x.db", "migrate")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "var" / "x.db").is_file()
    assert "database at" in done.stdout


def test_postgresql_url_as_written_migrates(tmp_path: Path) -> None:
    problem = dbs.pg_available()
    if problem:
        assert not CI, problem
        return
    name = f"test_{secrets.token_hex(6)}"
    asyncio.run(dbs._pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        base = dbs.PG_ADMIN_DSN.rsplit("/", 1)[0]
        done = _hotline(tmp_path, f"{base}/{name}", "migrate")
        assert done.returncode == 0, done.stderr
        assert "database at" in done.stdout
    finally:
        asyncio.run(dbs._pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_unusable_urls_and_missing_databases_stop_with_one_line(tmp_path: Path) -> None:
    base = dbs.PG_ADMIN_DSN.rsplit("/", 1)[0]
    cases = {
        "mysql://root:secret@127.0.0.1/hotline": "not 'mysql'",
        "sqlite://": "in-memory",
        f"{base}/no_such_database_{secrets.token_hex(3)}": "does not exist",
        "postgresql://hotline@127.0.0.1:1/hotline": "Connect call failed",
    }
    for url, says in cases.items():
        done = _hotline(tmp_path, url, "migrate")
        assert done.returncode == 1, (url, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, (url, done.stderr)
        assert lines[0].startswith("error: ")
        assert says in lines[0]
        assert "secret" not in lines[0]
        assert "Traceback" not in done.stderr
