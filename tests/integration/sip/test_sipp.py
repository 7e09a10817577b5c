"""Interop with real sipp (3.6.1) over loopback: both directions, UDP and TCP, with loss."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hotline.sip.offeranswer import make_offer
from hotline.sip.transport.calls import CallFailed
from tests.integration.sip.peers import free_port, hotline, run_sipp, sipp_transport

pytestmark = [pytest.mark.sipp]

CALLS = 20


# sipp's -lost simulates loss on datagram transports only.
CASES = [("udp", 0), ("tcp", 0), ("udp", 10)]


@pytest.mark.parametrize(("transport", "lost"), CASES)
async def test_sipp_uac_calls_hotline(transport: str, lost: int, tmp_path: Path) -> None:
    async with hotline() as (service, _):
        port = service.local[transport].port
        args = [
            "-sn", "uac", f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", str(free_port()),
            "-mp", str(free_port()), "-m", str(CALLS), "-r", "10", "-l", "10", "-d", "100",
            "-t", sipp_transport(transport),
        ]  # fmt: skip
        if lost:
            args += ["-lost", str(lost)]
        result = await run_sipp(args, str(tmp_path), timeout=90)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.field("SuccessfulCall(C)") == str(CALLS)
        assert service.counters["calls_in"] >= CALLS
        if not lost:
            # Every dialog ended with sipp's BYE. (With loss, sipp may count a call whose
            # ACK and BYE it "lost" on sending as successful; we then clean up after 64*T1.)
            for _ in range(50):
                if not service.sessions:
                    break
                await asyncio.sleep(0.05)
            assert service.sessions == []


@pytest.mark.parametrize(("transport", "lost"), CASES)
async def test_hotline_calls_sipp_uas(transport: str, lost: int, tmp_path: Path) -> None:
    sipp_port = free_port()
    # No -m: under loss a stray retransmission (a BYE after sipp closed the call) counts as a
    # call of its own in sipp, which would make it exit before our last call. We stop it.
    args = [
        "-sn", "uas", "-i", "127.0.0.1", "-p", str(sipp_port), "-mp", str(free_port()),
        "-t", sipp_transport(transport),
    ]  # fmt: skip
    if lost:
        args += ["-lost", str(lost), "-trace_err"]
    finished = asyncio.Event()
    async with hotline(None) as (service, _):
        sipp = asyncio.ensure_future(run_sipp(args, str(tmp_path), timeout=150, until=finished))
        await asyncio.sleep(0.5)  # let sipp bind
        offer = make_offer("127.0.0.1", free_port(), session_id=7)
        target = f"sip:service@127.0.0.1:{sipp_port};transport={transport}"

        timed_out: list[str] = []  # Call-IDs of INVITEs that got no answer (Timer B)

        async def one_call() -> int | None:
            call = await service.invite(target, sdp=offer)
            try:
                session = await call.wait(timeout=40)
            except CallFailed as exc:
                if not (lost and exc.status == 408):
                    pytest.fail(f"call not established: {exc.status}")
                timed_out.append(call.call_id)
                return None
            assert session.media is not None
            await asyncio.sleep(0.1)
            return await session.hangup()

        results: list[int] = []
        for batch in range(0, CALLS, 5):
            done = await asyncio.gather(*(one_call() for _ in range(min(5, CALLS - batch))))
            results += [status for status in done if status is not None]
        # sipp's uas counts a call successful after a 4 s time-wait that follows the BYE.
        await asyncio.sleep(4.6)
        finished.set()
        result = await sipp
    # Every call was established. Under loss a BYE may end in 408: sipp's scenario forgets
    # the call 4 s after its 200 to BYE, so when that 200 is "lost" our retransmitted BYEs go
    # unanswered; the dialog is over on both sides either way.
    assert all(status in (200, 408) for status in results), results
    # sipp's own limit under -lost: when it "loses" both its 180 and its 200 on sending, it
    # takes our INVITE retransmission (RFC 3261 Timer A) for an unexpected message, aborts the
    # call and then ignores that Call-ID; our INVITE then times out (Timer B, 408) as it
    # should. Such a call is accepted only if sipp's error log says it aborted exactly it.
    if timed_out:
        logs = tmp_path.glob("*_errors.log")  # noqa: ASYNC240 - small files, after the run
        errors = "".join(f.read_text() for f in logs)
        for call_id in timed_out:
            assert f"Aborting call on unexpected message for Call-Id '{call_id}'" in errors, errors
        assert len(timed_out) <= CALLS // 4, timed_out
    if not lost:
        assert results == [200] * CALLS
    assert int(result.field("SuccessfulCall(C)") or 0) >= results.count(200), result.stats
