"""Dialogs (RFC 3261 §12), INFO DTMF, REFER/NOTIFY and Replaces helpers."""

from __future__ import annotations

import json

import pytest

from hotline.errors import IllegalTransition
from hotline.sip import Request, SipParseError, SipUri, parse_message
from hotline.sip.address import Address
from hotline.sip.dialog import Dialog, DialogEvent, DialogState, Role
from hotline.sip.dtmf import DtmfInfo, format_dtmf_relay, parse_dtmf_info
from hotline.sip.errors import DialogError
from hotline.sip.refer import Replaces, parse_refer_to, parse_replaces, sipfrag
from tests.unit.sip.messages import request, response

CONTACT = "<sip:hotline@127.0.0.1:5060>"


def uas_dialog(extra: str = "") -> tuple[Dialog, Request]:
    invite = request("INVITE", extra=extra)
    ok = response(invite, 200, to_tag="local1")
    ok.headers.add("Contact", CONTACT)
    return Dialog.from_uas(invite, ok, CONTACT, "udp"), invite


def test_uas_dialog_identity_and_bye() -> None:
    dialog, invite = uas_dialog()
    assert dialog.id == ("call-1", "local1", "ftag")
    assert dialog.role is Role.UAS
    assert dialog.state is DialogState.CONFIRMED
    bye = dialog.create_request("BYE", extra=[("Reason", "Q.850;cause=16")])
    assert bye.uri == SipUri(host="127.0.0.1", user="caller", port=5070)
    assert bye.from_.tag == "local1"
    assert bye.to.tag == "ftag"
    assert (bye.cseq.number, bye.cseq.method) == (1, "BYE")
    assert bye.headers.get("Reason") == "Q.850;cause=16"
    assert dialog.destination() == Address("udp", "127.0.0.1", 5070)
    again = parse_message(bytes(bye))
    assert again.call_id == invite.call_id


def test_route_set_from_record_route() -> None:
    rr = "Record-Route: <sip:proxy2.example.com;lr>, <sip:proxy1.example.com;lr>\r\n"
    dialog, _ = uas_dialog(rr)
    bye = dialog.create_request("BYE")
    assert bye.headers.get_all("Route") == [
        "<sip:proxy2.example.com;lr>",
        "<sip:proxy1.example.com;lr>",
    ]
    assert dialog.destination() == Address("udp", "proxy2.example.com", 5060)


def test_a_response_that_may_make_a_dialog_carries_the_record_route() -> None:
    """§12.1.1: the caller behind a record-routing proxy (Kamailio in front of the nodes) learns
    the same route set from the 180/200 as we did from the INVITE; a 100 or an error does not."""
    rr = (
        "Record-Route: <sip:edge.example.com;lr;ftag=ftag>\r\n"
        "Record-Route: <sip:inner.example.com;lr>, <sip:last.example.com;lr>\r\n"
    )
    invite = request("INVITE", extra=rr)
    for status in (180, 200):
        assert response(invite, status).headers.get_all("Record-Route") == [
            "<sip:edge.example.com;lr;ftag=ftag>",
            "<sip:inner.example.com;lr>, <sip:last.example.com;lr>",
        ]
    for status in (100, 486, 503):
        assert response(invite, status).headers.get_all("Record-Route") == []


def test_uac_dialog_reverses_route_set_and_acks() -> None:
    invite = request("INVITE", cseq=5)
    ok = response(invite, 200, to_tag="remote9")
    ok.headers.add("Record-Route", "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>")
    ok.headers.add("Contact", "<sip:agent@192.0.2.4:5080;transport=tcp>")
    dialog = Dialog.from_uac(invite, ok, CONTACT, "udp")
    assert dialog.route_set == ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]
    ack = dialog.create_ack(5)
    assert (ack.cseq.number, ack.cseq.method) == (5, "ACK")
    assert str(ack.uri) == "sip:agent@192.0.2.4:5080;transport=tcp"
    reinvite = dialog.create_request("INVITE", body=b"v=0\r\n", content_type="application/sdp")
    assert reinvite.cseq.number == 6
    assert dialog.invite_seq == 6
    assert reinvite.headers.get("Contact") == CONTACT


def test_strict_router_becomes_request_uri() -> None:
    invite = request("INVITE")
    ok = response(invite, 200, to_tag="r")
    ok.headers.add("Record-Route", "<sip:strict.example.com>")
    ok.headers.add("Contact", "<sip:agent@192.0.2.4>")
    dialog = Dialog.from_uac(invite, ok, CONTACT, "udp")
    bye = dialog.create_request("BYE")
    assert str(bye.uri) == "sip:strict.example.com"
    assert bye.headers.get_all("Route") == ["<sip:agent@192.0.2.4>"]


def test_incoming_cseq_order_and_target_refresh() -> None:
    dialog, _ = uas_dialog()
    old = request("INFO", cseq=1, to_tag="local1")
    assert dialog.check_request(old) == 500
    reinvite = request("INVITE", cseq=2, to_tag="local1", via_host="192.0.2.77:5099")
    assert dialog.check_request(reinvite) is None
    assert dialog.remote_target.host == "192.0.2.77"
    assert dialog.matches(reinvite)


def test_transitions_are_a_table() -> None:
    dialog, _ = uas_dialog()
    dialog.step(DialogEvent.BYE)
    assert dialog.state is DialogState.TERMINATED
    with pytest.raises(IllegalTransition):
        dialog.step(DialogEvent.SUCCESS)
    with pytest.raises(DialogError):
        dialog.create_request("BYE")
    with pytest.raises(DialogError):
        dialog.create_request("ACK")


def test_early_dialog_from_provisional() -> None:
    invite = request("INVITE")
    ringing = response(invite, 180, to_tag="early")
    ringing.headers.add("Contact", "<sip:agent@192.0.2.4>")
    dialog = Dialog.from_uac(invite, ringing, CONTACT, "udp")
    assert dialog.state is DialogState.EARLY
    dialog.receive_response(response(invite, 486, to_tag="early"))
    assert dialog.state is DialogState.TERMINATED


@pytest.mark.parametrize(
    ("ctype", "body", "expected"),
    [
        ("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n", DtmfInfo("5", 160)),
        ("application/dtmf-relay", b"Signal= #\nDuration= 250", DtmfInfo("#", 250)),
        ("application/dtmf-relay", b"Signal=11\r\n", DtmfInfo("#", 160)),
        ("application/dtmf", b"7", DtmfInfo("7", 160)),
        ("application/dtmf-relay", b"Duration=100", None),
        ("application/dtmf-relay", b"Signal=x", None),
        ("text/plain", b"Signal=1", None),
    ],
)
def test_dtmf_info(ctype: str, body: bytes, expected: DtmfInfo | None) -> None:
    assert parse_dtmf_info(ctype, body) == expected


def test_dtmf_relay_round_trip() -> None:
    info = DtmfInfo("*", 200)
    assert parse_dtmf_info("application/dtmf-relay", format_dtmf_relay(info)) == info


def test_refer_to_blind_and_attended() -> None:
    blind = parse_refer_to("<sip:1002@pbx.example.com>")
    assert blind.user == "1002"
    assert blind.replaces is None
    attended = parse_refer_to(
        "<sip:1003@pbx.example.com?Replaces=abc%40host%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>"
    )
    assert attended.replaces == Replaces("abc@host", "t1", "f1")
    assert attended.uri is not None
    assert attended.uri.headers == ()


def test_replaces_header() -> None:
    replaces = parse_replaces("98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff;early-only")
    assert replaces == Replaces("98732@sip.example.com", "ff87ff", "r33th4x0r", True)
    assert parse_replaces(str(replaces)) == replaces
    with pytest.raises(SipParseError):
        parse_replaces("only-call-id")


def test_sipfrag() -> None:
    assert sipfrag(200) == b"SIP/2.0 200 OK\r\n"
    assert sipfrag(100) == b"SIP/2.0 100 Trying\r\n"


def test_a_snapshot_ends_the_same_dialog_after_a_restart() -> None:
    rr = "Record-Route: <sip:proxy2.example.com;lr>, <sip:proxy1.example.com;lr>\r\n"
    dialog, _ = uas_dialog(rr)
    dialog.create_request("INFO")  # our CSeq moved on before the crash
    snapshot = json.loads(json.dumps(dialog.snapshot()))  # it rides the event log as JSON
    again = Dialog.from_snapshot(snapshot)
    assert again.id == dialog.id
    assert (again.role, again.state, again.route_set) == (
        Role.UAS,
        DialogState.CONFIRMED,
        dialog.route_set,
    )
    bye = again.create_request("BYE", extra=[("Reason", "Q.850;cause=41")])
    before = dialog.create_request("BYE")
    assert bye.uri == before.uri
    assert (str(bye.from_), str(bye.to)) == (str(before.from_), str(before.to))
    assert bye.headers.get_all("Route") == before.headers.get_all("Route")
    assert bye.cseq.number > before.cseq.number  # past whatever was sent after the snapshot
    assert again.destination() == dialog.destination()


@pytest.mark.parametrize(
    "broken",
    [{}, {"call_id": "x"}, {**uas_dialog()[0].snapshot(), "remote_target": "not a uri"}],
)
def test_a_broken_snapshot_is_a_dialog_error(broken: dict[str, object]) -> None:
    with pytest.raises(DialogError):
        Dialog.from_snapshot(broken)
