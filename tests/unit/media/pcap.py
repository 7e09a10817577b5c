"""Read the RTP packets out of a classic pcap file (Ethernet/IPv4/UDP), for tests only."""

from __future__ import annotations

import struct
from pathlib import Path

SIPP_PCAPS = Path("/usr/share/sip-tester")


def rtp_packets(path: Path) -> list[tuple[float, bytes]]:
    """(capture time in seconds, UDP payload) of every UDP packet in the file."""
    data = path.read_bytes()
    if struct.unpack_from("<I", data)[0] != 0xA1B2C3D4:
        raise ValueError(f"{path} is not a little-endian microsecond pcap")
    packets = []
    pos = 24
    while pos + 16 <= len(data):
        seconds, micros, incl, _ = struct.unpack_from("<IIII", data, pos)
        frame = data[pos + 16 : pos + 16 + incl]
        pos += 16 + incl
        ip = frame[14:]
        if ip[9] != 17:  # not UDP
            continue
        udp = ip[(ip[0] & 0x0F) * 4 :]
        packets.append((seconds + micros / 1e6, bytes(udp[8:])))
    return packets
