"""Property-based run of the whole API (schemathesis, from our OpenAPI schema) against a real
`hotline demo` on PostgreSQL (the production database, stricter than SQLite about text; the
bad-input regressions in test_bad_input.py run on both): boundary values (coverage phase) and
generated cases (fuzzing phase) for every operation — configuration, customers, tickets, flows,
audit, events, the desk (as an agent), supervision — with zero server errors and only
documented status codes. Bounded (a few examples per operation, a fixed seed) to fit the
suite's time budget; `HOTLINE_API_FUZZ_EXAMPLES=100 make fuzz-api` runs it longer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import dbs
from tests.conftest import CI
from tests.server import ServerProcess

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("HOTLINE_API_FUZZ_EXAMPLES", "2"))
# The agent's own operations: the desk and the browser phone (an admin has no agent profile).
AGENT_PATHS = r"^/api/v1/(desk|phone)"
# Logging out or changing the password would end the session the run uses.
NEVER = r"^/api/v1/auth/(logout|me/password)$"


def schemathesis(server: ServerProcess, username: str, include: str | None) -> str:
    client = server.login(username)
    # The server builds its schema once, on the first request (seconds with every router on a
    # busy machine), then answers from memory: build it before schemathesis's 10 s load.
    warm = httpx.get(f"{server.url}/api/openapi.json", timeout=120)
    assert warm.status_code == 200, warm.text
    session = client.cookies["hotline_session"]
    csrf = client.headers["X-CSRF-Token"]
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run",
        f"{server.url}/api/openapi.json",
        "--header", f"Cookie: hotline_session={session}",
        "--header", f"X-CSRF-Token: {csrf}",
        "--checks", "not_a_server_error,status_code_conformance",
        "--phases", "coverage,fuzzing",
        "--max-examples", str(EXAMPLES),
        "--seed", "1999",
        "--generation-deterministic",
        "--workers", "1",
        "--request-timeout", "30",
        "--max-failures", "50",
        "--exclude-path-regex", NEVER,
        "--no-color",
    ]  # fmt: skip
    if include is None:
        command += ["--exclude-path-regex", AGENT_PATHS]
    else:
        command += ["--include-path-regex", include]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-20_000:] + done.stderr[-2_000:]
    return done.stdout


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    problem = dbs.pg_available()
    if problem:
        if CI:
            pytest.fail(problem)
        pytest.skip(problem)
    url = dbs.create_pg_database()
    yield url
    dbs.drop_pg_database(url)


def test_no_server_errors_and_only_documented_statuses(fresh_postgres: str, tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "var", fresh_postgres)
    server.start("demo")
    try:
        runs = [
            schemathesis(server, "admin", None),
            schemathesis(server, "agent1", AGENT_PATHS),
        ]
    finally:
        server.stop()
    for output in runs:
        assert "passed" in output
        assert "Server error" not in output
    assert server.log_path.read_text().count("unexpected error") == 0
