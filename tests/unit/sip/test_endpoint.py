"""The UA core: validation answers (RFC 4475 table), matching, CANCEL, merged requests."""

from __future__ import annotations

import pytest

from hotline.clock import FakeClock
from hotline.sip import Response, parse_message
from hotline.sip.address import Address
from hotline.sip.construct import make_response
from hotline.sip.endpoint import (
    AckReceived,
    CancelReceived,
    Endpoint,
    MessageRejected,
    RequestReceived,
    ResponseArrived,
    TransactionFailed,
)
from hotline.sip.protection import ProtectionSettings, Protector
from hotline.sip.server_transaction import ServerState
from tests.unit.sip.messages import UDP_PEER, request
from tests.unit.sip.rfc4475 import DIR, Case, cases

LOCAL = {"udp": Address("udp", "127.0.0.1", 5060), "tcp": Address("tcp", "127.0.0.1", 5060)}


def endpoint() -> Endpoint:
    return Endpoint(LOCAL)


def sent_responses(ep: Endpoint) -> list[Response]:
    out = []
    for o in ep.datagrams_to_send():
        msg = parse_message(o.data)
        assert isinstance(msg, Response)
        out.append(msg)
    return out


def sent_statuses(ep: Endpoint) -> list[int]:
    # A 400 copies the offending header verbatim, so only the status line is read here.
    return [int(o.data.split(b" ", 2)[1]) for o in ep.datagrams_to_send()]


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_rfc4475_endpoint_outcomes(case: Case, clock: FakeClock) -> None:
    ep = endpoint()
    events = ep.receive(case.data, UDP_PEER, clock.monotonic())
    statuses = sent_statuses(ep)
    if case.endpoint == "pass":
        assert [type(e) for e in events] == [RequestReceived]
        # INVITEs get their automatic 100 Trying; nothing else is answered yet.
        assert statuses == ([100] if case.data.startswith(b"INVITE") else [])
    elif case.endpoint == "drop":
        assert not any(isinstance(e, RequestReceived) for e in events)
        assert statuses == []
    else:
        assert [s for s in statuses if s >= 200] == [int(case.endpoint)], events


def test_unknown_method_lists_allow_and_unsupported_require(clock: FakeClock) -> None:
    ep = endpoint()
    ep.receive(bytes(request("FOO")), UDP_PEER, clock.monotonic())
    (resp,) = sent_responses(ep)
    assert resp.status == 501
    assert "INVITE" in (resp.headers.get("Allow") or "")
    req = request("OPTIONS", extra="Require: 100rel, replaces\r\n")
    ep.receive(bytes(req), UDP_PEER, clock.monotonic())
    (resp,) = sent_responses(ep)
    assert (resp.status, resp.headers.get("Unsupported")) == (420, "100rel")


def test_response_goes_to_rport_and_via_is_stamped(clock: FakeClock) -> None:
    ep = endpoint()
    source = Address("udp", "127.0.0.9", 40000)
    (event,) = ep.receive(bytes(request("OPTIONS")), source, clock.monotonic())
    assert isinstance(event, RequestReceived)
    ep.respond(event.transaction, make_response(event.request, 200, to_tag="x"), 0)
    (out,) = ep.datagrams_to_send()
    assert out.to == source
    resp = parse_message(out.data)
    assert resp.top_via is not None
    assert (resp.top_via.received, resp.top_via.rport) == ("127.0.0.9", 40000)


def test_retransmitted_request_is_absorbed_and_answered_again(clock: FakeClock) -> None:
    ep = endpoint()
    wire = bytes(request("OPTIONS"))
    (event,) = ep.receive(wire, UDP_PEER, 0)
    assert isinstance(event, RequestReceived)
    ep.respond(event.transaction, make_response(event.request, 200, to_tag="x"), 0)
    first = ep.datagrams_to_send()
    assert ep.receive(wire, UDP_PEER, 0.1) == []
    assert [o.data for o in ep.datagrams_to_send()] == [o.data for o in first]


def test_merged_request_is_refused_with_482(clock: FakeClock) -> None:
    ep = endpoint()
    ep.receive(bytes(request("INVITE", branch="z9hG4bKpath1")), UDP_PEER, 0)
    ep.datagrams_to_send()
    events = ep.receive(bytes(request("INVITE", branch="z9hG4bKpath2")), UDP_PEER, 0)
    assert isinstance(events[0], MessageRejected)
    assert [r.status for r in sent_responses(ep)] == [100, 482]


def test_cancel_answers_200_and_487(clock: FakeClock) -> None:
    ep = endpoint()
    (event,) = ep.receive(bytes(request("INVITE")), UDP_PEER, 0)
    assert isinstance(event, RequestReceived)
    ep.respond(event.transaction, make_response(event.request, 180, to_tag="t1"), 0)
    ep.datagrams_to_send()
    events = ep.receive(bytes(request("CANCEL")), UDP_PEER, 1)
    assert [type(e) for e in events] == [CancelReceived]
    statuses = [(r.status, r.cseq.method, r.to.tag) for r in sent_responses(ep)]
    assert statuses == [(200, "CANCEL", "t1"), (487, "INVITE", "t1")]
    # The ACK of the 487 is absorbed by the INVITE transaction.
    assert ep.receive(bytes(request("ACK", to_tag="t1")), UDP_PEER, 1.1) == []
    assert event.transaction.state is ServerState.CONFIRMED


def test_cancel_without_invite_is_481(clock: FakeClock) -> None:
    ep = endpoint()
    ep.receive(bytes(request("CANCEL")), UDP_PEER, 0)
    assert [r.status for r in sent_responses(ep)] == [481]


def test_ack_for_2xx_is_matched_by_dialog_identifiers(clock: FakeClock) -> None:
    ep = endpoint()
    (event,) = ep.receive(bytes(request("INVITE")), UDP_PEER, 0)
    assert isinstance(event, RequestReceived)
    ep.respond(event.transaction, make_response(event.request, 200, to_tag="t9"), 0)
    ep.datagrams_to_send()
    ack = request("ACK", branch="z9hG4bKnewbranch", to_tag="t9")
    (got,) = ep.receive(bytes(ack), UDP_PEER, 0.2)
    assert isinstance(got, AckReceived)
    assert got.transaction is event.transaction
    # The 2xx is not retransmitted once ACKed.
    clock.advance(10)
    ep.on_timer(clock.monotonic())
    assert ep.datagrams_to_send() == []


def test_client_transaction_matching_and_timeout(clock: FakeClock) -> None:
    ep = endpoint()
    options = request("OPTIONS", branch="z9hG4bKout1")
    txn = ep.send_request(options, UDP_PEER, clock.monotonic())
    assert len(ep.datagrams_to_send()) == 1
    ok = make_response(options, 200, to_tag="r")
    (arrived,) = ep.receive(bytes(ok), UDP_PEER, clock.monotonic())
    assert isinstance(arrived, ResponseArrived)
    assert arrived.transaction is txn
    other = ep.send_request(request("OPTIONS", branch="z9hG4bKout2"), UDP_PEER, 0)
    events: list[object] = []
    while (due := ep.next_timer()) is not None:
        clock.advance(max(0.0, due - clock.monotonic()))
        events += ep.on_timer(clock.monotonic())
    assert events == [TransactionFailed(other, "F")]
    assert ep.transaction_count == 0


def test_send_request_adds_via_and_user_agent(clock: FakeClock) -> None:
    ep = endpoint()
    req = request("OPTIONS")
    req.headers.remove("via")
    ep.send_request(req, Address("tcp", "127.0.0.1", 5070), 0)
    (out,) = ep.datagrams_to_send()
    msg = parse_message(out.data)
    assert msg.top_via is not None
    assert (msg.top_via.transport, msg.top_via.host, msg.top_via.port) == ("TCP", "127.0.0.1", 5060)
    assert msg.top_via.is_rfc3261
    assert msg.headers.get("User-Agent") == "Hotline"


def test_flood_from_one_source_is_dropped_while_another_passes(clock: FakeClock) -> None:
    ep = Endpoint(LOCAL, protector=Protector(ProtectionSettings(rate_per_s=10, burst=5)))
    flooder = Address("udp", "127.0.0.66", 5060)
    caller = Address("udp", "127.0.0.77", 5060)
    results = [
        ep.receive(bytes(request("OPTIONS", branch=f"z9hG4bKf{i}", call_id=f"f{i}")), flooder, 0)
        for i in range(20)
    ]
    assert sum(isinstance(r[0], RequestReceived) for r in results) == 5
    (ok,) = ep.receive(bytes(request("OPTIONS", branch="z9hG4bKok")), caller, 0)
    assert isinstance(ok, RequestReceived)
    assert ep.protector.counters.rate_limited == 15
    assert [n.kind for n in ep.protector.take_notices()] == ["flood"]


def test_scanner_user_agent_is_dropped_silently(clock: FakeClock) -> None:
    ep = endpoint()
    events = ep.receive(
        bytes(request("OPTIONS", extra="User-Agent: friendly-scanner\r\n")), UDP_PEER, 0
    )
    assert isinstance(events[0], MessageRejected)
    assert ep.datagrams_to_send() == []


def test_garbage_is_dropped_and_malformed_requests_get_400(clock: FakeClock) -> None:
    ep = endpoint()
    assert isinstance(ep.receive(b"\x00\x01garbage", UDP_PEER, 0)[0], MessageRejected)
    assert ep.datagrams_to_send() == []
    bad = bytes(request("OPTIONS")).replace(b"CSeq: 1 OPTIONS", b"CSeq: 1 INVITE")
    ep.receive(bad, UDP_PEER, 0)
    (resp,) = sent_responses(ep)
    assert resp.status == 400
    assert "does not match" in (resp.headers.get("Warning") or "")


def test_crlf_keepalive_datagrams_are_ignored(clock: FakeClock) -> None:
    ep = endpoint()
    assert ep.receive(b"\r\n\r\n", UDP_PEER, clock.monotonic()) == []
    assert ep.datagrams_to_send() == []
    assert ep.protector.counters.parse_errors == 0


def test_rfc2543_requests_match_by_the_fallback_key(clock: FakeClock) -> None:
    ep = endpoint()
    wire = (DIR / "inv2543.dat").read_bytes()
    (event,) = ep.receive(wire, UDP_PEER, clock.monotonic())
    assert isinstance(event, RequestReceived)
    assert ep.receive(wire, UDP_PEER, clock.monotonic()) == []  # retransmission absorbed
    ep.respond(event.transaction, make_response(event.request, 486, to_tag="busy"), 0)
    ep.datagrams_to_send()
    ack = wire.split(b"\r\n\r\n", 1)[0].replace(b"INVITE sip:", b"ACK sip:", 1)
    ack = ack.replace(b"CSeq: 56 INVITE", b"CSeq: 56 ACK")
    ack = ack.replace(b"user=phone\r\nCall-ID", b"user=phone;tag=busy\r\nCall-ID")
    ack += b"\r\nContent-Length: 0\r\n\r\n"
    assert ep.receive(ack, UDP_PEER, clock.monotonic()) == []
    assert event.transaction.state is ServerState.CONFIRMED


def test_full_transaction_table_sheds_new_requests_with_503() -> None:
    from hotline.sip.address import Address
    from hotline.sip.endpoint import Endpoint, MessageRejected
    from hotline.sip.protection import ProtectionSettings, Protector

    protector = Protector(ProtectionSettings(max_server_transactions=4))
    ep = Endpoint({"udp": Address("udp", "127.0.0.1", 5060)}, protector=protector)
    source = Address("udp", "192.0.2.9", 5060)
    protector.add_known("192.0.2.8")

    def options(n: int, host: str = "192.0.2.9") -> bytes:
        return (
            f"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {host};branch=z9hG4bK{n}\r\n"
            f"From: <sip:a@{host}>;tag={n}\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: c{n}\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        ).encode()

    # An unknown source may fill half of the table; the rest is kept for known ones.
    assert all(ep.receive(options(n), source, 0.0) for n in range(2))
    (shed,) = ep.receive(options(9), source, 0.0)
    assert isinstance(shed, MessageRejected)
    assert shed.status == 503
    out = ep.datagrams_to_send()
    assert out[-1].data.startswith(b"SIP/2.0 503 ")
    assert b"Retry-After: 5" in out[-1].data
    known = Address("udp", "192.0.2.8", 5060)
    events = ep.receive(options(10, "192.0.2.8"), known, 0.0)
    assert not isinstance(events[0], MessageRejected)
    assert protector.counters.shed_503 == 1
    # Answered statelessly, a transaction leaves the table at once.
    txn = events[0].transaction  # type: ignore[union-attr]
    from hotline.sip.construct import make_response

    ep.respond_stateless(txn, make_response(txn.request, 200, to_tag="t"))
    assert ep.transaction_count == 2
