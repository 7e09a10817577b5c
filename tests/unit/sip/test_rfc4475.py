"""RFC 4475 §3: the parser accepts the valid messages and rejects the invalid ones."""

from __future__ import annotations

import pytest

from hotline.sip import Request, Response, SipParseError, SipUri, parse_message
from tests.unit.sip.rfc4475 import DIR, Case, cases, checksums, sha256

CASES = cases()


def test_table_covers_every_golden_file() -> None:
    names = {c.name for c in CASES}
    assert names == {p.stem for p in DIR.glob("*.dat")}
    assert len(names) == 49


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_checksum(case: Case) -> None:
    assert sha256(case.data) == checksums()[case.name]


@pytest.mark.parametrize("case", [c for c in CASES if c.parser == "accept"], ids=lambda c: c.name)
def test_valid_messages_parse_and_round_trip(case: Case) -> None:
    msg = parse_message(case.data)
    if case.name == "dblreq":
        # The excess octets of the datagram (a second request) are ignored (§3.1.1.8).
        assert bytes(msg) == case.data[: len(bytes(msg))]
        assert msg.body == b""
    else:
        assert bytes(msg) == case.data


@pytest.mark.parametrize("case", [c for c in CASES if c.parser == "reject"], ids=lambda c: c.name)
def test_invalid_messages_raise_parse_error(case: Case) -> None:
    with pytest.raises(SipParseError) as info:
        parse_message(case.data)
    assert info.value.status_hint == 400
    assert info.value.code == "sip.parse"


def data(name: str) -> bytes:
    return (DIR / f"{name}.dat").read_bytes()


def test_wsinv_fields() -> None:
    msg = parse_message(data("wsinv"))
    assert isinstance(msg, Request)
    assert msg.method == "INVITE"
    assert isinstance(msg.uri, SipUri)
    assert msg.uri.user == "vivekg"
    assert msg.uri.params == (("unknownparam", None),)
    assert msg.to.tag == "1918181833n"
    assert msg.from_.tag == "98asjd8"
    assert msg.from_.display == 'J Rosenberg \\"'
    assert msg.max_forwards == 68
    assert (msg.cseq.number, msg.cseq.method) == (9, "INVITE")
    assert [(v.transport, v.host, v.branch) for v in msg.vias] == [
        ("UDP", "192.0.2.2", "390skdjuw"),
        ("TCP", "spindle.example.com", "z9hG4bK9ikj8"),
        ("UDP", "192.168.255.111", "z9hG4bK30239"),
    ]
    assert msg.vias[0].wants_rport
    assert msg.headers.get("Subject") == ""
    assert msg.headers.get("NewFangledHeader") == "newfangled value continued newfangled value"
    assert msg.headers.get("UnknownHeaderWithUnusualValue") == ";;,,;;,;"
    (contact,) = msg.contacts
    assert contact.display == 'Quoted string ""'
    assert contact.param("newparam") == "newvalue"
    assert contact.param("secondparam") == ""
    assert contact.param("q") == "0.33"
    assert len(msg.body) == int(msg.headers.get("Content-Length") or 0)


def test_intmeth_fields() -> None:
    msg = parse_message(data("intmeth"))
    assert isinstance(msg, Request)
    assert msg.method == "!interesting-Method0123456789_*+`.%indeed'~"
    assert isinstance(msg.uri, SipUri)
    assert msg.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
    assert msg.uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"
    assert msg.to.display == "BEL:\x07 NUL:\x00 DEL:\x7f"
    assert msg.from_.display == "token1~` token2'+_ token3*%!.-"
    assert msg.from_.tag == "_token~1'+`*%!-."
    assert msg.call_id == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"
    assert msg.vias[0].branch == "z9hG4bK-.!%66*_+`'~"


def test_escapes_stay_escaped_and_decode_on_request() -> None:
    msg = parse_message(data("esc01"))
    assert isinstance(msg.uri, SipUri)
    assert msg.uri.user == "sips%3Auser%40example.com"
    assert msg.uri.user_unescaped == "sips:user@example.com"
    assert isinstance(msg.to.uri, SipUri)
    assert msg.to.uri.user_unescaped == "user"
    null = parse_message(data("escnull"))
    assert [c.uri.user_unescaped for c in null.contacts if isinstance(c.uri, SipUri)] == [
        "\x00",
        "\x00\x00",
    ]


def test_semicolon_in_user_part() -> None:
    msg = parse_message(data("semiuri"))
    assert isinstance(msg.uri, SipUri)
    assert msg.uri.user == "user;par=u%40example.net"
    assert msg.uri.host == "example.com"
    assert msg.uri.params == ()


def test_transports_and_unknown_transport() -> None:
    msg = parse_message(data("transports"))
    assert [v.transport for v in msg.vias] == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]


def test_responses_with_unusual_reason_phrases() -> None:
    unreason = parse_message(data("unreason"))
    assert isinstance(unreason, Response)
    assert unreason.status == 200
    assert "\u043f\u0440\u043e\u0441\u0442\u043e\u0435" in unreason.reason
    noreason = parse_message(data("noreason"))
    assert isinstance(noreason, Response)
    assert (noreason.status, noreason.reason) == (100, "")


def test_multipart_binary_body_is_kept_octet_for_octet() -> None:
    msg = parse_message(data("mpart01"))
    assert b"\xff\xfe\x00" in msg.body
    assert msg.content_type == "multipart/signed"


def test_rfc2543_invite_without_content_length_takes_the_rest_of_the_datagram() -> None:
    msg = parse_message(data("inv2543"))
    assert msg.body.startswith(b"v=0")
    assert msg.top_via is not None
    assert msg.top_via.branch is None
    assert msg.max_forwards is None


def test_dblreq_parses_only_the_first_message() -> None:
    msg = parse_message(data("dblreq"))
    assert isinstance(msg, Request)
    assert msg.method == "REGISTER"


def test_bad_version_is_left_to_the_endpoint() -> None:
    msg = parse_message(data("badvers"))
    assert msg.version == "SIP/7.0"
