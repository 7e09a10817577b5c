"""Client transactions (RFC 3261 §17.1, amended by RFC 6026) as pure state machines.

Shape (aioquic/h11): `start(now)`, `receive(response, now)`, `on_timer(now)` return events for
the transaction user; `datagrams_to_send()` drains what must go on the wire; `next_timer()`
says when to call `on_timer` next. No I/O, no clock reads. Transitions are tables; the
retransmission schedules follow §17.1.1.2 (A doubles without bound until B) and §17.1.2.2
(E doubles up to T2 until F).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hotline.errors import IllegalTransition
from hotline.sip.address import Address, Outgoing
from hotline.sip.construct import make_ack_for_error, make_cancel
from hotline.sip.message import Request, Response
from hotline.sip.timers import TimerSettings

__all__ = [
    "CLIENT_INVITE_TRANSITIONS",
    "CLIENT_NON_INVITE_TRANSITIONS",
    "CancelReady",
    "ClientInviteTransaction",
    "ClientNonInviteTransaction",
    "ClientState",
    "ClientTransaction",
    "Input",
    "ResponseReceived",
    "TimedOut",
    "TransactionEvent",
    "TransportFailed",
]


class ClientState(StrEnum):
    CALLING = "calling"
    TRYING = "trying"
    PROCEEDING = "proceeding"
    COMPLETED = "completed"
    ACCEPTED = "accepted"
    TERMINATED = "terminated"


class Input(StrEnum):
    """What drives a transaction: response classes, requests, timers, transport failure."""

    PROVISIONAL = "1xx"
    SUCCESS = "2xx"
    FAILURE = "3xx-6xx"
    REQUEST = "request"
    ACK = "ack"
    TU_PROVISIONAL = "tu-1xx"
    TU_SUCCESS = "tu-2xx"
    TU_FAILURE = "tu-3xx-6xx"
    TIMER_A = "A"
    TIMER_B = "B"
    TIMER_D = "D"
    TIMER_E = "E"
    TIMER_F = "F"
    TIMER_G = "G"
    TIMER_H = "H"
    TIMER_I = "I"
    TIMER_J = "J"
    TIMER_K = "K"
    TIMER_L = "L"
    TIMER_M = "M"
    TIMER_2XX = "2xx-retransmit"
    TIMER_CANCEL = "cancel-guard"
    TRANSPORT_ERROR = "transport-error"


S = ClientState
I = Input  # noqa: E741 - the tables read better with a one-letter alias

CLIENT_INVITE_TRANSITIONS: dict[tuple[ClientState, Input], ClientState] = {
    (S.CALLING, I.TIMER_A): S.CALLING,
    (S.CALLING, I.TIMER_B): S.TERMINATED,
    (S.CALLING, I.PROVISIONAL): S.PROCEEDING,
    (S.CALLING, I.SUCCESS): S.ACCEPTED,
    (S.CALLING, I.FAILURE): S.COMPLETED,
    (S.CALLING, I.TIMER_CANCEL): S.TERMINATED,
    (S.PROCEEDING, I.PROVISIONAL): S.PROCEEDING,
    (S.PROCEEDING, I.SUCCESS): S.ACCEPTED,
    (S.PROCEEDING, I.FAILURE): S.COMPLETED,
    (S.PROCEEDING, I.TIMER_CANCEL): S.TERMINATED,
    (S.COMPLETED, I.FAILURE): S.COMPLETED,
    (S.COMPLETED, I.TIMER_D): S.TERMINATED,
    (S.ACCEPTED, I.SUCCESS): S.ACCEPTED,
    (S.ACCEPTED, I.TIMER_M): S.TERMINATED,
}
CLIENT_NON_INVITE_TRANSITIONS: dict[tuple[ClientState, Input], ClientState] = {
    (S.TRYING, I.TIMER_E): S.TRYING,
    (S.TRYING, I.TIMER_F): S.TERMINATED,
    (S.TRYING, I.PROVISIONAL): S.PROCEEDING,
    (S.TRYING, I.SUCCESS): S.COMPLETED,
    (S.TRYING, I.FAILURE): S.COMPLETED,
    (S.PROCEEDING, I.TIMER_E): S.PROCEEDING,
    (S.PROCEEDING, I.TIMER_F): S.TERMINATED,
    (S.PROCEEDING, I.PROVISIONAL): S.PROCEEDING,
    (S.PROCEEDING, I.SUCCESS): S.COMPLETED,
    (S.PROCEEDING, I.FAILURE): S.COMPLETED,
    (S.COMPLETED, I.SUCCESS): S.COMPLETED,
    (S.COMPLETED, I.FAILURE): S.COMPLETED,
    (S.COMPLETED, I.TIMER_K): S.TERMINATED,
}


# --- events for the transaction user ---


@dataclass(frozen=True, slots=True)
class ResponseReceived:
    """A response the TU must see (not a retransmission the transaction absorbed)."""

    response: Response


@dataclass(frozen=True, slots=True)
class TimedOut:
    """No final response (Timer B/F) or no ACK (Timer H, 2xx given up): treat as 408."""

    timer: str


@dataclass(frozen=True, slots=True)
class TransportFailed:
    reason: str


@dataclass(frozen=True, slots=True)
class CancelReady:
    """The CANCEL the TU asked for may now be sent (a provisional response has arrived)."""

    cancel: Request


TransactionEvent = ResponseReceived | TimedOut | TransportFailed | CancelReady


def response_input(status: int) -> Input:
    if status < 200:
        return Input.PROVISIONAL
    if status < 300:
        return Input.SUCCESS
    return Input.FAILURE


class _Machine:
    """Timers, outbox and the table-driven state shared by all four transaction kinds."""

    machine = "transaction"

    def __init__(self, timers: TimerSettings, destination: Address) -> None:
        self.settings = timers
        self.destination = destination
        self._timers: dict[Input, float] = {}
        self._outbox: list[Outgoing] = []
        self.state: StrEnum

    def _table(self) -> Mapping[Any, Any]:
        raise NotImplementedError

    def _step(self, event: Input, *, strict: bool) -> bool:
        """Move along the table. Unknown network input is absorbed (False); a TU misuse
        (`strict`) raises `IllegalTransition`."""
        new = self._table().get((self.state, event))
        if new is None:
            if strict:
                raise IllegalTransition(self.machine, str(self.state), str(event))
            return False
        self.state = new
        if str(new) == "terminated":
            self._timers.clear()
        return True

    def _send(self, data: bytes) -> None:
        self._outbox.append(Outgoing(data, self.destination))

    def datagrams_to_send(self) -> list[Outgoing]:
        out, self._outbox = self._outbox, []
        return out

    def next_timer(self) -> float | None:
        return min(self._timers.values(), default=None)

    def on_timer(self, now: float) -> list[TransactionEvent]:
        events: list[TransactionEvent] = []
        while self._timers:
            name, due = min(self._timers.items(), key=lambda item: item[1])
            if due > now:
                break
            del self._timers[name]
            events.extend(self._fire(name, due))
        return events

    def _fire(self, timer: Input, at: float) -> list[TransactionEvent]:
        raise NotImplementedError

    @property
    def terminated(self) -> bool:
        return str(self.state) == "terminated"


class ClientTransaction(_Machine):
    """Common part of the client transactions: the request, its branch, transport failure."""

    machine = "client transaction"

    def __init__(self, request: Request, destination: Address, timers: TimerSettings) -> None:
        super().__init__(timers, destination)
        self.request = request
        self._wire = bytes(request)
        via = request.top_via
        self.branch = via.branch if via is not None and via.branch else ""
        self.method = request.method
        self.state: ClientState = ClientState.TRYING
        self.final: Response | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.branch, "INVITE" if self.method == "ACK" else self.method)

    def start(self, now: float) -> None:
        raise NotImplementedError

    def receive(self, response: Response, now: float) -> list[TransactionEvent]:
        raise NotImplementedError

    def transport_failed(self, reason: str) -> list[TransactionEvent]:
        if self.state is ClientState.TERMINATED:
            return []
        self.state = ClientState.TERMINATED
        self._timers.clear()
        return [TransportFailed(reason)]


class ClientInviteTransaction(ClientTransaction):
    """INVITE client transaction (§17.1.1) with the RFC 6026 Accepted state."""

    machine = "client INVITE transaction"

    def __init__(self, request: Request, destination: Address, timers: TimerSettings) -> None:
        super().__init__(request, destination, timers)
        self.state = ClientState.CALLING
        self._interval = timers.t1
        self._cancel_wanted = False
        self.cancel_sent = False

    def _table(self) -> dict[tuple[ClientState, Input], ClientState]:
        return CLIENT_INVITE_TRANSITIONS

    def start(self, now: float) -> None:
        self._send(self._wire)
        if not self.destination.reliable:
            self._timers[Input.TIMER_A] = now + self._interval
        self._timers[Input.TIMER_B] = now + self.settings.timeout

    def receive(self, response: Response, now: float) -> list[TransactionEvent]:
        event = response_input(response.status)
        before = self.state
        if not self._step(event, strict=False):
            return []
        self._timers.pop(Input.TIMER_A, None)
        if event is Input.PROVISIONAL:
            self._timers.pop(Input.TIMER_B, None)
            out: list[TransactionEvent] = [ResponseReceived(response)]
            if self._cancel_wanted and not self.cancel_sent:
                self.cancel_sent = True
                self._timers[Input.TIMER_CANCEL] = now + self.settings.timeout
                out.append(CancelReady(make_cancel(self.request)))
            return out
        if event is Input.FAILURE:
            self._send(bytes(make_ack_for_error(self.request, response)))
            if before is ClientState.COMPLETED:
                return []  # a retransmission: ACK again, tell nobody
            self._timers = {}
            wait = 0.0 if self.destination.reliable else self.settings.timer_d
            self._timers[Input.TIMER_D] = now + wait
            self.final = response
            return [ResponseReceived(response)]
        # 2xx: the TU (dialog) sends the ACK itself, for every retransmission too (RFC 6026).
        if before is not ClientState.ACCEPTED:
            self._timers = {Input.TIMER_M: now + self.settings.timeout}
            self.final = response
        return [ResponseReceived(response)]

    def request_cancel(self, now: float) -> Request | None:
        """The CANCEL to send now, or None: it is sent once a provisional response arrived
        (§9.1), announced by a `CancelReady` event; after a final response it is moot."""
        if self.state is ClientState.PROCEEDING and not self.cancel_sent:
            self.cancel_sent = True
            self._timers[Input.TIMER_CANCEL] = now + self.settings.timeout
            return make_cancel(self.request)
        if self.state is ClientState.CALLING:
            self._cancel_wanted = True
        return None

    def _fire(self, timer: Input, at: float) -> list[TransactionEvent]:
        self._step(timer, strict=True)
        if timer is Input.TIMER_A:
            self._send(self._wire)
            self._interval *= 2
            self._timers[Input.TIMER_A] = at + self._interval
            return []
        if timer in (Input.TIMER_B, Input.TIMER_CANCEL):
            return [TimedOut(timer.value)]
        return []


class ClientNonInviteTransaction(ClientTransaction):
    """Non-INVITE client transaction (§17.1.2)."""

    machine = "client non-INVITE transaction"

    def __init__(self, request: Request, destination: Address, timers: TimerSettings) -> None:
        super().__init__(request, destination, timers)
        self._interval = timers.t1

    def _table(self) -> dict[tuple[ClientState, Input], ClientState]:
        return CLIENT_NON_INVITE_TRANSITIONS

    def start(self, now: float) -> None:
        self._send(self._wire)
        if not self.destination.reliable:
            self._timers[Input.TIMER_E] = now + self._interval
        self._timers[Input.TIMER_F] = now + self.settings.timeout

    def receive(self, response: Response, now: float) -> list[TransactionEvent]:
        event = response_input(response.status)
        before = self.state
        if not self._step(event, strict=False):
            return []
        if event is Input.PROVISIONAL:
            return [ResponseReceived(response)]
        if before is ClientState.COMPLETED:
            return []
        self._timers = {}
        wait = 0.0 if self.destination.reliable else self.settings.t4
        self._timers[Input.TIMER_K] = now + wait
        self.final = response
        return [ResponseReceived(response)]

    def _fire(self, timer: Input, at: float) -> list[TransactionEvent]:
        self._step(timer, strict=True)
        if timer is Input.TIMER_E:
            self._send(self._wire)
            # In Proceeding the interval is T2 straight away (§17.1.2.2).
            if self.state is ClientState.PROCEEDING:
                self._interval = self.settings.t2
            else:
                self._interval = min(self._interval * 2, self.settings.t2)
            self._timers[Input.TIMER_E] = at + self._interval
            return []
        if timer is Input.TIMER_F:
            return [TimedOut("F")]
        return []
