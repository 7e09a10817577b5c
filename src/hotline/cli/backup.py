"""`hotline backup` and `hotline restore` (the database and the stored files), and
`hotline keys rotate` (a tenant's recording key)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hotline.app import backup_locations
from hotline.backup import Locations, backup, prune, restore
from hotline.config import Settings
from hotline.store.auth_repo import SqlTenants
from hotline.store.engine import create_engine
from hotline.vault import Keyring

__all__ = ["backup_cmd", "keys_app", "locations", "restore_cmd"]

keys_app = typer.Typer(help="Recording encryption keys.", no_args_is_help=True)


def locations(settings: Settings) -> Locations:
    return backup_locations(settings)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    )


def backup_cmd(
    out: Annotated[
        Path | None,
        typer.Option(
            help="a directory (the file is named by the time) or a .tar file; "
            "default: backup.directory (var/backups)"
        ),
    ] = None,
    with_keys: Annotated[
        bool,
        typer.Option(
            "--with-keys",
            help="include the recording keys (then keep the backup as safe as the keys)",
        ),
    ] = False,
    keep: Annotated[
        int | None, typer.Option(min=1, help="then delete all but the newest N in the directory")
    ] = None,
) -> None:
    """Back up the database and the recordings (safe while the server runs)."""
    settings = Settings.load()
    out = out or settings.backup.directory
    if out.suffix != ".tar":
        out.mkdir(parents=True, exist_ok=True)
    with _progress() as bar:
        task = bar.add_task("backup", total=None)

        def show(stage: str, done: int, total: int | None) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        report = asyncio.run(backup(locations(settings), out, with_keys=with_keys, progress=show))
    rows = sum(report.rows.values())
    typer.echo(
        f"wrote {report.path} ({report.size_bytes / 1e6:.1f} MB, schema {report.revision}): "
        f"{rows} rows in {len(report.rows)} tables, {report.recordings} recordings "
        f"in {report.seconds:.1f} s"
    )
    for key in report.missing:
        typer.echo(f"warning: recording {key} is listed but its file is gone", err=True)
    if not with_keys and settings.recording.encrypt:
        typer.echo(
            f"note: recordings are encrypted; their keys ({settings.recording.key_dir}) are "
            "not in this backup: back them up separately, or use --with-keys",
            err=True,
        )
    if keep is not None:
        for gone in prune(report.path.parent, keep):
            typer.echo(f"deleted old backup {gone}")


def restore_cmd(
    archive: Annotated[Path, typer.Argument(help="a file `hotline backup` wrote")],
) -> None:
    """Restore a backup into a fresh database and empty recording folders."""
    settings = Settings.load()
    with _progress() as bar:
        task = bar.add_task("restore", total=None)

        def show(stage: str, done: int, total: int | None) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        report = asyncio.run(restore(archive, locations(settings), progress=show))
    typer.echo(
        f"restored {sum(report.rows.values())} rows in {len(report.rows)} tables and "
        f"{report.recordings} recordings (schema {report.revision}, now migrated to the newest)"
    )


@keys_app.command("rotate")
def keys_rotate(
    tenant: Annotated[str, typer.Option(help="tenant slug")] = "demo",
) -> None:
    """Give a tenant a new recording key: new recordings use it, older ones keep theirs."""
    settings = Settings.load()

    async def tenant_id() -> str:
        engine = create_engine(settings.database.url)
        try:
            async with engine.connect() as conn:
                row = await SqlTenants(conn).by_slug(tenant)
        finally:
            await engine.dispose()
        if row is None:
            typer.echo(f"error: no tenant {tenant!r}", err=True)
            raise typer.Exit(1)
        return str(row["id"])

    new = Keyring(settings.recording.key_dir).rotate(asyncio.run(tenant_id()))
    typer.echo(f"tenant {tenant}: new recording key {new}; restart the server to use it")
