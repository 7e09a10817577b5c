"""Fuzz targets: the parsers that read what strangers send or admins type.

Each target takes one input (bytes) and may raise only its package's own error for bad input
(`SipError`, `RtpParseError`/`RtcpParseError`, `FlowError`); anything else escaping is a bug
the fuzzer reports.
Targets also check what a parser must keep: a parsed SIP message serialises to something that
parses again, an RTP packet round-trips, an SDP answer can be built for any offer that parses.
Seeds come from the golden files in tests/data and the corpus kept in tests/fuzz/corpus/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hotline.flows.errors import FlowError
from hotline.flows.evaluate import evaluate
from hotline.flows.expression import parse_expression
from hotline.flows.loader import read_document
from hotline.flows.validate import check_flow
from hotline.media.errors import RtcpParseError, RtpParseError
from hotline.media.rtcp import parse_compound, serialize_compound
from hotline.media.rtp import RtpPacket, peek
from hotline.sip import SipParseError, parse_message
from hotline.sip.errors import SipError
from hotline.sip.framing import StreamFramer
from hotline.sip.offeranswer import accept_answer, make_answer
from hotline.sip.sdp import parse_sdp

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
CORPUS = Path(__file__).resolve().parent / "corpus"

__all__ = ["CORPUS", "TARGETS", "Target"]


@dataclass(frozen=True)
class Target:
    name: str
    one_input: Callable[[bytes], None]
    allowed: tuple[type[BaseException], ...]
    seeds: Callable[[], list[bytes]]
    max_len: int = 4096


def sip_message(data: bytes) -> None:
    try:
        msg = parse_message(data)
    except SipParseError:
        pass
    else:
        parse_message(bytes(msg))  # what we would send again must parse
    framer = StreamFramer(max_message_bytes=8192)
    for i in range(0, len(data), 13):
        framer.feed(data[i : i + 13])


def sdp(data: bytes) -> None:
    offer = parse_sdp(data)
    for m in offer.media:
        for crypto in m.crypto:
            str(crypto)
    key = bytes(30)
    answer, _ = make_answer(offer, "192.0.2.1", 4000, session_id=1, srtp_key=key)
    parse_sdp(bytes(answer))
    accept_answer(answer, offer)


def rtp_rtcp(data: bytes) -> None:
    peek(data)
    if len(data) > 1 and 192 <= data[1] <= 223:
        packets = parse_compound(data)
        parse_compound(serialize_compound(packets))
        return
    packet = RtpPacket.parse(data)
    assert RtpPacket.parse(packet.serialize()) == packet


def flow_document(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    document = read_document(text)
    check_flow(document)


def expression(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    parsed = parse_expression(text)
    evaluate(parsed, {"caller": {"vip_level": 3, "name": "王芳"}, "digits": "12", "n": 7})


def _files(*patterns: str) -> Callable[[], list[bytes]]:
    def load() -> list[bytes]:
        found: list[bytes] = []
        for pattern in patterns:
            found += [p.read_bytes() for p in sorted(ROOT.glob(pattern)) if p.is_file()]
        return found

    return load


def _expressions() -> list[bytes]:
    return [
        b'caller.vip_level >= 3 and digits == "1"',
        b"n * 2 + 1 > 10 or not (n in [1, 2, 3])",
        b'len(caller.name) > 0 and upper("a") == "A"',
        b"-(n - 3.5) / 2",
    ]


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("sip", sip_message, (SipParseError,), _files("tests/data/sip/**/*.dat")),
        Target(
            "sdp",
            sdp,
            (SipError,),
            _files("tests/data/sip/**/*.sdp", "tests/fuzz/corpus/sdp/*"),
        ),
        Target(
            "rtp",
            rtp_rtcp,
            (RtpParseError, RtcpParseError),
            _files("tests/data/media/*.bin"),
            max_len=1500,
        ),
        Target(
            "flow_yaml",
            flow_document,
            (FlowError,),
            _files("examples/flows/*.yaml", "tests/data/flows/*.yaml"),
            max_len=4096,
        ),
        Target("expression", expression, (FlowError,), _expressions, max_len=512),
    )
}
