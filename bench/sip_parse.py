"""Parse + serialize a typical INVITE: messages per second, against a naive baseline.

The baseline is the least a parser can do: decode, split lines, split each at the colon into
a dict, slice the body; a second reference is the stdlib e-mail header parser. Hotline's
parser validates Via/From/To/CSeq/Contact/Max-Forwards and keeps the original text for
byte-exact serialization, so the ratios say what that costs.
Run: .venv/bin/python bench/sip_parse.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import compat32

from hotline.sip import parse_message

SDP = (
    b"v=0\r\no=- 3849283 3849283 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    b"m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n"
)
INVITE = (
    b"INVITE sip:4008001234@pbx.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---a6b3e1f0c8d2;rport\r\n"
    b"Max-Forwards: 70\r\n"
    b"Contact: <sip:13800138000@192.0.2.10:5060;transport=udp>\r\n"
    b"To: <sip:4008001234@pbx.example.com>\r\n"
    b'From: "Zhang San" <sip:13800138000@carrier.example.net>;tag=a1b2c3d4\r\n'
    b"Call-ID: 8a7b6c5d4e3f2a1b@192.0.2.10\r\n"
    b"CSeq: 1 INVITE\r\n"
    b"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY\r\n"
    b"Supported: replaces, timer\r\n"
    b"User-Agent: Carrier-SBC/4.2\r\n"
    b"P-Asserted-Identity: <sip:+8613800138000@carrier.example.net>\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: " + str(len(SDP)).encode() + b"\r\n\r\n" + SDP
)


# Distinct calls differ in Call-ID, From tag, branch and caller: parse a rotating set so that
# per-value caches see what they would see in production, not one message a million times.
VARIANTS = [
    INVITE.replace(b"a6b3e1f0c8d2", f"{i:012x}".encode())
    .replace(b"8a7b6c5d4e3f2a1b", f"{i:016x}".encode())
    .replace(b"a1b2c3d4", f"{i:08x}".encode())
    .replace(b"13800138000", f"138{i:08d}".encode())
    for i in range(5000)
]


def naive(data: bytes) -> dict[str, str]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {"_start": lines[0], "_body": body.decode()}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def stdlib_email(data: bytes) -> object:
    # What one reaches for first: the stdlib RFC 5322 parser (no SIP validation at all).
    return BytesParser(policy=compat32).parsebytes(data.split(b"\r\n", 1)[1])


def hotline_parse(data: bytes) -> object:
    return parse_message(data)


def hotline_round_trip(data: bytes) -> object:
    return bytes(parse_message(data))


def rate(fn: Callable[[bytes], object], seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    while True:
        for data in VARIANTS:
            fn(data)
        count += len(VARIANTS)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    assert bytes(parse_message(INVITE)) == INVITE
    base = rate(naive, args.seconds)
    email = rate(stdlib_email, args.seconds)
    parse = rate(hotline_parse, args.seconds)
    both = rate(hotline_round_trip, args.seconds)
    print(f"INVITE of {len(INVITE)} octets, {args.seconds:.0f} s per figure, one core")
    print(f"naive split-into-dict baseline : {base:>9,.0f} msg/s")
    print(f"stdlib email.parser (headers)  : {email:>9,.0f} msg/s  ({email / base:.2f}x baseline)")
    print(f"hotline parse_message          : {parse:>9,.0f} msg/s  ({parse / base:.2f}x baseline)")
    print(f"hotline parse + bytes()        : {both:>9,.0f} msg/s  ({both / base:.2f}x baseline)")


if __name__ == "__main__":
    main()
