"""Parser details beyond RFC 4475: URIs, name-addrs, Via, framing, building messages."""

from __future__ import annotations

import pytest

from hotline.sip import (
    AbsoluteUri,
    Headers,
    Request,
    Response,
    SipParseError,
    SipUri,
    TelUri,
    parse_message,
    parse_uri,
)
from hotline.sip.framing import KeepAlive, StreamFramer
from hotline.sip.headers import parse_name_addr, parse_via

INVITE = (
    b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: Bob <sip:bob@biloxi.example.com>\r\n"
    b"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    b"Call-ID: a84b4c76e66710\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: 4\r\n"
    b"\r\n"
    b"v=0\n"
)


def test_typical_invite() -> None:
    msg = parse_message(INVITE)
    assert isinstance(msg, Request)
    assert msg.call_id == "a84b4c76e66710"
    assert msg.to.display == "Bob"
    assert msg.body == b"v=0\n"
    assert bytes(msg) == INVITE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sip:alice@atlanta.com", SipUri(host="atlanta.com", user="alice")),
        ("sips:[2001:db8::10]:5061", SipUri(host="[2001:db8::10]", port=5061, scheme="sips")),
        (
            "sip:alice:secretword@atlanta.com;transport=tcp",
            SipUri(
                host="atlanta.com",
                user="alice",
                password="secretword",
                params=(("transport", "tcp"),),
            ),
        ),
        ("SIP:bob@Example.COM", SipUri(host="Example.COM", user="bob")),
    ],
)
def test_sip_uris(text: str, expected: SipUri) -> None:
    uri = parse_uri(text)
    assert uri == expected
    assert str(uri) == text


def test_uri_headers_and_rebuild() -> None:
    uri = parse_uri("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com")
    assert isinstance(uri, SipUri)
    assert uri.headers == (("to", "alice%40atlanta.com"),)
    assert uri.param("METHOD") == "REGISTER"
    rebuilt = uri.with_params(transport="tcp", lr=None)
    assert str(rebuilt) == "sip:atlanta.com;method=REGISTER;transport=tcp;lr?to=alice%40atlanta.com"
    assert rebuilt.transport == "tcp"


def test_tel_and_other_schemes() -> None:
    tel = parse_uri("tel:+1-201-555-0123;phone-context=example.com")
    assert isinstance(tel, TelUri)
    assert tel.number == "+1-201-555-0123"
    assert str(tel) == "tel:+1-201-555-0123;phone-context=example.com"
    other = parse_uri("http://www.example.com")
    assert other == AbsoluteUri("http", "//www.example.com")


@pytest.mark.parametrize(
    "text",
    ["sip:", "sip:alice@", "sip:al ice@atlanta.com", "sip:a@b:99999", "nocolon", "sip:a@-bad-"],
)
def test_bad_uris(text: str) -> None:
    with pytest.raises(SipParseError):
        parse_uri(text)


def test_name_addr_forms() -> None:
    a = parse_name_addr('"A \\"B\\"" <sip:a@b.c>;tag=x')
    assert (a.display, a.tag) == ('A "B"', "x")
    b = parse_name_addr("sip:a@b.c;tag=y")
    assert (b.display, b.tag) == (None, "y")
    assert isinstance(b.uri, SipUri)
    assert b.uri.params == ()
    c = parse_name_addr("<sip:a@b.c;lr>")
    assert isinstance(c.uri, SipUri)
    assert c.uri.param("lr") == ""
    built = a.with_param("tag", "z")
    assert str(built) == '"A \\"B\\"" <sip:a@b.c>;tag=z'


def test_via_with_ipv6_received_and_rport() -> None:
    (via,) = parse_via("SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bKa;rport=5070;received=::1")
    assert (via.host, via.port, via.rport, via.received) == ("[2001:db8::9]", 5070, 5070, "::1")
    assert via.is_rfc3261
    assert str(via.with_params(received="192.0.2.1")).endswith(";received=192.0.2.1")


def test_leading_crlf_before_the_start_line_is_ignored() -> None:
    assert isinstance(parse_message(b"\r\n\r\n" + INVITE), Request)


def test_header_without_colon_is_rejected() -> None:
    with pytest.raises(SipParseError):
        parse_message(INVITE.replace(b"Max-Forwards: 70", b"Max-Forwards 70"))


def test_message_without_blank_line_is_rejected() -> None:
    with pytest.raises(SipParseError):
        parse_message(b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx")


def test_building_and_serializing() -> None:
    headers = Headers()
    headers.add("Via", "SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1")
    headers.add("f", "<sip:a@127.0.0.1>;tag=1")
    headers.add("To", "<sip:b@127.0.0.1>")
    headers.add("call-id", "c1")
    headers.add("cseq", "1 OPTIONS")
    req = Request("OPTIONS", parse_uri("sip:b@127.0.0.1"), headers)
    req.set_body(b"hello", "text/plain")
    wire = bytes(req)
    assert wire.startswith(b"OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n")
    assert b"\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n" in wire
    assert b"\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n" in wire
    again = parse_message(wire)
    assert again.body == b"hello"
    resp = Response(200)
    assert bytes(resp) == b"SIP/2.0 200 OK\r\n\r\n"


def test_headers_set_remove_first() -> None:
    h = Headers()
    h.add("Via", "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2")
    h.add("Via", "SIP/2.0/UDP c;branch=z9hG4bK3")
    h.remove_first("v")
    assert h.values("Via") == ["SIP/2.0/UDP b;branch=z9hG4bK2", "SIP/2.0/UDP c;branch=z9hG4bK3"]
    h.set("Via", "SIP/2.0/UDP d")
    assert h.get_all("via") == ["SIP/2.0/UDP d"]
    assert "VIA" in h
    assert "Route" not in h


def test_stream_framer_reassembles_split_messages_and_keepalives() -> None:
    framer = StreamFramer()
    wire = INVITE + b"\r\n\r\n" + INVITE
    out: list[bytes | KeepAlive] = []
    for i in range(0, len(wire), 7):
        out.extend(framer.feed(wire[i : i + 7]))
    assert out == [INVITE, KeepAlive(ping=True), INVITE]
    assert framer.buffered == 0


def test_stream_framer_limits_size() -> None:
    framer = StreamFramer(max_message_bytes=100)
    with pytest.raises(SipParseError) as info:
        framer.feed(INVITE)
    assert info.value.status_hint == 413


def test_stream_parse_without_content_length_has_empty_body() -> None:
    raw = INVITE.replace(b"Content-Length: 4\r\n", b"")
    assert parse_message(raw, stream=True).body == b""
    assert parse_message(raw).body == b"v=0\n"


def test_long_token_before_a_quote_in_a_name_addr_is_linear() -> None:
    # Found by the SIP fuzzer: `(?:token+ LWS*)*` backtracked exponentially on a run of token
    # characters that did not end the display name — 50 octets held the parser for seconds,
    # these 60,000 would have held it for ever.
    from hotline.sip import SipParseError, parse_message

    for run in (b"t" * 60_000, b"~" * 60_000, b"ab " * 20_000):
        data = b"REGISTER sip:a SIP/2.0\r\nTo: " + run + b'"%Z%45"4<sip:\r\n\r\n'
        with pytest.raises(SipParseError):
            parse_message(data)
