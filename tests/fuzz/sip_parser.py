"""Fuzz target for the SIP parser and stream framer: mutate the golden messages at random.

Any exception other than `SipParseError` is a bug: the input is written to `var/fuzz/` and the
run fails. The mutation engine is plain `random` (millions of inputs per hour on one core);
the hypothesis properties in tests/unit/sip cover the same ground deterministically in CI.
"""

from __future__ import annotations

import hashlib
import random
import time
import traceback
from pathlib import Path

from hotline.sip import SipParseError, parse_message
from hotline.sip.framing import StreamFramer

DATA = Path(__file__).resolve().parents[1] / "data" / "sip"
INTERESTING = b' \t\r\n:;,<>"\\@%=/?0\x00\xff'


def seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted(DATA.rglob("*.dat"))] or [
        b"OPTIONS sip:a SIP/2.0\r\n\r\n"
    ]


def mutate(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rng.choice(INTERESTING)
        elif op == 1:
            data[pos:pos] = rng.randbytes(rng.randint(1, 8))
        elif op == 2:
            del data[pos : pos + rng.randint(1, 30)]
        elif op == 3:
            data[pos:pos] = data[pos : pos + rng.randint(1, 60)]
        elif op == 4 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        else:
            data[pos:pos] = rng.choice([b"\r\n", b"\r\n ", b";", b",", b"%", b'"', b"<", b">"])
    return bytes(data)


def check(data: bytes) -> None:
    try:
        msg = parse_message(data)
    except SipParseError:
        return
    parse_message(bytes(msg))
    framer = StreamFramer(max_message_bytes=8192)
    try:
        for i in range(0, len(data), 13):
            framer.feed(data[i : i + 13])
    except SipParseError:
        return


def run(seconds: float, seed: int, out: Path) -> int:
    rng = random.Random(seed)
    corpus = seeds()
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        for _ in range(200):
            data = mutate(rng, rng.choice(corpus))
            count += 1
            try:
                check(data)
            except Exception:  # noqa: BLE001 - any other exception is the finding
                out.mkdir(parents=True, exist_ok=True)
                path = out / f"sip-crash-{hashlib.sha256(data).hexdigest()[:16]}.bin"
                path.write_bytes(data)
                traceback.print_exc()
                print(f"sip_parser: crash after {count} inputs, input saved to {path}")
                return 1
    print(f"sip_parser: {count} inputs in {seconds:.0f} s, no crash (seed {seed})")
    return 0
