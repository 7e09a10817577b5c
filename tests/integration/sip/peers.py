"""Helpers for the SIP interop tests: free ports, a Hotline service, sipp runs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from hotline.clock import SystemClock
from hotline.events import ListSink
from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.offeranswer import make_answer
from hotline.sip.registrar import InMemoryBindingStore
from hotline.sip.transport.calls import IncomingCall
from hotline.sip.transport.service import CallHandler, SipService, SipServiceConfig
from tests.conftest import require_tool
from tests.ports import free_port


async def answer_and_wait(call: IncomingCall) -> None:
    """The test UAS: ring, answer with PCMU, stay until the caller hangs up."""
    assert call.offer is not None
    answer, _ = make_answer(call.offer, "127.0.0.1", free_port(), session_id=1)
    await call.ring()
    session = await call.answer(answer)
    async for _ in session.events():
        pass


@contextlib.asynccontextmanager
async def hotline(
    on_call: CallHandler | None = answer_and_wait,
    *,
    credentials: InMemoryCredentialStore | None = None,
    bindings: InMemoryBindingStore | None = None,
    authenticate_invites: bool = False,
    **config: object,
) -> AsyncIterator[tuple[SipService, ListSink]]:
    sink = ListSink()
    settings = SipServiceConfig(
        udp_port=0,
        tcp_port=0,
        authenticate_invites=authenticate_invites,
        **config,  # type: ignore[arg-type]
    )
    service = SipService(
        settings,
        clock=SystemClock(),
        events=sink,
        credentials=credentials,
        bindings=bindings,
        on_call=on_call,
    )
    await service.start()
    try:
        yield service, sink
    finally:
        await service.stop()


@dataclass
class SippResult:
    returncode: int
    stdout: str
    stderr: str
    stats: str

    def field(self, name: str) -> str:
        """A column of the last `-trace_stat` line (e.g. SuccessfulCall(C))."""
        lines = [ln for ln in self.stats.splitlines() if ln.strip()]
        if len(lines) < 2:
            return ""
        header = lines[0].split(";")
        values = lines[-1].split(";")
        return dict(zip(header, values, strict=False)).get(name, "")


async def run_sipp(
    args: list[str], tmp: str, timeout: float = 60.0, until: asyncio.Event | None = None
) -> SippResult:
    """Run sipp to completion (or until `until` is set, then stop it) and read its stats."""
    sipp = require_tool("sipp")
    stat = f"{tmp}/stat.csv"
    proc = await asyncio.create_subprocess_exec(
        sipp,
        *args,
        "-nostdin",
        "-trace_stat",
        "-fd",
        "1",
        "-stf",
        stat,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp,
    )
    try:
        if until is not None:
            done = asyncio.ensure_future(until.wait())
            talk = asyncio.ensure_future(proc.communicate())
            await asyncio.wait({done, talk}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            done.cancel()
            if not talk.done():
                proc.terminate()
            out, err = await asyncio.wait_for(talk, 10)
        else:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
    stat_file = Path(stat)
    stats = stat_file.read_text() if stat_file.exists() else ""  # noqa: ASYNC240 - tiny file
    return SippResult(
        proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace"), stats
    )


def sipp_transport(transport: str) -> str:
    return "u1" if transport == "udp" else "t1"


REGISTRAR_SCENARIO = Path(__file__).parents[2] / "data" / "sip" / "sipp" / "registrar.xml"


@contextlib.asynccontextmanager
async def sipp_registrar(tmp: str) -> AsyncIterator[int]:
    """A carrier's registrar played by sipp over UDP (user trunk1, password s3cret, 120 s):
    yields its port, stops it at the end. Call-IDs are forgotten at once (`-deadcall_wait 0`)
    so a trunk's next REGISTER on the same Call-ID is served as a new one."""
    sipp = require_tool("sipp")
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sipp, "-sf", str(REGISTRAR_SCENARIO), "-i", "127.0.0.1", "-p", str(port),
        "-mp", str(free_port()), "-t", "u1", "-deadcall_wait", "0", "-nostdin",
        "-trace_err", "-error_file", f"{tmp}/registrar-errors.log",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, cwd=tmp,
    )  # fmt: skip
    try:
        yield port
    finally:
        if proc.returncode is None:
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
