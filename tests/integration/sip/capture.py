"""Packets off the wire: `tshark` captures loopback UDP into a pcap file, read here.

Used to prove what really crossed the socket (e.g. that no RTP left in clear text), not what
our own code believes it sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require_tool

__all__ = ["Datagram", "capture_udp", "read_pcap"]


@dataclass(frozen=True, slots=True)
class Datagram:
    src: tuple[str, int]
    dst: tuple[str, int]
    payload: bytes


def read_pcap(path: Path) -> list[Datagram]:
    """UDP over IPv4 from a classic pcap file (Ethernet or Linux cooked link layer)."""
    data = path.read_bytes()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    link_header = {1: 14, 113: 16, 276: 20}[linktype]
    out: list[Datagram] = []
    pos = 24
    while pos + 16 <= len(data):
        _, _, captured, _ = struct.unpack(endian + "IIII", data[pos : pos + 16])
        frame = data[pos + 16 : pos + 16 + captured]
        pos += 16 + captured
        ip = frame[link_header:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 0x0F) * 4
        src = ".".join(str(b) for b in ip[12:16])
        dst = ".".join(str(b) for b in ip[16:20])
        sport, dport, length = struct.unpack("!HHH", ip[ihl : ihl + 6])
        out.append(Datagram((src, sport), (dst, dport), ip[ihl + 8 : ihl + length]))
    return out


@contextlib.asynccontextmanager
async def capture_udp(path: Path, port_min: int, port_max: int) -> AsyncIterator[Path]:
    """Capture loopback UDP to or from ports `port_min`–`port_max` while the block runs."""
    tshark = require_tool("tshark")
    proc = await asyncio.create_subprocess_exec(
        tshark, "-i", "lo", "-F", "pcap", "-w", str(path),
        "-f", f"udp portrange {port_min}-{port_max}",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    try:
        # tshark says "Capturing on 'Loopback: lo'" once the capture filter is installed.
        while True:
            line = await asyncio.wait_for(proc.stderr.readline(), 20)
            if not line:
                raise RuntimeError("tshark exited before capturing")
            if b"Capturing on" in line:
                break
        yield path
        await asyncio.sleep(0.5)  # the last packets reach the file
    finally:
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 10)
