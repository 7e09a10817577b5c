"""Transaction state machines (RFC 3261 §17, RFC 6026): schedules asserted exactly."""

from __future__ import annotations

import pytest

from hotline.clock import FakeClock
from hotline.errors import IllegalTransition
from hotline.sip import Request, parse_message
from hotline.sip.server_transaction import (
    ServerInviteTransaction,
    ServerNonInviteTransaction,
    ServerState,
)
from hotline.sip.timers import TimerSettings
from hotline.sip.transaction import (
    CancelReady,
    ClientInviteTransaction,
    ClientNonInviteTransaction,
    ClientState,
    ResponseReceived,
    TimedOut,
)
from tests.unit.sip.messages import TCP_PEER, UDP_PEER, request, response

T = TimerSettings()


def run_until(txn: object, clock: FakeClock, until: float) -> list[tuple[float, bytes]]:
    """Fire every timer up to `until` (relative seconds); return (time, datagram) sent."""
    start = clock.monotonic()
    sent: list[tuple[float, bytes]] = []
    while True:
        due = txn.next_timer()  # type: ignore[attr-defined]
        if due is None or due - start > until:
            break
        clock.advance(due - clock.monotonic())
        txn.on_timer(clock.monotonic())  # type: ignore[attr-defined]
        for out in txn.datagrams_to_send():  # type: ignore[attr-defined]
            sent.append((round(clock.monotonic() - start, 3), out.data))
    return sent


def test_invite_client_retransmits_on_timer_a_and_times_out_on_b(clock: FakeClock) -> None:
    txn = ClientInviteTransaction(request(), UDP_PEER, T)
    txn.start(clock.monotonic())
    assert len(txn.datagrams_to_send()) == 1
    times = [t for t, _ in run_until(txn, clock, 31.9)]
    assert times == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    assert txn.next_timer() == pytest.approx(clock.monotonic() + 0.5)  # Timer B at 32 s
    clock.advance(0.5)
    assert txn.on_timer(clock.monotonic()) == [TimedOut("B")]
    assert txn.state is ClientState.TERMINATED
    assert txn.next_timer() is None


def test_invite_client_over_tcp_does_not_retransmit(clock: FakeClock) -> None:
    txn = ClientInviteTransaction(request(), TCP_PEER, T)
    start = clock.monotonic()
    txn.start(start)
    txn.datagrams_to_send()
    assert run_until(txn, clock, 31.9) == []
    assert txn.next_timer() == pytest.approx(start + 32)  # only Timer B


def test_invite_client_provisional_stops_retransmissions(clock: FakeClock) -> None:
    invite = request()
    txn = ClientInviteTransaction(invite, UDP_PEER, T)
    txn.start(clock.monotonic())
    txn.datagrams_to_send()
    events = txn.receive(response(invite, 180), clock.monotonic())
    assert [type(e) for e in events] == [ResponseReceived]
    assert txn.state is ClientState.PROCEEDING
    assert txn.next_timer() is None


def test_invite_client_error_sends_ack_and_absorbs_retransmissions(clock: FakeClock) -> None:
    invite = request()
    txn = ClientInviteTransaction(invite, UDP_PEER, T)
    txn.start(clock.monotonic())
    txn.datagrams_to_send()
    busy = response(invite, 486)
    assert txn.receive(busy, clock.monotonic()) == [ResponseReceived(busy)]
    (ack,) = txn.datagrams_to_send()
    ack_msg = parse_message(ack.data)
    assert isinstance(ack_msg, Request)
    assert ack_msg.method == "ACK"
    assert ack_msg.top_via is not None
    assert ack_msg.top_via.branch == "z9hG4bKtest1"
    assert ack_msg.to.tag == "ttag"
    assert (ack_msg.cseq.number, ack_msg.cseq.method) == (1, "ACK")
    # A retransmitted 486 is ACKed again and not passed up.
    assert txn.receive(busy, clock.monotonic()) == []
    assert len(txn.datagrams_to_send()) == 1
    assert txn.state is ClientState.COMPLETED
    clock.advance(32)
    txn.on_timer(clock.monotonic())
    assert txn.state is ClientState.TERMINATED


def test_invite_client_2xx_goes_to_accepted_and_passes_retransmissions(clock: FakeClock) -> None:
    invite = request()
    txn = ClientInviteTransaction(invite, UDP_PEER, T)
    txn.start(clock.monotonic())
    ok = response(invite, 200)
    assert txn.receive(ok, clock.monotonic()) == [ResponseReceived(ok)]
    assert txn.state is ClientState.ACCEPTED
    assert txn.receive(ok, clock.monotonic()) == [ResponseReceived(ok)]
    assert txn.next_timer() == pytest.approx(clock.monotonic() + 32)  # Timer M
    clock.advance(32)
    assert txn.on_timer(clock.monotonic()) == []
    assert txn.terminated


def test_cancel_waits_for_a_provisional(clock: FakeClock) -> None:
    invite = request()
    txn = ClientInviteTransaction(invite, UDP_PEER, T)
    txn.start(clock.monotonic())
    assert txn.request_cancel(clock.monotonic()) is None
    events = txn.receive(response(invite, 180), clock.monotonic())
    assert isinstance(events[1], CancelReady)
    cancel = events[1].cancel
    assert cancel.method == "CANCEL"
    assert cancel.top_via is not None
    assert cancel.top_via.branch == "z9hG4bKtest1"
    assert cancel.cseq.method == "CANCEL"
    # Nobody answers the INVITE after the CANCEL: given up after 64·T1.
    clock.advance(32)
    assert txn.on_timer(clock.monotonic()) == [TimedOut("cancel-guard")]


def test_non_invite_client_schedule_is_capped_at_t2(clock: FakeClock) -> None:
    txn = ClientNonInviteTransaction(request("OPTIONS"), UDP_PEER, T)
    txn.start(clock.monotonic())
    txn.datagrams_to_send()
    times = [t for t, _ in run_until(txn, clock, 31.9)]
    assert times == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    clock.advance(32 - 31.5)
    assert txn.on_timer(clock.monotonic()) == [TimedOut("F")]


def test_non_invite_client_proceeding_retransmits_every_t2(clock: FakeClock) -> None:
    options = request("OPTIONS")
    txn = ClientNonInviteTransaction(options, UDP_PEER, T)
    txn.start(clock.monotonic())
    txn.datagrams_to_send()
    txn.receive(response(options, 100, to_tag=None), clock.monotonic())
    assert txn.state is ClientState.PROCEEDING
    times = [t for t, _ in run_until(txn, clock, 10)]
    assert times == [0.5, 4.5, 8.5]
    ok = response(options, 200)
    assert txn.receive(ok, clock.monotonic()) == [ResponseReceived(ok)]
    assert txn.receive(ok, clock.monotonic()) == []
    clock.advance(5)  # Timer K = T4
    txn.on_timer(clock.monotonic())
    assert txn.terminated


def test_server_invite_sends_trying_then_retransmits_error_on_g(clock: FakeClock) -> None:
    invite = request()
    txn = ServerInviteTransaction(invite, UDP_PEER, T)
    (trying,) = txn.datagrams_to_send()
    assert trying.data.startswith(b"SIP/2.0 100 Trying")
    # A retransmitted INVITE is answered with the last response.
    txn.receive(invite, clock.monotonic())
    assert [o.data for o in txn.datagrams_to_send()] == [trying.data]
    txn.respond(response(invite, 486), clock.monotonic())
    txn.datagrams_to_send()
    sent = run_until(txn, clock, 31.9)
    assert [t for t, _ in sent] == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    assert all(data.startswith(b"SIP/2.0 486") for _, data in sent)
    clock.advance(0.5)
    assert txn.on_timer(clock.monotonic()) == [TimedOut("H")]


def test_server_invite_ack_confirms_and_timer_i_ends(clock: FakeClock) -> None:
    invite = request()
    txn = ServerInviteTransaction(invite, UDP_PEER, T)
    final = response(invite, 404)
    txn.respond(final, clock.monotonic())
    txn.datagrams_to_send()
    ack = request("ACK", to_tag="ttag")
    txn.receive(ack, clock.monotonic())
    assert txn.state is ServerState.CONFIRMED
    assert txn.next_timer() == pytest.approx(clock.monotonic() + 5)
    clock.advance(5)
    txn.on_timer(clock.monotonic())
    assert txn.terminated


def test_server_invite_2xx_is_retransmitted_until_ack(clock: FakeClock) -> None:
    invite = request()
    txn = ServerInviteTransaction(invite, UDP_PEER, T)
    txn.datagrams_to_send()
    txn.respond(response(invite, 200), clock.monotonic())
    txn.datagrams_to_send()
    assert txn.state is ServerState.ACCEPTED
    assert [t for t, _ in run_until(txn, clock, 2.0)] == [0.5, 1.5]
    # A retransmitted INVITE in Accepted is absorbed (RFC 6026 §7.1).
    txn.receive(invite, clock.monotonic())
    assert txn.datagrams_to_send() == []
    txn.receive(request("ACK", branch="z9hG4bKother", to_tag="ttag"), clock.monotonic())
    assert txn.acked
    assert run_until(txn, clock, 40) == []
    assert txn.terminated


def test_server_invite_2xx_without_ack_times_out(clock: FakeClock) -> None:
    invite = request()
    txn = ServerInviteTransaction(invite, UDP_PEER, T)
    txn.respond(response(invite, 200), clock.monotonic())
    events: list[object] = []
    while (due := txn.next_timer()) is not None:
        clock.advance(due - clock.monotonic())
        events += txn.on_timer(clock.monotonic())
    assert events == [TimedOut("2xx-no-ack")]


def test_server_tu_cannot_send_two_finals(clock: FakeClock) -> None:
    invite = request()
    txn = ServerInviteTransaction(invite, UDP_PEER, T)
    txn.respond(response(invite, 486), clock.monotonic())
    with pytest.raises(IllegalTransition) as info:
        txn.respond(response(invite, 200), clock.monotonic())
    assert info.value.state == "completed"


def test_server_non_invite(clock: FakeClock) -> None:
    bye = request("BYE", to_tag="ttag")
    txn = ServerNonInviteTransaction(bye, UDP_PEER, T)
    assert txn.datagrams_to_send() == []
    txn.receive(bye, clock.monotonic())  # retransmission in Trying: nothing to resend yet
    assert txn.datagrams_to_send() == []
    txn.respond(response(bye, 200), clock.monotonic())
    (ok,) = txn.datagrams_to_send()
    txn.receive(bye, clock.monotonic())
    assert [o.data for o in txn.datagrams_to_send()] == [ok.data]
    assert txn.next_timer() == pytest.approx(clock.monotonic() + 32)  # Timer J
    clock.advance(32)
    txn.on_timer(clock.monotonic())
    assert txn.terminated


def test_server_non_invite_over_tcp_ends_at_once(clock: FakeClock) -> None:
    bye = request("BYE", to_tag="ttag")
    txn = ServerNonInviteTransaction(bye, TCP_PEER, T)
    txn.respond(response(bye, 200), clock.monotonic())
    assert txn.next_timer() == clock.monotonic()
    txn.on_timer(clock.monotonic())
    assert txn.terminated
