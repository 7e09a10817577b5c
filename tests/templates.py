"""SQLite databases made once per test run and copied into each test: a migrated one, and one
where the demo center is seeded as `hotline demo` seeds it.

Migrating 30-odd revisions and seeding the demo cost a server start most of its CPU beyond
Python's imports; a test gets the same file by copying it (milliseconds). Each test still
owns its copy, so nothing written by one test reaches another. Templates live in the run's
shared temporary directory (one for all xdist workers), made once under a file lock.

`python -m tests.templates seed` builds the demo template from the environment a server
would get, with the product's own code (`Services.start` then `seed_demo`), so its password
hashes carry the server's own cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = ["configure", "copy_demo", "copy_migrated", "demo_key"]

DB_NAME = "hotline.db"
# Settings a server reads at run time only: they never change what migrations or the demo
# seed write, so servers that differ only in them share one template. Anything else
# (the realm, prompts, password policy, a config file …) makes a template of its own.
_RUNTIME_ONLY = (
    "HOTLINE_DATABASE_URL",
    "HOTLINE_VAR_DIR",
    "HOTLINE_DRAIN_S",
    "HOTLINE_PROFILE",
    "HOTLINE_HTTP__",
    "HOTLINE_SIP__UDP_PORT",
    "HOTLINE_SIP__TCP_PORT",
    "HOTLINE_SIP__TLS_",
    "HOTLINE_SIP__TRUNKS",
    "HOTLINE_SIP__T1",
    "HOTLINE_SIP__T2",
    "HOTLINE_SIP__MAX_DIALOGS",
    "HOTLINE_SIP__AUTHENTICATE_INVITES",
    "HOTLINE_MEDIA__RTP_PORT_",
    "HOTLINE_MEDIA__ENGINE",
    "HOTLINE_MEDIA__WEBRTC_",
    "HOTLINE_RECORDING__",
    "HOTLINE_EGRESS__",
    "HOTLINE_TENANTS__",
    "HOTLINE_JOBS__",
    "HOTLINE_IMPORTS__",
    "HOTLINE_SMTP__",
    "HOTLINE_BACKUP__",
    "HOTLINE_QUALITY__PUBLIC_URL",
    "HOTLINE_TICKETS__ATTACHMENT",
)

_root: Path | None = None


def configure(root: Path | None) -> None:
    """Where this run keeps its templates (None: no templates, every server starts empty)."""
    global _root
    _root = root


@contextlib.contextmanager
def _locked(name: str) -> Iterator[Path | None]:
    """The template directory `name` under the lock (None when templates are off)."""
    if _root is None:
        yield None
        return
    _root.mkdir(parents=True, exist_ok=True)
    with (_root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield _root / name
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def demo_key(env: Mapping[str, str]) -> str:
    """What the demo seed depends on in `env`, as a short name."""
    relevant = sorted(
        (k, v)
        for k, v in env.items()
        if k.startswith("HOTLINE_") and not k.startswith(_RUNTIME_ONLY)
    )
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:12]


def _run(args: list[str], env: Mapping[str, str], var_dir: Path) -> bool:
    env = {
        **env,
        "HOTLINE_VAR_DIR": str(var_dir),
        "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{var_dir / DB_NAME}",
    }
    return subprocess.run(args, env=env, capture_output=True, check=False).returncode == 0


def _template(name: str, args: list[str], env: Mapping[str, str]) -> Path | None:
    """The directory of template `name`, built by `args` the first time; None when templates
    are off, or when building failed: then the test's own server meets the same problem and
    says so in its log, as it would have without templates."""
    with _locked(name) as final:
        if final is None:
            return None
        if not final.is_dir():
            building = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=final.parent))
            if not _run(args, env, building):
                shutil.rmtree(building, ignore_errors=True)
                return None
            _checkpoint(building / DB_NAME)
            building.rename(final)
        return final


def _checkpoint(db: Path) -> None:
    """Fold the write-ahead log into the file, so that the file alone is the database."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _copy_into(template: Path, db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / DB_NAME, db)


def copy_migrated(db: Path, env: Mapping[str, str] | None = None) -> bool:
    """Put a migrated, empty database at `db` unless a file is there; False when templates
    are off or the file exists (the caller migrates)."""
    if db.exists():
        return False
    template = _template(
        "migrated", [sys.executable, "-m", "hotline.cli", "migrate"], env or os.environ
    )
    if template is None:
        return False
    _copy_into(template, db)
    return True


def copy_demo(db: Path, env: Mapping[str, str]) -> bool:
    """Put the database `hotline demo` would seed with `env` at `db` unless a file is there;
    False when templates are off or the file exists (the server migrates and seeds)."""
    if db.exists():
        return False
    template = _template(
        f"demo-{demo_key(env)}", [sys.executable, "-m", "tests.templates", "seed"], env
    )
    if template is None:
        return False
    _copy_into(template, db)
    return True


async def _seed() -> None:
    from hotline.app import build_services
    from hotline.config import Settings
    from hotline.demo import seed_demo

    settings = Settings.load()
    services = build_services(settings)
    await services.start()
    try:
        password = os.environ.get("HOTLINE_DEMO_PASSWORD")
        await seed_demo(services.uow, services.clock, settings, password=password)
    finally:
        await services.stop()


if __name__ == "__main__":
    if sys.argv[1:] != ["seed"]:
        sys.exit("usage: python -m tests.templates seed")
    asyncio.run(_seed())
