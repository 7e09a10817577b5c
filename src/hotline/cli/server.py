"""`hotline serve` and `hotline demo`: run the server (HTTP[S] + telephony) with graceful stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from hotline.api.application import create_api
from hotline.app import Services, build_services
from hotline.config import Settings, TrunkSettings
from hotline.demo import seed_demo
from hotline.server.heap import HeapWatch

__all__ = ["demo", "serve"]

log = logging.getLogger("hotline")


class _Server(uvicorn.Server):
    """uvicorn, with SIGTERM/SIGINT first draining Hotline's live calls (DESIGN: graceful stop)."""

    def __init__(self, config: uvicorn.Config, services: Services) -> None:
        super().__init__(config)
        self.services = services
        self._stopping: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            yield
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)

    def _on_signal(self, sig: int) -> None:
        if self._stopping is not None:
            self.force_exit = sig == signal.SIGINT
            return
        log.info("received %s: draining", signal.Signals(sig).name)
        self._stopping = asyncio.ensure_future(self._drain_then_exit())

    async def _drain_then_exit(self) -> None:
        try:
            await self.services.drain()
        finally:
            self.should_exit = True


def _banner(settings: Settings) -> str:
    scheme = "https" if settings.http.tls_cert else "http"
    return f"{scheme}://{settings.http.host}:{settings.http.port}"


async def run_server(
    settings: Settings, *, demo_password: str | None = None, seed: bool = False
) -> None:
    heap = HeapWatch()
    heap.install()
    services = build_services(settings)
    services.metric_sources.append(heap.metrics)
    await services.start()
    if seed:
        center = await seed_demo(services.uow, services.clock, settings, password=demo_password)
        _print_demo(settings, center.password, center.created)
    await services.start_jobs()
    await services.start_telephony()
    # Import runs a killed server left behind rolled back; say so on them.
    await services.imports.recover()
    app = create_api(services)
    heap.settle()  # what start-up made lives as long as the server: never walk it again
    config = uvicorn.Config(
        app,
        host=settings.http.host,
        port=settings.http.port,
        ssl_certfile=str(settings.http.tls_cert) if settings.http.tls_cert else None,
        ssl_keyfile=str(settings.http.tls_key) if settings.http.tls_key else None,
        lifespan="off",
        log_level="info",
        access_log=False,
        proxy_headers=True,
        # Only these proxies' X-Forwarded-For names the client (login throttling, audit).
        forwarded_allow_ips=settings.http.forwarded_allow_ips,
        server_header=False,
    )
    server = _Server(config, services)
    assert services.telephony is not None
    failure = services.telephony.failure
    # A part the server cannot run without died (the media process): stop now, exit non-zero.
    failure.add_done_callback(lambda _: setattr(server, "should_exit", True))
    typer.echo(f"Hotline serving on {_banner(settings)}  (Ctrl+C to stop)")
    try:
        await server.serve()
    finally:
        await services.stop()
        heap.uninstall()
    if failure.done():
        typer.echo(f"Hotline stopped: {failure.result()}", err=True)
        raise SystemExit(1)


def _demo_password_file(settings: Settings) -> Path:
    return settings.var_dir / "demo-password.txt"


def _print_demo(settings: Settings, password: str, created: bool) -> None:
    url = _banner(settings)
    if created:
        path = _demo_password_file(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password + "\n")
        path.chmod(0o600)
    elif not password:
        path = _demo_password_file(settings)
        password = path.read_text().strip() if path.is_file() else "(see the first `hotline demo`)"
    typer.echo(
        "\n".join(
            [
                "",
                "Hotline demo center 演示呼叫中心 (tenant `demo`)",
                f"  Open {url}/login",
                f"  Users: admin, supervisor, agent1, agent2, agent3 — password: {password}",
                f"  API docs: {url}/api/docs",
                "  Test call: DID 4001 — SIP on "
                f"{settings.sip.host}:{settings.sip.udp_port} (UDP/TCP), e.g. "
                f"`sipp -sn uac {settings.sip.host}:{settings.sip.udp_port} -s 4001 -m 1 -d 10000 "
                "-p 5070 -mp 6070` (calls from this machine come in on the demo trunk)",
                "  Agents' phones register as 1001–1003 with the same password "
                f"(realm {settings.sip.realm}).",
                "",
            ]
        )
    )


def _use_uvloop() -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def serve() -> None:
    """Run the Hotline server with the settings from the environment / HOTLINE_CONFIG."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _use_uvloop()
    with _profiled():
        asyncio.run(run_server(Settings.load()))


@contextlib.contextmanager
def _profiled() -> Iterator[None]:
    """`HOTLINE_PROFILE=FILE`: a developer's switch — the event loop's thread under cProfile,
    its statistics written to FILE when the server stops (for `bench/product_cps.py`)."""
    target = os.environ.get("HOTLINE_PROFILE")
    if not target:
        yield
        return
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(target)


def demo(
    password: Annotated[
        str | None,
        typer.Option(envvar="HOTLINE_DEMO_PASSWORD", help="password for the demo users"),
    ] = None,
) -> None:
    """Migrate, seed the demo center (once) and serve it."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _use_uvloop()
    settings = Settings.load()
    if not settings.sip.trunks:
        # The demo has no carrier: calls from this machine count as coming in on a local
        # "PSTN" trunk, so `sipp` or a softphone on 127.0.0.1 can dial DID 4001 directly.
        demo_trunk = TrunkSettings(
            name="demo-pstn", host="127.0.0.1", port=5999, inbound_sources=["127.0.0.1"]
        )
        settings = settings.model_copy(
            update={"sip": settings.sip.model_copy(update={"trunks": [demo_trunk]})}
        )
    asyncio.run(run_server(settings, demo_password=password, seed=True))
