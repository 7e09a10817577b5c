"""Regenerate the golden RTP/RTCP packets in this folder (run once; the files are committed).

RTP goldens are real packets cut from the pcaps that ship with Debian's sip-tester; RTCP and the
exotic RTP packet are packed here field by field with `struct`, independently of
`hotline.media`, so the round-trip tests compare our code with the RFC layout, not with itself.

    .venv/bin/python tests/data/media/make_goldens.py
"""

from __future__ import annotations

import struct
from pathlib import Path

HERE = Path(__file__).parent
PCAPS = Path("/usr/share/sip-tester")


def rtp_from_pcap(path: Path, index: int) -> bytes:
    data = path.read_bytes()
    pos = 24  # pcap global header
    for i in range(index + 1):
        incl = struct.unpack_from("<I", data, pos + 8)[0]
        frame = data[pos + 16 : pos + 16 + incl]
        pos += 16 + incl
        if i == index:
            ip = frame[14:]  # Ethernet II
            udp = ip[(ip[0] & 0x0F) * 4 :]
            return bytes(udp[8:])
    raise ValueError("index past the end")


def main() -> None:
    (HERE / "rtp_pcma_30ms.bin").write_bytes(rtp_from_pcap(PCAPS / "g711a.pcap", 0))
    (HERE / "rtp_event_start.bin").write_bytes(rtp_from_pcap(PCAPS / "dtmf_2833_1.pcap", 0))
    (HERE / "rtp_event_end.bin").write_bytes(rtp_from_pcap(PCAPS / "dtmf_2833_1.pcap", 8))
    # V=2 P=1 X=1 CC=2, M=1 PT=0, seq 65535, ts 0xFFFFFFF0, ssrc 0x11223344, csrc 1 and 2,
    # extension profile 0xBEDE with one word, payload 4 bytes, 3 padding octets.
    exotic = (
        struct.pack("!BBHII", 0xB2, 0x80, 65535, 0xFFFFFFF0, 0x11223344)
        + struct.pack("!II", 1, 2)
        + struct.pack("!HH", 0xBEDE, 1)
        + b"\x10\xaa\x00\x00"
        + b"\xff\xfe\xfd\xfc"
        + b"\x00\x00\x03"
    )
    (HERE / "rtp_csrc_ext_padding.bin").write_bytes(exotic)
    # SR (2 report blocks) + SDES CNAME + BYE with reason, as one compound datagram.
    blocks = struct.pack("!IIIIII", 0xAAAA0001, (25 << 24) | 7, 0x0001FFFF, 31, 0x12345678, 65536)
    blocks += struct.pack("!IIIIII", 0xAAAA0002, 0xFFFFFF, 100, 0, 0, 0)  # cumulative lost -1
    sr = struct.pack("!BBH", 0x82, 200, 6 + 12) + struct.pack(
        "!IQIII", 0xCAFEBABE, 0xE6F1A2B3C4D5E6F7, 160000, 500, 80000
    )
    cname = b"hotline@127.0.0.1"
    chunk = struct.pack("!I", 0xCAFEBABE) + bytes((1, len(cname))) + cname
    chunk += b"\0" * (4 - len(chunk) % 4)
    sdes = struct.pack("!BBH", 0x81, 202, len(chunk) // 4) + chunk
    reason = bytes((8,)) + b"hang up." + b"\0" * 3
    bye = struct.pack("!BBH", 0x81, 203, 1 + len(reason) // 4) + struct.pack("!I", 0xCAFEBABE)
    bye += reason
    (HERE / "rtcp_sr_sdes_bye.bin").write_bytes(sr + blocks + sdes + bye)
    rr = struct.pack("!BBH", 0x81, 201, 7) + struct.pack("!I", 0x01020304)
    rr += struct.pack("!IIIIII", 0xCAFEBABE, (0 << 24) | 0, 1000, 12, 0, 0)
    app = struct.pack("!BBH", 0x80 | 3, 204, 2) + struct.pack("!I", 0x01020304) + b"name"
    (HERE / "rtcp_rr_app.bin").write_bytes(rr + app)


if __name__ == "__main__":
    main()
