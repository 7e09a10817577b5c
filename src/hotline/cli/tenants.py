"""`hotline tenant create / list / suspend / resume / delete / limits / number` and
`hotline operator create`: the platform operator's commands (docs/tenants.md).

Every action is audited in the platform tenant as `cli:<login name>`; a running server picks
the change up within `tenants.poll_s` seconds, without a restart.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

from hotline.app import Services, build_services, tenant_service
from hotline.auth.model import Principal
from hotline.auth.roles import Role
from hotline.config import Settings
from hotline.errors import HotlineError
from hotline.store.tenant_repo import ensure_operator, ensure_platform
from hotline.tenants.model import PLATFORM_SLUG, LimitsIn, TenantIn
from hotline.tenants.service import TenantService, view

__all__ = ["operator_app", "tenant_app"]

tenant_app = typer.Typer(help="Contact centers (the platform operator's commands).")
number_app = typer.Typer(help="A center's phone numbers (DIDs).", no_args_is_help=True)
tenant_app.add_typer(number_app, name="number")
operator_app = typer.Typer(help="Platform operators.", no_args_is_help=True)

T = TypeVar("T")

Key = Annotated[str, typer.Argument(help="the center's slug (or id)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]


def _cli_actor(platform_id: str) -> Principal:
    name = f"cli:{os.environ.get('USER') or getpass.getuser()}"[:64]
    return Principal(
        tenant_id=platform_id,
        tenant_slug=PLATFORM_SLUG,
        user_id="cli",
        username=name,
        display_name=name,
        roles=(Role.OPERATOR.value,),
        language="en",
        via="token",
    )


def _run(action: Callable[[TenantService], Awaitable[T]]) -> T:
    """One action in one committed unit of work, as the platform's command-line operator."""

    async def run() -> T:
        services: Services = build_services(Settings.load())
        await services.start()
        try:
            async with services.uow() as uow:
                platform = await ensure_platform(uow.conn, services.clock.now())
                service = tenant_service(services, uow, _cli_actor(str(platform["id"])))
                result = await action(service)
                await uow.commit()
            return result
        finally:
            await services.stop()

    try:
        return asyncio.run(run())
    except HotlineError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None


def _show(row: dict[str, Any], as_json: bool) -> None:
    shown = view(row)
    if as_json:
        typer.echo(json.dumps(shown, ensure_ascii=False))
        return
    limits = ", ".join(f"{k} {v if v is not None else '∞'}" for k, v in shown["limits"].items())
    typer.echo(
        f"{shown['slug']}\t{shown['status']}\t{shown['sip_domain']}\t{shown['name']}\t{limits}"
    )


@tenant_app.command("create")
def create(
    slug: Annotated[str, typer.Option(help="short name used to log in, e.g. east")],
    name: Annotated[str, typer.Option(help="the center's name")],
    sip_domain: Annotated[str, typer.Option(help="its SIP domain (phones register there)")],
    timezone: Annotated[str, typer.Option(help="time zone")] = "Asia/Shanghai",
    language: Annotated[str, typer.Option(help="zh-CN or en")] = "zh-CN",
    region: Annotated[str, typer.Option(help="country of its phone numbers")] = "CN",
    max_agents: Annotated[int | None, typer.Option(help="seats (default: unlimited)")] = None,
    max_calls: Annotated[int | None, typer.Option(help="concurrent calls")] = None,
    max_recording_mb: Annotated[int | None, typer.Option(help="recordings storage")] = None,
    admin: Annotated[str, typer.Option(help="the first admin's login name")] = "admin",
    as_json: AsJson = False,
) -> None:
    """Create a center and its first admin (a one-time password, changed at first login)."""
    try:
        data = TenantIn(
            slug=slug,
            name=name,
            sip_domain=sip_domain,
            timezone=timezone,
            language=language,
            region=region,
            max_agents=max_agents,
            max_concurrent_calls=max_calls,
            max_recording_mb=max_recording_mb,
            admin_username=admin,
        )
    except ValidationError as error:
        for e in error.errors():
            typer.echo(f"error: {'.'.join(map(str, e['loc']))}: {e['msg']}", err=True)
        raise typer.Exit(1) from None
    row, password = _run(lambda s: s.create(data))
    if as_json:
        typer.echo(json.dumps({**view(row), "admin": {"username": admin, "password": password}}))
        return
    _show(row, False)
    typer.echo(f"first admin: {admin}  one-time password: {password}  (change at first login)")


@tenant_app.command("list")
def list_(as_json: AsJson = False) -> None:
    """Every center with its status, SIP domain and limits."""
    for row in _run(lambda s: s.centers()):
        _show(row, as_json)


@tenant_app.command("suspend")
def suspend(key: Key, as_json: AsJson = False) -> None:
    """Refuse the center's new calls and logins (live calls go on; data kept)."""
    _show(_run(lambda s: s.suspend(key)), as_json)


@tenant_app.command("resume")
def resume(key: Key, as_json: AsJson = False) -> None:
    """Let a suspended center work again (also cancels a pending deletion)."""
    _show(_run(lambda s: s.resume(key)), as_json)


@tenant_app.command("delete")
def delete(
    key: Key,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
    as_json: AsJson = False,
) -> None:
    """Delete a center: refused at once; exported, then removed after the grace period."""
    if not yes:
        typer.confirm(f"delete center {key!r} (its data goes after the grace period)?", abort=True)
    _show(_run(lambda s: s.delete(key)), as_json)


@tenant_app.command("limits")
def limits(
    key: Key,
    max_agents: Annotated[int | None, typer.Option(help="seats (omit: unlimited)")] = None,
    max_calls: Annotated[int | None, typer.Option(help="concurrent calls")] = None,
    max_recording_mb: Annotated[int | None, typer.Option(help="recordings storage")] = None,
    as_json: AsJson = False,
) -> None:
    """Set a center's limits (each one omitted becomes unlimited)."""
    data = LimitsIn(
        max_agents=max_agents,
        max_concurrent_calls=max_calls,
        max_recording_mb=max_recording_mb,
    )
    _show(_run(lambda s: s.set_limits(key, data)), as_json)


@number_app.command("add")
def number_add(
    key: Key,
    number: Annotated[str, typer.Argument(help="the DID, e.g. 4001 or +8610…")],
    flow: Annotated[str, typer.Option(help="the flow it starts")] = "main",
) -> None:
    """Assign a number to a center."""
    _run(lambda s: s.assign_number(key, number, flow=flow))
    typer.echo(f"{number} → {key} ({flow})")


@number_app.command("remove")
def number_remove(key: Key, number: Annotated[str, typer.Argument()]) -> None:
    """Take a number back from a center."""
    _run(lambda s: s.release_number(key, number))
    typer.echo(f"{number} released")


@operator_app.command("create")
def operator_create(
    username: Annotated[str, typer.Option(help="login name")],
    password: Annotated[
        str | None, typer.Option(envvar="HOTLINE_USER_PASSWORD", help="asked when not given")
    ] = None,
) -> None:
    """Create a platform operator (logs in to tenant `platform`)."""
    if password is None:
        password = getpass.getpass("password: ")

    async def run() -> bool:
        services = build_services(Settings.load())
        await services.start()
        try:
            async with services.uow() as uow:
                _, created = await ensure_operator(
                    uow.conn, services.clock.now(), username, password
                )
                await uow.commit()
            return created
        finally:
            await services.stop()

    try:
        created = asyncio.run(run())
    except HotlineError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"operator {username} " + ("created" if created else "exists already"))
