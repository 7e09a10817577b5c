"""Small builders of requests and responses for the SIP unit tests."""

from __future__ import annotations

from hotline.sip import Request, Response, parse_message
from hotline.sip.address import Address
from hotline.sip.construct import make_response

UDP_PEER = Address("udp", "127.0.0.1", 5070)
TCP_PEER = Address("tcp", "127.0.0.1", 5070)


def request(
    method: str = "INVITE",
    *,
    branch: str = "z9hG4bKtest1",
    call_id: str = "call-1",
    cseq: int = 1,
    to_tag: str | None = None,
    from_tag: str = "ftag",
    uri: str = "sip:agent@127.0.0.1:5060",
    body: bytes = b"",
    extra: str = "",
    via_host: str = "127.0.0.1:5070",
    to_uri: str = "sip:agent@127.0.0.1",
    from_uri: str = "sip:caller@127.0.0.1",
) -> Request:
    to = f"<{to_uri}>" + (f";tag={to_tag}" if to_tag else "")
    ctype = "Content-Type: application/sdp\r\n" if body else ""
    raw = (
        f"{method} {uri} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {via_host};branch={branch};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <{from_uri}>;tag={from_tag}\r\n"
        f"To: {to}\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: {cseq} {method}\r\n"
        f"Contact: <sip:caller@{via_host}>\r\n"
        f"{extra}{ctype}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    msg = parse_message(raw)
    assert isinstance(msg, Request)
    return msg


def response(req: Request, status: int, to_tag: str | None = "ttag", body: bytes = b"") -> Response:
    resp = make_response(
        req,
        status,
        to_tag=to_tag,
        body=body,
        content_type="application/sdp" if body else None,
    )
    again = parse_message(bytes(resp))
    assert isinstance(again, Response)
    return again
