"""The user-agent core below dialogs: parsing, validation and the transaction layer.

`Endpoint` is sans-I/O. Feed it what arrived (`receive(data, source, now)`), ask it what to
send (`datagrams_to_send()`) and when to wake it (`next_timer()`, `on_timer(now)`). It answers
on its own everything RFC 3261 §8.2 and RFC 4475 say a UAS answers before the application
sees a request — 400 for malformed input, 505, 416, 482, 483, 501/405, 420, 415, 406 — and
matches responses and retransmissions to transactions (§17.1.3, §17.2.3, with the RFC 2543
fallback). Everything else is returned as an `EndpointEvent` for the service above.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from hotline.sip.address import Address, Outgoing, response_address
from hotline.sip.construct import make_response, new_branch, new_tag
from hotline.sip.errors import SipParseError
from hotline.sip.message import Request, Response, parse_message
from hotline.sip.protection import Protector, Verdict
from hotline.sip.server_transaction import (
    ServerInviteTransaction,
    ServerNonInviteTransaction,
    ServerState,
    ServerTransaction,
)
from hotline.sip.timers import TimerSettings
from hotline.sip.transaction import (
    CancelReady,
    ClientInviteTransaction,
    ClientNonInviteTransaction,
    ClientTransaction,
    ResponseReceived,
    TimedOut,
    TransportFailed,
)
from hotline.sip.uri import SipUri, TelUri

__all__ = [
    "AckReceived",
    "CancelReceived",
    "Endpoint",
    "EndpointEvent",
    "EndpointSettings",
    "MessageRejected",
    "RequestReceived",
    "ResponseArrived",
    "TransactionFailed",
]

KNOWN_METHODS = frozenset(
    (
        "INVITE",
        "ACK",
        "CANCEL",
        "BYE",
        "OPTIONS",
        "REGISTER",
        "INFO",
        "REFER",
        "NOTIFY",
        "SUBSCRIBE",
        "MESSAGE",
        "UPDATE",
        "PRACK",
        "PUBLISH",
    )
)
DEFAULT_METHODS = (
    "INVITE",
    "ACK",
    "CANCEL",
    "BYE",
    "OPTIONS",
    "REGISTER",
    "INFO",
    "REFER",
    "NOTIFY",
)
DEFAULT_BODY_TYPES = {
    "INVITE": ("application/sdp",),
    "ACK": ("application/sdp",),
    "INFO": ("application/dtmf-relay", "application/dtmf"),
    "NOTIFY": ("message/sipfrag",),
    "OPTIONS": ("application/sdp",),
}


@dataclass(frozen=True, slots=True)
class EndpointSettings:
    timers: TimerSettings = field(default_factory=TimerSettings)
    allowed_methods: tuple[str, ...] = DEFAULT_METHODS
    supported: tuple[str, ...] = ("replaces", "norefersub")
    body_types: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_BODY_TYPES))
    user_agent: str = "Hotline"


# --- events for the service above ---


@dataclass(frozen=True, slots=True)
class RequestReceived:
    """A new request that passed validation; answer it through `transaction`."""

    request: Request
    source: Address
    transaction: ServerTransaction


@dataclass(frozen=True, slots=True)
class AckReceived:
    """The ACK of a 2xx (a transaction of its own, §13.3.1.4); `transaction` if matched."""

    request: Request
    source: Address
    transaction: ServerInviteTransaction | None


@dataclass(frozen=True, slots=True)
class CancelReceived:
    """A CANCEL matched a pending INVITE; the endpoint answered 200 and 487 already."""

    request: Request
    invite: ServerInviteTransaction


@dataclass(frozen=True, slots=True)
class ResponseArrived:
    """A response for a client transaction (or a stray 2xx retransmission: `transaction` None)."""

    response: Response
    source: Address
    transaction: ClientTransaction | None


@dataclass(frozen=True, slots=True)
class TransactionFailed:
    """Timer B/F/H or the 2xx ACK wait ran out, or the transport failed."""

    transaction: ClientTransaction | ServerTransaction
    reason: str


@dataclass(frozen=True, slots=True)
class MessageRejected:
    """Input answered or dropped before the application: for metrics and tracing."""

    source: Address
    reason: str
    status: int | None


EndpointEvent = (
    RequestReceived
    | AckReceived
    | CancelReceived
    | ResponseArrived
    | TransactionFailed
    | MessageRejected
)

_SALVAGE_RE = re.compile(
    r"^(via|v|from|f|to|t|call-id|i|cseq)[ \t]*:(.*)$", re.IGNORECASE | re.MULTILINE
)
_SALVAGE_NAMES = {
    "via": "Via", "v": "Via", "from": "From", "f": "From", "to": "To", "t": "To",
    "call-id": "Call-ID", "i": "Call-ID", "cseq": "CSeq",
}  # fmt: skip


def _server_key(request: Request) -> tuple[object, ...]:
    via = request.top_via
    method = "INVITE" if request.method == "ACK" else request.method
    if via is not None and via.is_rfc3261:
        return (via.branch, via.host.lower(), via.port, method)
    # RFC 2543 fallback (§17.2.3): the To tag is left out so an ACK matches its INVITE.
    host = via.host.lower() if via is not None else ""
    port = via.port if via is not None else None
    cseq = request.cseq
    return ("2543", request.call_id, cseq.number, method, request.from_.tag, host, port)


class Endpoint:
    """Transaction layer and UAS validation, sans-I/O."""

    def __init__(
        self,
        local: dict[str, Address],
        *,
        settings: EndpointSettings | None = None,
        protector: Protector | None = None,
    ) -> None:
        self.local = dict(local)
        self.settings = settings or EndpointSettings()
        self.protector = protector or Protector()
        self._server: dict[tuple[object, ...], ServerTransaction] = {}
        self._client: dict[tuple[str, str], ClientTransaction] = {}
        self._merge: dict[tuple[object, ...], tuple[object, ...]] = {}
        self._accepted: dict[tuple[str, int, str | None], ServerInviteTransaction] = {}
        self._outbox: list[Outgoing] = []
        self._heap: list[tuple[float, int, ClientTransaction | ServerTransaction]] = []
        self._seq = itertools.count()

    # --- input ---

    def receive(self, data: bytes, source: Address, now: float) -> list[EndpointEvent]:
        """A datagram (UDP) or one framed message (TCP) from `source`."""
        if not data.strip(b"\r\n"):
            return []  # CRLF keep-alive (RFC 5626 §4.4.1); TCP pings are answered by the framer
        verdict = self.protector.check_datagram(source.host, len(data), now)
        if verdict is not Verdict.ACCEPT:
            return [MessageRejected(source, verdict.value, None)]
        try:
            msg = parse_message(data, stream=source.reliable)
        except SipParseError as exc:
            self.protector.counters.parse_errors += 1
            return self._reject_unparsable(data, source, exc)
        ua = msg.headers.get("user-agent")
        if (
            ua is not None
            and self.protector.check_user_agent(source.host, ua) is not Verdict.ACCEPT
        ):
            return [MessageRejected(source, Verdict.BLOCKED_USER_AGENT.value, None)]
        if isinstance(msg, Response):
            return self._receive_response(msg, source, now)
        return self._receive_request(msg, source, now)

    def _reject_unparsable(
        self, data: bytes, source: Address, exc: SipParseError
    ) -> list[EndpointEvent]:
        text = data[:8192].decode("utf-8", "replace")
        first = text.split("\n", 1)[0]
        if first.upper().startswith("SIP/") or first.upper().startswith("ACK "):
            return [MessageRejected(source, f"unparsable: {exc.message}", None)]
        found: dict[str, list[str]] = {}
        for m in _SALVAGE_RE.finditer(text):
            name = _SALVAGE_NAMES[m.group(1).lower()]
            found.setdefault(name, []).append(m.group(2).strip().replace("\r", ""))
        if not all(k in found for k in ("Via", "From", "To", "Call-ID", "CSeq")):
            return [MessageRejected(source, f"unparsable: {exc.message}", None)]
        status = exc.status_hint if 400 <= exc.status_hint < 700 else 400
        lines = [f"SIP/2.0 {status} Bad Request"]
        for name in ("Via", "From", "To", "Call-ID", "CSeq"):
            lines += [f"{name}: {v}" for v in found[name]]
        warning = re.sub(r'["\\\r\n]', "'", exc.message)[:200]
        lines += [f'Warning: 399 hotline "{warning}"', "Content-Length: 0", "", ""]
        self._outbox.append(Outgoing("\r\n".join(lines).encode(), source))
        return [MessageRejected(source, f"unparsable: {exc.message}", status)]

    def _receive_response(
        self, response: Response, source: Address, now: float
    ) -> list[EndpointEvent]:
        via = response.top_via
        cseq = response.cseq
        txn = self._client.get((via.branch or "", cseq.method)) if via is not None else None
        if txn is None:
            if cseq.method == "INVITE" and 200 <= response.status < 300:
                return [ResponseArrived(response, source, None)]
            return [MessageRejected(source, "stray response", None)]
        events = self._client_events(txn, txn.receive(response, now), source, now)
        self._track(txn)
        return events

    def _receive_request(
        self, request: Request, source: Address, now: float
    ) -> list[EndpointEvent]:
        missing = request.has_mandatory_headers()
        if "Via" in missing:
            return [MessageRejected(source, "request without Via", None)]
        self._stamp_via(request, source)
        if missing:
            if request.method == "ACK":
                return [MessageRejected(source, "ACK without mandatory headers", None)]
            self._stateless(request, source, 400, f"Missing {', '.join(missing)}")
            return [MessageRejected(source, f"missing {', '.join(missing)}", 400)]
        key = _server_key(request)
        txn = self._server.get(key)
        if txn is None and request.method != "ACK" and not self._admit(source):
            # The table is full: shed new work with a stateless 503 rather than grow.
            self.protector.counters.shed_503 += 1
            retry = str(self.protector.settings.retry_after_s)
            self._stateless(request, source, 503, "Service Unavailable", [("Retry-After", retry)])
            return [MessageRejected(source, "transaction table full", 503)]
        if txn is not None:
            txn.receive(request, now)
            self._flush(txn)
            if (
                request.method == "ACK"
                and isinstance(txn, ServerInviteTransaction)
                and txn.state is ServerState.ACCEPTED
            ):
                return [AckReceived(request, source, txn)]
            return []
        if request.method == "ACK":
            accepted = self._accepted.get(self._ack_key(request))
            if accepted is not None:
                accepted.receive(request, now)
                self._track(accepted)
            return [AckReceived(request, source, accepted)]
        if request.method == "CANCEL":
            return self._receive_cancel(request, source, now)
        return self._new_server_transaction(request, key, source, now)

    def _admit(self, source: Address) -> bool:
        """Room for a new server transaction? Sources the protector does not know (neither a
        trunk nor registered) may fill only half of the table (ADR 0100)."""
        limit = self.protector.settings.max_server_transactions
        if not self.protector.is_known(source.host):
            limit //= 2
        return len(self._server) < limit

    def _stamp_via(self, request: Request, source: Address) -> None:
        """RFC 3261 §18.2.1 `received` and RFC 3581 `rport` on the top Via."""
        via = request.top_via
        if via is None:
            return
        params: dict[str, str | None] = {}
        if via.host != source.host:
            params["received"] = source.host
        if via.wants_rport:
            params["rport"] = str(source.port)
            params["received"] = source.host
        if not params:
            return
        stamped = via.with_params(**params)
        request.headers.remove_first("via")
        request.headers.prepend("Via", str(stamped))
        request.changed()

    def _ack_key(self, request: Request) -> tuple[str, int, str | None]:
        return (request.call_id, request.cseq.number, request.from_.tag)

    def _new_server_transaction(
        self, request: Request, key: tuple[object, ...], source: Address, now: float
    ) -> list[EndpointEvent]:
        to_tag = request.to.tag
        merge_key = (request.from_.tag, request.call_id, request.cseq.number, request.method)
        txn = self._create_server(request, key, source)
        if to_tag is None:
            other = self._merge.get(merge_key)
            if other is not None and other != key and other in self._server:
                return self._refuse(txn, request, source, 482, now)
            self._merge[merge_key] = key
        status, extra = self._validate(request)
        if status is not None:
            return self._refuse(txn, request, source, status, now, extra)
        return [RequestReceived(request, source, txn)]

    def _create_server(
        self, request: Request, key: tuple[object, ...], source: Address
    ) -> ServerTransaction:
        via = request.top_via
        assert via is not None
        dest = response_address(via, source)
        timers = self.settings.timers
        txn: ServerTransaction
        if request.method == "INVITE":
            txn = ServerInviteTransaction(request, dest, timers)
        else:
            txn = ServerNonInviteTransaction(request, dest, timers)
        txn.key = key
        self._server[key] = txn
        self._flush(txn)
        return txn

    def _validate(self, request: Request) -> tuple[int | None, list[tuple[str, str]]]:
        s = self.settings
        allow = [("Allow", ", ".join(s.allowed_methods))]
        if request.version != "SIP/2.0":
            return 505, []
        if not isinstance(request.uri, SipUri | TelUri):
            return 416, []
        if request.max_forwards == 0 and request.method != "OPTIONS":
            # Hotline is a B2BUA: a call it takes is forwarded to agents and trunks.
            return 483, []
        if request.method not in s.allowed_methods:
            return (405 if request.method in KNOWN_METHODS else 501), allow
        required = [r for r in request.headers.values("require") if r.lower() not in s.supported]
        if required and request.method not in ("ACK", "CANCEL"):
            return 420, [("Unsupported", ", ".join(required))]
        ctype = request.content_type
        if request.body and ctype is not None:
            accepted = s.body_types.get(request.method, ())
            if ctype not in accepted and not (ctype.startswith("multipart/") and accepted):
                return 415, [("Accept", ", ".join(accepted) or "application/sdp")]
        if request.method == "INVITE" and "accept" in request.headers:
            types = [t.split(";", 1)[0].strip().lower() for t in request.headers.values("accept")]
            if not {"application/sdp", "application/*", "*/*"} & set(types):
                return 406, [("Accept", "application/sdp")]
        return None, []

    def _refuse(
        self,
        txn: ServerTransaction,
        request: Request,
        source: Address,
        status: int,
        now: float,
        extra: list[tuple[str, str]] | None = None,
    ) -> list[EndpointEvent]:
        self.respond(txn, make_response(request, status, to_tag=new_tag(), extra=extra), now)
        return [MessageRejected(source, f"{request.method} refused", status)]

    def _stateless(
        self,
        request: Request,
        source: Address,
        status: int,
        reason: str,
        extra: list[tuple[str, str]] | None = None,
    ) -> None:
        via = request.top_via
        dest = response_address(via, source) if via is not None else source
        response = make_response(request, status, reason, to_tag=new_tag(), extra=extra)
        self._outbox.append(Outgoing(bytes(response), dest))

    def _receive_cancel(self, cancel: Request, source: Address, now: float) -> list[EndpointEvent]:
        key = self._cancel_target_key(cancel)
        cancel_txn = self._create_server(cancel, _server_key(cancel), source)
        invite = self._server.get(key)
        if not isinstance(invite, ServerInviteTransaction):
            self.respond(cancel_txn, make_response(cancel, 481, to_tag=new_tag()), now)
            return [MessageRejected(source, "CANCEL without INVITE", 481)]
        self.respond(cancel_txn, make_response(cancel, 200, to_tag=self._to_tag(invite)), now)
        if invite.state is not ServerState.PROCEEDING:
            return []
        self.respond(invite, make_response(invite.request, 487, to_tag=self._to_tag(invite)), now)
        return [CancelReceived(cancel, invite)]

    def _cancel_target_key(self, cancel: Request) -> tuple[object, ...]:
        key = _server_key(cancel)
        if key[0] == "2543":
            return (*key[:3], "INVITE", *key[4:])
        return (*key[:3], "INVITE")

    @staticmethod
    def _to_tag(txn: ServerTransaction) -> str:
        last = txn.last_status
        tag = txn.to_tag if last is not None and last > 100 else None
        return tag or new_tag()

    # --- output driven by the service ---

    def respond(self, txn: ServerTransaction, response: Response, now: float) -> None:
        """Send `response` on a server transaction (raises `IllegalTransition` on misuse)."""
        if "user-agent" not in response.headers and "server" not in response.headers:
            response.headers.add("Server", self.settings.user_agent)
        txn.respond(response, now)
        if (
            isinstance(txn, ServerInviteTransaction)
            and 200 <= response.status < 300
            and txn.request.method == "INVITE"
        ):
            self._accepted[self._ack_key(txn.request)] = txn
        self._flush(txn)

    def respond_stateless(self, txn: ServerTransaction, response: Response) -> None:
        """Send `response` once and forget `txn` (RFC 3261 §8.2.7): for challenges and refusals
        to sources we do not know, so a flood of them holds no memory and causes no
        retransmissions. A retransmitted request is simply answered again."""
        if "user-agent" not in response.headers and "server" not in response.headers:
            response.headers.add("Server", self.settings.user_agent)
        self._outbox.extend(txn.datagrams_to_send())  # the INVITE's 100 Trying, if queued
        self._outbox.append(Outgoing(bytes(response), txn.destination))
        txn.abandon()
        self._forget(txn)

    def send_request(self, request: Request, destination: Address, now: float) -> ClientTransaction:
        """Start a client transaction; a top Via with a fresh branch is added if missing."""
        if "via" not in request.headers:
            request.headers.prepend("Via", self.via_for(destination.transport))
            request.changed()
        if "max-forwards" not in request.headers:
            request.headers.add("Max-Forwards", "70")
        if "user-agent" not in request.headers:
            request.headers.add("User-Agent", self.settings.user_agent)
        txn: ClientTransaction
        if request.method == "INVITE":
            txn = ClientInviteTransaction(request, destination, self.settings.timers)
        else:
            txn = ClientNonInviteTransaction(request, destination, self.settings.timers)
        self._client[txn.key] = txn
        txn.start(now)
        self._flush(txn)
        return txn

    def send_ack(self, ack: Request, destination: Address) -> None:
        """Send the ACK of a 2xx: no transaction of its own (§17.1.1.3)."""
        if "via" not in ack.headers:
            ack.headers.prepend("Via", self.via_for(destination.transport))
            ack.changed()
        self._outbox.append(Outgoing(bytes(ack), destination))

    def send_raw(self, data: bytes, destination: Address) -> None:
        self._outbox.append(Outgoing(data, destination))

    def cancel(self, txn: ClientInviteTransaction, now: float) -> None:
        """Ask for a CANCEL of a pending INVITE (sent at once, or after the first 1xx)."""
        cancel = txn.request_cancel(now)
        if cancel is not None:
            self._start_cancel(cancel, txn.destination, now)
        self._track(txn)

    def _start_cancel(self, cancel: Request, destination: Address, now: float) -> None:
        ctxn = ClientNonInviteTransaction(cancel, destination, self.settings.timers)
        self._client[ctxn.key] = ctxn
        ctxn.start(now)
        self._flush(ctxn)

    def via_for(self, transport: str) -> str:
        local = self.local.get(transport) or next(iter(self.local.values()))
        return f"SIP/2.0/{transport.upper()} {local.host}:{local.port};branch={new_branch()};rport"

    def transport_failed(self, destination: Address, reason: str) -> list[EndpointEvent]:
        """The transport could not deliver to `destination`: fail its client transactions."""
        events: list[EndpointEvent] = []
        for txn in list(self._client.values()):
            if txn.destination == destination and not txn.terminated:
                for e in txn.transport_failed(reason):
                    if isinstance(e, TransportFailed):
                        events.append(TransactionFailed(txn, e.reason))
                self._client.pop(txn.key, None)
        return events

    def datagrams_to_send(self) -> list[Outgoing]:
        out, self._outbox = self._outbox, []
        return out

    # --- timers ---

    def next_timer(self) -> float | None:
        while self._heap:
            due, _, txn = self._heap[0]
            if txn.next_timer() == due:
                return due
            heapq.heappop(self._heap)  # stale entry
            self._track(txn)
        return None

    def on_timer(self, now: float) -> list[EndpointEvent]:
        events: list[EndpointEvent] = []
        while self._heap and self._heap[0][0] <= now:
            _, _, txn = heapq.heappop(self._heap)
            due = txn.next_timer()
            if due is None or due > now:
                self._track(txn)
                continue
            raised = txn.on_timer(now)
            if isinstance(txn, ClientTransaction):
                events += self._client_events(txn, raised, txn.destination, now)
            else:
                events += [
                    TransactionFailed(txn, e.timer) for e in raised if isinstance(e, TimedOut)
                ]
            self._flush(txn)
        return events

    def _client_events(
        self, txn: ClientTransaction, raised: Iterable[object], source: Address, now: float
    ) -> list[EndpointEvent]:
        events: list[EndpointEvent] = []
        for e in raised:
            if isinstance(e, ResponseReceived):
                events.append(ResponseArrived(e.response, source, txn))
            elif isinstance(e, CancelReady):
                self._start_cancel(e.cancel, txn.destination, now)
            elif isinstance(e, TimedOut | TransportFailed):
                reason = e.timer if isinstance(e, TimedOut) else e.reason
                events.append(TransactionFailed(txn, reason))
        self._flush(txn)
        return events

    def _flush(self, txn: ClientTransaction | ServerTransaction) -> None:
        self._outbox.extend(txn.datagrams_to_send())
        self._track(txn)

    def _track(self, txn: ClientTransaction | ServerTransaction) -> None:
        if txn.terminated:
            self._forget(txn)
            return
        due = txn.next_timer()
        if due is not None:
            heapq.heappush(self._heap, (due, next(self._seq), txn))
            if len(self._heap) > 4 * self.transaction_count + 1024:
                self._compact_heap()

    def _compact_heap(self) -> None:
        """Drop stale timer entries (each re-arm pushes a new one) so the heap stays
        proportional to the live transactions after a burst."""
        live: list[tuple[float, int, ClientTransaction | ServerTransaction]] = []
        transactions: list[ClientTransaction | ServerTransaction] = [
            *self._server.values(),
            *self._client.values(),
        ]
        for txn in transactions:
            due = txn.next_timer()
            if due is not None and not txn.terminated:
                live.append((due, next(self._seq), txn))
        heapq.heapify(live)
        self._heap = live

    def _forget(self, txn: ClientTransaction | ServerTransaction) -> None:
        if isinstance(txn, ClientTransaction):
            if self._client.get(txn.key) is txn:
                del self._client[txn.key]
            return
        key = txn.key
        if self._server.get(key) is txn:
            del self._server[key]
        req = txn.request
        if req.method == "INVITE":
            ack_key = self._ack_key(req)
            if self._accepted.get(ack_key) is txn:
                del self._accepted[ack_key]
        merge_key = (req.from_.tag, req.call_id, req.cseq.number, req.method)
        if self._merge.get(merge_key) == key:
            del self._merge[merge_key]

    @property
    def transaction_count(self) -> int:
        return len(self._server) + len(self._client)
