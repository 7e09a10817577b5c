"""`hotline migrate`, `hotline user create`, `hotline config check`, `hotline cert`."""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
import ipaddress
import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from hotline.app import build_services
from hotline.auth.model import Principal
from hotline.config import Settings
from hotline.directory.schemas import UserIn
from hotline.directory.service import DirectoryService
from hotline.errors import HotlineError
from hotline.store.auth_repo import SqlTenants, SqlTotp, SqlUsers
from hotline.store.engine import create_engine
from hotline.store.migrate import current_revision, head_revision, migrate
from hotline.store.repos import SqlRepos

__all__ = ["cert", "config_check", "migrate_cmd", "user_app"]

user_app = typer.Typer(help="Manage users.", no_args_is_help=True)


def migrate_cmd() -> None:
    """Create or upgrade the database schema to the newest version."""

    async def run() -> None:
        settings = Settings.load()
        engine = create_engine(settings.database.url)
        try:
            before = await current_revision(engine)
            await migrate(engine)
            typer.echo(f"database at {head_revision()} (was {before or 'empty'})")
        finally:
            await engine.dispose()

    asyncio.run(run())


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="login name")],
    role: Annotated[list[str], typer.Option(help="admin, supervisor, agent or qa (repeatable)")],
    tenant: Annotated[str, typer.Option(help="tenant slug")] = "demo",
    display_name: Annotated[str | None, typer.Option(help="shown name")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="HOTLINE_USER_PASSWORD", help="asked when not given")
    ] = None,
) -> None:
    """Create a user in a tenant."""
    if password is None:
        password = getpass.getpass("password: ")
    try:
        data = UserIn(
            username=username,
            display_name=display_name or username,
            password=password,
            roles=role,
        )
    except ValidationError as error:
        for e in error.errors():
            typer.echo(f"error: {'.'.join(map(str, e['loc']))}: {e['msg']}", err=True)
        raise typer.Exit(1) from None

    async def run() -> None:
        services = build_services(Settings.load())
        await services.start()
        try:
            async with services.uow() as uow:
                row = await SqlTenants(uow.conn).by_slug(tenant)
                if row is None:
                    raise HotlineError(f"no tenant {tenant!r}", code="tenant.unknown")
                actor = Principal(
                    tenant_id=row["id"],
                    tenant_slug=tenant,
                    user_id="cli",
                    username="cli",
                    display_name="cli",
                    roles=("admin",),
                    language="en",
                    via="token",
                )
                d = DirectoryService(
                    SqlRepos(uow.conn),
                    actor=actor,
                    clock=services.clock,
                    emit=uow.emit,
                    sip_realm=row["sip_domain"],
                )
                created = await d.create_user(data)
                await uow.commit()
            typer.echo(f"created user {created['username']} ({', '.join(created['roles'])})")
        finally:
            await services.stop()

    try:
        asyncio.run(run())
    except HotlineError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None


@user_app.command("reset-2fa")
def user_reset_2fa(
    username: Annotated[str, typer.Option(help="login name")],
    tenant: Annotated[str, typer.Option(help="tenant slug")] = "demo",
) -> None:
    """Remove a user's authenticator app (a lost phone): the password alone logs in again."""

    async def run() -> bool:
        settings = Settings.load()
        engine = create_engine(settings.database.url)
        try:
            async with engine.connect() as conn:
                row = await SqlTenants(conn).by_slug(tenant)
                user = await SqlUsers(conn).by_username(str(row["id"]), username) if row else None
                if user is None:
                    raise HotlineError(f"no user {username!r} in tenant {tenant!r}")
                removed = await SqlTotp(conn).get(user.tenant_id, user.id) is not None
                await SqlTotp(conn).delete(user.tenant_id, user.id)
                await conn.commit()
                return removed
        finally:
            await engine.dispose()

    removed = asyncio.run(run())
    typer.echo(
        f"{username}: authenticator removed" if removed else f"{username} had no authenticator"
    )


def config_check() -> None:
    """Validate the configuration and check the database; exit 1 naming what is wrong."""
    try:
        settings = Settings.load()
    except (ValidationError, FileNotFoundError, ValueError) as error:
        if isinstance(error, ValidationError):
            for e in error.errors():
                typer.echo(f"error: {'.'.join(map(str, e['loc']))}: {e['msg']}", err=True)
        else:
            typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    shown = settings.model_dump(mode="json")
    typer.echo(json.dumps(shown, indent=2, ensure_ascii=False))
    problems: list[str] = []
    for name in ("tls_cert", "tls_key"):
        path = getattr(settings.http, name)
        if path is not None and not Path(path).is_file():
            problems.append(f"http.{name}: {path} does not exist")

    async def db() -> None:
        engine = create_engine(settings.database.url)
        try:
            revision = await current_revision(engine)
            if revision != head_revision():
                problems.append(
                    f"database: at {revision or 'empty'}, newest is {head_revision()} "
                    "(run `hotline migrate`)"
                )
        except Exception as error:  # noqa: BLE001 - reported to the operator as text
            problems.append(f"database: cannot connect to {settings.database.url}: {error}")
        finally:
            await engine.dispose()

    asyncio.run(db())
    for p in problems:
        typer.echo(f"problem: {p}", err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("configuration OK")


def cert(
    host: Annotated[
        list[str], typer.Option(help="host name or IP the browsers use (repeatable)")
    ] = ["localhost"],  # noqa: B006 - typer reads the default, never mutates it
    out: Annotated[Path, typer.Option(help="directory for cert.pem and key.pem")] = Path("var/tls"),
    days: Annotated[int, typer.Option(min=1, max=3650)] = 825,
) -> None:
    """Make a self-signed certificate for HTTPS on a LAN (browsers need https for microphones)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for h in [*host, "127.0.0.1"]:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            names.append(x509.DNSName(h))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[0])])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path = out / "key.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    typer.echo(
        f"wrote {out / 'cert.pem'} and {key_path}; serve with "
        f"HOTLINE_HTTP__TLS_CERT={out / 'cert.pem'} HOTLINE_HTTP__TLS_KEY={key_path}"
    )
