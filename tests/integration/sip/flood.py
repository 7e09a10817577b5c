"""A SIP flood from many loopback sources, and a legitimate caller that times its calls.

Used by the many-source flood test and by `bench/sip_flood.py`. Every source is its own UDP
socket bound to a distinct 127.0.0.x address, sending at a fixed rate a mix of what scanners
send: INVITEs with SDP (new Call-ID each), REGISTERs with a made-up nonce, and OPTIONS. The
loops are bounded in count and time and stop by themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CallTimes", "FloodReport", "LegitCaller", "flood", "rss_mb"]

_SEQ = itertools.count(1)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _message(kind: int, host: str, port: int, target: tuple[str, int]) -> bytes:
    n = next(_SEQ)
    to_host = f"{target[0]}:{target[1]}"
    via = f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bKflood{n};rport\r\n"
    common = (
        f"From: <sip:{1000 + n % 9000}@{host}>;tag=fl{n}\r\nCall-ID: flood-{n}@{host}\r\n"
        "Max-Forwards: 70\r\nUser-Agent: loadgen\r\n"
    )
    if kind == 0:
        sdp = (
            f"v=0\r\no=- {n} 1 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
            "m=audio 9 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
        )
        return (
            f"INVITE sip:4001@{to_host} SIP/2.0\r\n{via}{common}To: <sip:4001@{to_host}>\r\n"
            f"CSeq: 1 INVITE\r\nContact: <sip:x@{host}:{port}>\r\n"
            f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}"
        ).encode()
    if kind == 1:
        auth = (
            'Authorization: Digest username="1001", realm="hotline", '
            'nonce="bWFkZS11cC1ub25jZS0wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA", '
            f'uri="sip:{to_host}", response="0123456789abcdef0123456789abcdef"\r\n'
        )
        return (
            f"REGISTER sip:{to_host} SIP/2.0\r\n{via}{common}To: <sip:1001@{to_host}>\r\n"
            f"CSeq: 1 REGISTER\r\nContact: <sip:1001@{host}:{port}>\r\n{auth}"
            "Content-Length: 0\r\n\r\n"
        ).encode()
    return (
        f"OPTIONS sip:{to_host} SIP/2.0\r\n{via}{common}To: <sip:{to_host}>\r\n"
        "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    ).encode()


@dataclass
class FloodReport:
    sent: int = 0
    answers: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class _Drain(asyncio.DatagramProtocol):
    def __init__(self, report: FloodReport) -> None:
        self.report = report

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self.report.answers += 1
        parts = data.split(b" ", 2)
        if len(parts) > 1 and parts[0] == b"SIP/2.0" and parts[1].isdigit():
            status = int(parts[1])
            self.report.statuses[status] = self.report.statuses.get(status, 0) + 1


async def flood(
    target: tuple[str, int],
    *,
    sources: int = 25,
    rate_per_source: float = 200.0,
    seconds: float = 10.0,
    first_host: int = 10,
    spread: bool = False,
    until: asyncio.Event | None = None,
) -> FloodReport:
    """`sources` sockets on 127.0.0.<first_host…> (one /24), or with `spread` on
    127.<first_host…>.0.1 (a /24 each), each at `rate_per_source` messages/s, for `seconds`
    or, with `until`, until it is set (`seconds` then bounds it)."""
    loop = asyncio.get_running_loop()
    report = FloodReport()
    transports: list[tuple[asyncio.DatagramTransport, str, int]] = []
    for i in range(sources):
        host = f"127.{first_host + i}.0.1" if spread else f"127.0.0.{first_host + i}"
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Drain(report), local_addr=(host, 0)
        )
        port = int(transport.get_extra_info("sockname")[1])
        transports.append((transport, host, port))  # type: ignore[arg-type]
    tick = 0.02
    started = time.monotonic()
    per_source = 0
    try:
        k = 0
        while (elapsed := time.monotonic() - started) < seconds:
            if until is not None and until.is_set():
                break
            # Send what the schedule says by now: a late tick catches up, so the total does
            # not depend on how busy the machine is.
            batch = int(rate_per_source * min(elapsed + tick, seconds)) - per_source
            per_source += batch
            for transport, host, port in transports:
                for _ in range(batch):
                    transport.sendto(_message(k % 3, host, port, target), target)
                    k += 1
                    report.sent += 1
            await asyncio.sleep(max(0.0, tick * (int(elapsed / tick) + 1) - elapsed))
    finally:
        await asyncio.sleep(0.2)  # collect the last answers
        for transport, _, _ in transports:
            transport.close()
    return report


@dataclass
class CallTimes:
    setup_ms: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def completed(self) -> int:
        return len(self.setup_ms)

    def median(self) -> float:
        ordered = sorted(self.setup_ms)
        return ordered[len(ordered) // 2] if ordered else float("nan")


class LegitCaller:
    """A trunk-side caller on 127.0.0.1: INVITE DID `did`, time the 200, ACK, BYE."""

    def __init__(self, target: tuple[str, int], did: str = "4001") -> None:
        self.target = target
        self.did = did
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port = int(self.sock.getsockname()[1])

    def close(self) -> None:
        self.sock.close()

    async def _exchange(self, data: bytes, want: bytes, timeout: float) -> bytes:
        """Send `data` (retransmitting as UDP requires) until a final answer to `want`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        interval = 0.5
        await loop.sock_sendto(self.sock, data, self.target)
        resend = loop.time() + interval
        while True:
            wait = min(deadline, resend) - loop.time()
            if wait <= 0 and loop.time() >= deadline:
                raise TimeoutError
            try:
                reply = await asyncio.wait_for(loop.sock_recv(self.sock, 65535), max(wait, 0.001))
            except TimeoutError:
                if loop.time() >= deadline:
                    raise
                await loop.sock_sendto(self.sock, data, self.target)
                interval = min(interval * 2, 4.0)
                resend = loop.time() + interval
                continue
            status = reply.split(b" ", 2)[1] if reply.startswith(b"SIP/2.0 ") else b""
            if want in reply and status.isdigit() and int(status) >= 200:
                return reply

    async def call(self, times: CallTimes, *, timeout: float = 10.0) -> None:
        n = next(_SEQ)
        host, to_host = "127.0.0.1", f"{self.target[0]}:{self.target[1]}"
        call_id = f"legit-{n}-{time.monotonic_ns()}"
        head = (
            f"From: <sip:1380013{n:04d}@{host}>;tag=lg{n}\r\nCall-ID: {call_id}\r\n"
            "Max-Forwards: 70\r\n"
        )
        sdp = (
            f"v=0\r\no=- {n} 1 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
            f"m=audio {40000 + n % 1000 * 2} RTP/AVP 0 101\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n"
        )
        invite = (
            f"INVITE sip:{self.did}@{to_host} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{self.port};branch=z9hG4bKlg{n}i;rport\r\n{head}"
            f"To: <sip:{self.did}@{to_host}>\r\nCSeq: 1 INVITE\r\n"
            f"Contact: <sip:c@{host}:{self.port}>\r\nContent-Type: application/sdp\r\n"
            f"Content-Length: {len(sdp)}\r\n\r\n{sdp}"
        ).encode()
        started = time.monotonic()
        try:
            reply = await self._exchange(invite, f"Call-ID: {call_id}".encode(), timeout)
        except TimeoutError:
            times.failed.append("timeout")
            return
        elapsed = (time.monotonic() - started) * 1000
        status = int(reply.split(b" ", 2)[1])
        to_line = next(ln for ln in reply.decode().split("\r\n") if ln.lower().startswith("to:"))
        if status != 200:
            times.failed.append(str(status))
            ack_to = to_line
        else:
            times.setup_ms.append(elapsed)
            ack_to = to_line
        ack = (
            f"ACK sip:{self.did}@{to_host} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{self.port};branch=z9hG4bKlg{n}"
            f"{'i' if status != 200 else 'a'};rport\r\n{head}{ack_to}\r\nCSeq: 1 ACK\r\n"
            "Content-Length: 0\r\n\r\n"
        ).encode()
        await asyncio.get_running_loop().sock_sendto(self.sock, ack, self.target)
        if status != 200:
            return
        bye = (
            f"BYE sip:{self.did}@{to_host} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{self.port};branch=z9hG4bKlg{n}b;rport\r\n{head}"
            f"{to_line}\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n"
        ).encode()
        with contextlib.suppress(TimeoutError):
            await self._exchange(bye, f"Call-ID: {call_id}".encode(), timeout)
