"""Property tests: whatever the bytes, the parser raises `SipParseError` and nothing else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hotline.sip import SipParseError, parse_message
from hotline.sip.framing import StreamFramer
from tests.unit.sip.rfc4475 import cases
from tests.unit.sip.test_parser import INVITE

SEEDS = [c.data for c in cases()] + [INVITE]


def parse_or_reject(data: bytes) -> None:
    try:
        msg = parse_message(data)
    except SipParseError:
        return
    # Whatever parsed serializes, and what it serializes parses again to the same start line.
    again = parse_message(bytes(msg))
    assert again.start_line() == msg.start_line()


@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    parse_or_reject(data)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    seed = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup"]))
        pos = draw(st.integers(0, max(0, len(seed) - 1)))
        if op == "flip" and seed:
            seed[pos] = draw(st.sampled_from(b' \t\r\n:;,<>"\\@%=/?0\x00\xff'))
        elif op == "insert":
            seed[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del seed[pos : pos + draw(st.integers(1, 20))]
        else:
            end = min(len(seed), pos + draw(st.integers(1, 40)))
            seed[pos:pos] = seed[pos:end]
    return bytes(seed)


@given(mutated())
def test_mutated_torture_messages(data: bytes) -> None:
    parse_or_reject(data)


@given(mutated(), st.lists(st.integers(1, 50), min_size=1, max_size=10))
def test_framer_only_raises_parse_errors(data: bytes, cuts: list[int]) -> None:
    framer = StreamFramer(max_message_bytes=4096)
    pos = 0
    try:
        for cut in cuts:
            framer.feed(data[pos : pos + cut])
            pos += cut
        framer.feed(data[pos:])
    except SipParseError:
        pass
