"""`SipService`: the asyncio user-agent that call control talks to (issue 6's interface).

It owns the sockets (UDP, TCP), runs the sans-I/O `Endpoint` (transactions, validation) on one
timer, keeps dialogs as `CallSession`s, answers REGISTER through the `Registrar` with digest
auth, qualifies contacts, registers to trunks, applies protection, reports every message to
an observer and emits domain events. Everything protocol-shaped lives in `hotline.sip`; this
module only wires it to the event loop. See docs/sip.md for the call-control API.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.sip.address import Address, Outgoing
from hotline.sip.admission import AdmissionLimits, CallLoad, LoopLag, Shed, refusal
from hotline.sip.auth import CredentialStore, DigestAuthenticator
from hotline.sip.connections import ConnectionLimits
from hotline.sip.construct import make_response, new_call_id, new_tag
from hotline.sip.dialog import Dialog
from hotline.sip.endpoint import (
    AckReceived,
    CancelReceived,
    Endpoint,
    EndpointEvent,
    EndpointSettings,
    RequestReceived,
    ResponseArrived,
    TransactionFailed,
)
from hotline.sip.errors import (
    OutboundCapReached,
    OutboundDenied,
    SdpError,
    SdpNegotiationFailed,
    SipParseError,
    TransportError,
)
from hotline.sip.events import OutboundDenied as OutboundDeniedEvent
from hotline.sip.headers import Headers
from hotline.sip.message import Message, Request, Response
from hotline.sip.offeranswer import NegotiatedMedia, accept_answer, strip_crypto, wire_offer
from hotline.sip.policy import OutboundPermit, OutboundPolicy
from hotline.sip.protection import ProtectionSettings, Protector
from hotline.sip.realms import RealmMap
from hotline.sip.refer import Replaces, parse_replaces
from hotline.sip.registrar import Binding, BindingStore, InMemoryBindingStore, RegistrarSettings
from hotline.sip.sdp import SessionDescription, parse_sdp
from hotline.sip.server_transaction import ServerInviteTransaction, ServerTransaction
from hotline.sip.timers import TimerSettings
from hotline.sip.trace import MessageObserver, TraceRecord, redact_keys
from hotline.sip.transaction import ClientInviteTransaction, ClientTransaction
from hotline.sip.transport.calls import (
    CallFailed,
    CallSession,
    IncomingCall,
    OutgoingCall,
    RemoteHangup,
)
from hotline.sip.transport.indialog import InDialogHandler
from hotline.sip.transport.leftover import end_leftover_dialog
from hotline.sip.transport.outbound import Originator, ResponseWaiter
from hotline.sip.transport.protection_events import ProtectionEvents
from hotline.sip.transport.registration import RegistrationService
from hotline.sip.transport.streams import StreamTransports
from hotline.sip.transport.tcp import TcpTransport
from hotline.sip.transport.tls import TlsSettings
from hotline.sip.transport.trunk_registration import (
    TrunkProbe,
    TrunkRegistrations,
    TrunkStatus,
)
from hotline.sip.transport.udp import UdpTransport
from hotline.sip.trunk import (
    CallerId,
    Trunk,
    caller_id_of,
    did_of,
    identify_trunk,
    trunk_hosts,
)
from hotline.sip.uri import parse_uri

__all__ = ["CallHandler", "SipService", "SipServiceConfig"]

log = logging.getLogger(__name__)

CallHandler = Callable[[IncomingCall], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SipServiceConfig:
    """Plain settings (the lead fills them from `Settings.sip`); ports 0 = ephemeral."""

    host: str = "127.0.0.1"
    udp_port: int | None = 5060
    tcp_port: int | None = 5060
    public_host: str | None = None
    realm: str = "hotline"
    tenant_id: str = "default"
    user_agent: str = "Hotline"
    timers: TimerSettings = field(default_factory=TimerSettings)
    protection: ProtectionSettings = field(default_factory=ProtectionSettings)
    registrar: RegistrarSettings = field(default_factory=RegistrarSettings)
    qualify_interval_s: float = 30.0
    nonce_lifetime_s: float = 300.0
    digest_algorithms: tuple[str, ...] = ("SHA-256", "MD5")
    # Clients that fail on a challenge list containing SHA-256 (libre/baresip 1.0 answers
    # ENOSYS instead of skipping it, against RFC 8760 §2.4) are challenged with MD5 only.
    md5_only_user_agents: tuple[str, ...] = ("baresip",)
    authenticate_invites: bool = True
    trunks: tuple[Trunk, ...] = ()
    in_dialog_timeout_s: float = 40.0
    # Stream connections peers open: per-source and total caps, unfinished-message and idle
    # timeouts (ADR 0102).
    stream_limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    # SIP over TLS (sips:, RFC 3261 §26.2): a listener when `tls_port` and a certificate are
    # given; outgoing TLS connections (trunks) verify the peer against `tls_ca_file` (or the
    # system's CAs) unless `tls_verify_peer` is off (ADR 0103).
    tls_port: int | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca_file: str | None = None
    tls_verify_peer: bool = True
    # SRTP (SDES): "tls" offers RTP/SAVP with a key to phones reached over TLS and answers
    # offers that carry keys; "off" never offers keys and refuses RTP/SAVP (ADR 0104).
    srtp: str = "tls"


class SipService:
    def __init__(
        self,
        config: SipServiceConfig,
        *,
        clock: Clock,
        events: EventSink,
        credentials: CredentialStore | None = None,
        bindings: BindingStore | None = None,
        observer: MessageObserver | None = None,
        on_call: CallHandler | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.sink = events
        self.observer = observer
        self.on_call = on_call
        self.protector = Protector(config.protection)
        # Overload signals for the admission of new calls: the event loop's lag (measured
        # here) and the free connections of the database pool (told by the server).
        self.loop_lag = LoopLag()
        self.pool_free: Callable[[], int | None] | None = None
        # The trunks: the configured ones at first, replaced whole at runtime (`set_trunks`).
        self.trunks: tuple[Trunk, ...] = config.trunks
        self.protector.trust(trunk_hosts(config.trunks))
        self.protection_events = ProtectionEvents(self.protector, clock, events, config.tenant_id)
        self.endpoint = Endpoint(
            {},
            settings=EndpointSettings(timers=config.timers, user_agent=config.user_agent),
            protector=self.protector,
        )
        self.authenticator = DigestAuthenticator(
            config.realm,
            nonce_lifetime=config.nonce_lifetime_s,
            algorithms=config.digest_algorithms,
        )
        # The SIP domains this server answers for, each a tenant's realm (ADR 0141); the
        # configured realm is the fallback for hosts that are none of them.
        self.realms = RealmMap(config.realm, config.tenant_id)
        self.credentials = credentials
        self.registration = RegistrationService(
            self, credentials, bindings or InMemoryBindingStore(), config.registrar
        )
        self.trunk_registrations = TrunkRegistrations(self)
        self.in_dialog = InDialogHandler(self)
        self.originator = Originator(self)
        self._udp = UdpTransport(self._received)
        self.streams = StreamTransports(
            self._received,
            max_message_bytes=config.protection.max_message_bytes,
            limits=config.stream_limits,
            now=self.now,
            is_known=self.protector.is_known,
            tls=config,
        )
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due: float | None = None
        self._waiters: dict[ClientTransaction, ResponseWaiter] = {}
        self._incoming: dict[ServerInviteTransaction, IncomingCall] = {}
        self._sessions: dict[tuple[str, str, str], CallSession] = {}
        self._answered: dict[ServerInviteTransaction, CallSession] = {}
        self._tasks: set[asyncio.Task[object]] = set()
        self.local: dict[str, Address] = {}
        self.counters: dict[str, int] = {
            "messages_in": 0,
            "messages_out": 0,
            "calls_in": 0,
            "calls_out": 0,
            "transport_errors": 0,
        }

    # --- lifecycle ---

    async def start(self) -> None:
        c = self.config
        if c.udp_port is not None:
            self.local["udp"] = await self._udp.start(c.host, c.udp_port)
        if c.tcp_port is not None:
            port = c.tcp_port
            if port == 0 and "udp" in self.local:
                port = self.local["udp"].port  # same port number on both when we can
            try:
                self.local["tcp"] = await self.streams.tcp.start(c.host, port)
            except OSError:
                self.local["tcp"] = await self.streams.tcp.start(c.host, 0)
        await self._start_tls()
        await self.registration.start()
        self.trunk_registrations.apply(self.trunks)
        self._spawn(self._maintenance())
        self._spawn(self._measure_lag())

    async def _start_tls(self) -> None:
        c = self.config
        if "tls" not in self.local and c.tls_port is not None and c.tls_cert and c.tls_key:
            self.local["tls"] = await self.streams.start_tls(c.host, c.tls_port)
            log.info("SIP over TLS on %s:%d", c.host, self.local["tls"].port)
        self.endpoint.local = {
            t: Address(t, c.public_host or a.host, a.port) for t, a in self.local.items()
        }

    async def reconfigure(
        self,
        *,
        protection: ProtectionSettings | None = None,
        stream_limits: ConnectionLimits | None = None,
        tls: TlsSettings | None = None,
        srtp: str | None = None,
    ) -> None:
        """Apply edge settings to a running service: budgets and table caps, stream limits,
        the SRTP policy, and a TLS listener (started if not running yet)."""
        changes: dict[str, object] = {}
        if srtp is not None:
            changes["srtp"] = srtp
        if protection is not None:
            changes["protection"] = protection
            self.protector.settings = protection
        if stream_limits is not None:
            changes["stream_limits"] = stream_limits
        if tls is not None:
            changes.update(
                tls_port=tls.port, tls_cert=tls.cert, tls_key=tls.key,
                tls_ca_file=tls.ca_file, tls_verify_peer=tls.verify_peer,
            )  # fmt: skip
        self.config = dataclasses.replace(self.config, **changes)  # type: ignore[arg-type]
        self.streams.configure(limits=stream_limits, tls=self.config if tls else None)
        if tls is not None and self.local:
            await self._start_tls()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.trunk_registrations.stop()
        await self.registration.stop()
        if self._timer is not None:
            self._timer.cancel()
        self._udp.close()
        await self.streams.close()

    def _spawn(self, coro: Awaitable[object]) -> asyncio.Task[object]:
        task: asyncio.Task[object] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("SIP task failed", exc_info=task.exception())

    def now(self) -> float:
        return self.clock.monotonic()

    def metrics(self) -> dict[str, int]:
        """Plain counters for the lead's Prometheus exporter (names end up as sip_<name>)."""
        out = dict(self.counters)
        out.update({f"protection_{k}": v for k, v in self.protector.counters.as_dict().items()})
        out["transactions"] = self.endpoint.transaction_count
        out["sessions"] = len(self._sessions)
        out["bindings"] = len(self.registration.registrar.all_bindings())
        out.update(self.streams.metrics())
        return out

    # --- transport glue ---

    def _received(self, data: bytes, source: Address) -> None:
        self.counters["messages_in"] += 1
        self._trace("in", data, source)
        self._dispatch(self.endpoint.receive(data, source, self.now()))
        self._pump()

    def _trace(self, direction: str, data: bytes, peer: Address) -> None:
        if self.observer is None:
            return
        local = self.local.get(peer.transport)
        self.observer.observe(
            TraceRecord(
                at=self.clock.now(),
                direction=direction,
                transport=peer.transport,
                local=f"{local.host}:{local.port}" if local else "",
                remote=f"{peer.host}:{peer.port}",
                data=redact_keys(data),
            )
        )

    def _pump(self) -> None:
        for out in self.endpoint.datagrams_to_send():
            self._send(out)
        due = self.endpoint.next_timer()
        if due is not None and due != self._timer_due:
            if self._timer is not None:
                self._timer.cancel()
            delay = max(0.0, due - self.now())
            self._timer = asyncio.get_running_loop().call_later(delay, self._on_timer)
            self._timer_due = due

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_due = None
        self._dispatch(self.endpoint.on_timer(self.now()))
        self._pump()

    def _send(self, out: Outgoing) -> None:
        self.counters["messages_out"] += 1
        self._trace("out", out.data, out.to)
        if out.to.transport == "udp":
            self._udp.send(out.data, out.to)
            return
        stream = self.streams.get(out.to.transport)
        if stream is None:
            self.counters["transport_errors"] += 1
            self._dispatch(self.endpoint.transport_failed(out.to, f"no {out.to.transport}"))
        elif not stream.send_now(out.data, out.to):
            self._spawn(self._send_stream(stream, out))

    async def _send_stream(self, stream: TcpTransport, out: Outgoing) -> None:
        try:
            await stream.send(out.data, out.to)
        except TransportError as exc:
            self.counters["transport_errors"] += 1
            self._dispatch(self.endpoint.transport_failed(out.to, str(exc)))
            self._pump()

    # --- sending helpers used by calls and registration ---

    def respond(self, txn: ServerTransaction, response: Response) -> None:
        self.endpoint.respond(txn, response, self.now())
        if response.status >= 300 and isinstance(txn, ServerInviteTransaction):
            self._incoming.pop(txn, None)  # refused: no longer a pending call
        self._pump()

    def respond_stateless(self, txn: ServerTransaction, response: Response) -> None:
        """Answer once and drop the transaction: challenges, auth refusals, OPTIONS pings —
        what a flood of unknown sources asks for costs no memory and no retransmissions."""
        self.endpoint.respond_stateless(txn, response)
        self._pump()

    def contact_for(self, peer: Address) -> str:
        local = self.endpoint.local.get(peer.transport) or next(iter(self.endpoint.local.values()))
        param = "" if peer.transport == "udp" else f";transport={peer.transport}"
        return f"<sip:hotline@{local.host}:{local.port}{param}>"

    async def request(
        self,
        request: Request,
        destination: Address,
        *,
        on_provisional: Callable[[Response], None] | None = None,
        on_late_2xx: Callable[[Response], None] | None = None,
    ) -> tuple[Response, ClientTransaction]:
        """Send a request in a new client transaction; the final response (or CallFailed)."""
        txn = self.endpoint.send_request(request, destination, self.now())
        future: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        self._waiters[txn] = ResponseWaiter(future, on_provisional, on_late_2xx)
        self._pump()
        try:
            return await future, txn
        finally:
            if not isinstance(txn, ClientInviteTransaction) or txn.terminated:
                self._waiters.pop(txn, None)

    async def request_with_auth(
        self,
        request: Request,
        destination: Address,
        username: str | None,
        password: str | None,
        **kw: Callable[[Response], None] | None,
    ) -> tuple[Response, ClientTransaction]:
        """`request`, answering one 401/407 challenge with the given credentials."""
        response, txn = await self.request(request, destination, **kw)
        if response.status not in (401, 407) or username is None or password is None:
            return response, txn
        from hotline.sip.auth import authorization_header

        header = "WWW-Authenticate" if response.status == 401 else "Proxy-Authenticate"
        name = "Authorization" if response.status == 401 else "Proxy-Authorization"
        for challenge in response.headers.get_all(header):
            value = authorization_header(
                challenge,
                method=request.method,
                uri=str(request.uri),
                username=username,
                password=password,
            )
            if value is None:
                continue
            retry = Request(request.method, request.uri, request.headers.copy(), request.body)
            retry.headers.remove("via")
            retry.headers.remove("authorization")
            retry.headers.remove("proxy-authorization")
            retry.headers.add(name, value)
            retry.headers.set("CSeq", f"{request.cseq.number + 1} {request.method}")
            retry.changed()
            return await self.request(retry, destination, **kw)
        return response, txn

    # --- dispatch of endpoint events ---

    def _dispatch(self, events: Sequence[EndpointEvent]) -> None:
        for event in events:
            if isinstance(event, RequestReceived):
                self._on_request(event)
            elif isinstance(event, ResponseArrived):
                self._on_response(event)
            elif isinstance(event, AckReceived):
                self._on_ack(event)
            elif isinstance(event, CancelReceived):
                call = self._incoming.pop(event.invite, None)
                if call is not None:
                    call.cancelled.set()
            elif isinstance(event, TransactionFailed):
                self._on_failure(event)
            # MessageRejected is already counted by the protector and the endpoint.
        self._protection_events()

    def _protection_events(self) -> None:
        self.protection_events.emit()

    def _on_response(self, event: ResponseArrived) -> None:
        response = event.response
        if event.transaction is None:
            self._reack(response)
            return
        waiter = self._waiters.get(event.transaction)
        if waiter is None:
            return
        if response.status < 200:
            if waiter.on_provisional is not None:
                waiter.on_provisional(response)
        elif not waiter.future.done():
            waiter.future.set_result(response)
        elif response.status < 300 and waiter.on_late_2xx is not None:
            waiter.on_late_2xx(response)

    def _reack(self, response: Response) -> None:
        """A 2xx retransmission after our INVITE transaction ended: ACK it again."""
        key = (response.call_id, response.from_.tag or "", response.to.tag or "")
        session = self._sessions.get(key)
        if session is not None:
            ack = session.dialog.create_ack(response.cseq.number)
            self.endpoint.send_ack(ack, self._session_destination(session))

    def _on_failure(self, event: TransactionFailed) -> None:
        txn = event.transaction
        if isinstance(txn, ClientTransaction):
            waiter = self._waiters.pop(txn, None)
            if waiter is not None and not waiter.future.done():
                status = 503 if "transport" in event.reason or "connect" in event.reason else 408
                waiter.future.set_exception(CallFailed(status, event.reason))
                waiter.future.exception()
            return
        if isinstance(txn, ServerInviteTransaction):
            self._incoming.pop(txn, None)
            session = self._answered.pop(txn, None)
            if session is not None and not session.confirmed.is_set():
                # RFC 3261 §13.3.1.4: no ACK for our 2xx - end the call with BYE.
                session._post(RemoteHangup("no ACK for 200 OK", 408))
                self._spawn(session.hangup(q850_cause=41))

    def _on_ack(self, event: AckReceived) -> None:
        request = event.request
        key = (request.call_id, request.to.tag or "", request.from_.tag or "")
        session = self._sessions.get(key)
        if session is None:
            return
        if not session.confirmed.is_set():
            session.confirmed.set()
            if event.transaction is not None:
                self._answered.pop(event.transaction, None)
            if request.body and session.local_sdp is not None:
                remote = self.parse_body_sdp(request)
                if remote is not None:
                    session.remote_sdp = remote
                    session.media = self.negotiate_answer(session.local_sdp, remote)

    # --- requests ---

    def _on_request(self, event: RequestReceived) -> None:
        request = event.request
        method = request.method
        if method == "REGISTER":
            self._spawn(self.registration.handle_register(event))
            return
        if request.to.tag is not None:
            self.in_dialog.handle(event)
            return
        if method == "INVITE":
            shed = self._admission(event.source)
            if shed is not None:
                self.protector.counters.count_shed(shed.value)
                retry = str(self.config.protection.retry_after_s)
                busy = make_response(request, 503, to_tag=new_tag(), extra=[("Retry-After", retry)])
                self.respond_stateless(event.transaction, busy)
                return
            self._spawn(self._new_call(event))
        elif method == "OPTIONS":
            self._answer_options(event)
        else:
            self.respond_stateless(event.transaction, make_response(request, 481, to_tag=new_tag()))

    def _admission(self, source: Address) -> Shed | None:
        """Take a new call, or shed it (one rule: `hotline.sip.admission`). Sources neither
        trunks nor registered may fill only half of the dialog table, so a flood that reaches
        call control cannot crowd out the trunks."""
        p = self.config.protection
        limits = AdmissionLimits(
            p.max_dialogs, p.max_setups, p.max_loop_lag_s, p.min_pool_free, p.busy_setups
        )
        load = CallLoad(
            dialogs=len(self._sessions),
            setups=len(self._incoming),
            loop_lag_s=self.loop_lag.current(self.now()),
            pool_free=self.pool_free() if self.pool_free is not None else None,
            known_source=self.protector.is_known(source.host),
        )
        return refusal(limits, load)

    def _answer_options(self, event: RequestReceived) -> None:
        s = self.endpoint.settings
        response = make_response(
            event.request,
            200,
            to_tag=event.request.to.tag or new_tag(),
            extra=[
                ("Allow", ", ".join(s.allowed_methods)),
                ("Accept", "application/sdp"),
                ("Supported", ", ".join(s.supported)),
            ],
        )
        self.respond_stateless(event.transaction, response)

    async def _new_call(self, event: RequestReceived) -> None:
        request = event.request
        txn = event.transaction
        assert isinstance(txn, ServerInviteTransaction)
        trunk = identify_trunk(self.trunks, event.source)
        user: str | None = None
        if trunk is None and self.config.authenticate_invites:
            user = await self.registration.authenticate(event)
            if user is None:
                return  # challenged or refused
            # A provider that authenticates rather than sending from known addresses.
            trunk = next((t for t in self.trunks if t.inbound_username == user), None)
        offer: SessionDescription | None = None
        if request.body:
            try:
                offer = parse_sdp(request.body)
                if self.config.srtp == "off":
                    offer = strip_crypto(offer)
            except SdpError as exc:
                self.respond(
                    txn,
                    make_response(request, 400, f"Bad SDP: {exc.message}"[:80], to_tag=new_tag()),
                )
                return
        replaces = None
        replaces_value = request.headers.get("replaces")
        if replaces_value:
            try:
                replaces = parse_replaces(replaces_value)
            except SipParseError:
                self.respond(txn, make_response(request, 400, "Bad Replaces", to_tag=new_tag()))
                return
            if self.find_replaced(replaces) is None:
                self.respond(txn, make_response(request, 481, to_tag=new_tag()))
                return
        call = IncomingCall(
            self,
            txn,
            event.source,
            trunk=trunk,
            user=user,
            did=did_of(request, trunk),
            caller_id=caller_id_of(request),
            offer=offer,
            replaces=replaces,
        )
        self.counters["calls_in"] += 1
        self._incoming[txn] = call
        if self.on_call is None:
            await call.reject(480)
            return
        try:
            await self.on_call(call)
        except CallFailed:
            pass  # the caller cancelled while call control was deciding
        except Exception:
            # Call control failed: do not leave the caller ringing until its Timer B.
            log.exception("call handler failed for %s", call.call_id)
            await call.reject(500, "Server Internal Error")

    def find_replaced(self, replaces: Replaces) -> CallSession | None:
        """The session a Replaces header names: its to-tag is our local tag (RFC 3891 §3)."""
        return self._sessions.get((replaces.call_id, replaces.to_tag, replaces.from_tag))

    def outgoing_sdp(self, call: IncomingCall, sdp: SessionDescription) -> SessionDescription:
        """What we send in a 183/200: an answer as built; an offer (the INVITE had none) with
        SRTP keys only for a phone over TLS."""
        if call.offer is not None:
            return sdp
        encrypt = (
            self.config.srtp == "tls" and call.trunk is None and call.source.transport == "tls"
        )
        return wire_offer(sdp, encrypt=encrypt)

    def answer_call(
        self, call: IncomingCall, sdp: SessionDescription, media: NegotiatedMedia | None
    ) -> CallSession:
        sdp = self.outgoing_sdp(call, sdp)
        contact = self.contact_for(call.source)
        response = make_response(
            call.request,
            200,
            to_tag=call.to_tag,
            extra=[
                ("Contact", contact),
                ("Allow", ", ".join(self.endpoint.settings.allowed_methods)),
            ],
            body=bytes(sdp),
            content_type="application/sdp",
        )
        dialog = Dialog.from_uas(call.request, response, contact, call.source.transport)
        if media is None and call.offer is not None:
            media = self.negotiate_answer_as_uas(call.offer, sdp)
        session = CallSession(
            self, dialog, local_sdp=sdp, remote_sdp=call.offer, media=media, flow=call.source
        )
        self._sessions[dialog.id] = session
        self._answered[call.transaction] = session
        self._incoming.pop(call.transaction, None)
        self.respond(call.transaction, response)
        return session

    def _forget_session(self, session: CallSession) -> None:
        if self._sessions.get(session.id) is session:
            del self._sessions[session.id]

    def _session_destination(self, session: CallSession) -> Address:
        # Send where the peer's messages come from (NAT, TCP connection reuse) unless a
        # proxy put itself in the route set.
        flow = session.flow
        if (
            flow is not None
            and not session.dialog.route_set
            and (flow.transport == "udp" or self.streams.has_connection(flow))
        ):
            return flow
        return session.dialog.destination()

    async def end_dialog(self, snapshot: Mapping[str, object], *, q850_cause: int = 41) -> int:
        """BYE a dialog a previous run left up (`CallSession.snapshot`); see `leftover.py`."""
        return await end_leftover_dialog(
            self, snapshot, q850_cause=q850_cause, timeout_s=self.config.in_dialog_timeout_s
        )

    async def send_in_dialog(self, session: CallSession, request: Request) -> Response:
        invite = request.method == "INVITE"
        response, _ = await asyncio.wait_for(
            self.request(
                request,
                self._session_destination(session),
                on_late_2xx=self._reack if invite else None,
            ),
            self.config.in_dialog_timeout_s,
        )
        if invite and 200 <= response.status < 300:
            # RFC 3261 §13.2.2.4: a 2xx to a re-INVITE is acknowledged by the UA core, like the
            # initial INVITE's; without it the phone retransmits its 200 and drops the call.
            ack = session.dialog.create_ack(request.cseq.number)
            self.endpoint.send_ack(ack, self._session_destination(session))
            self._pump()
        if response.status in (408, 481) and request.method != "BYE":
            session._post(RemoteHangup("dialog gone", response.status))
            session._end(f"{response.status} on {request.method}")
        return response

    @staticmethod
    def parse_body_sdp(msg: Message) -> SessionDescription | None:
        if not msg.body or msg.content_type != "application/sdp":
            return None
        try:
            return parse_sdp(msg.body)
        except SdpError:
            return None

    @staticmethod
    def negotiate_answer(
        offer: SessionDescription, answer: SessionDescription
    ) -> NegotiatedMedia | None:
        try:
            return accept_answer(offer, answer)
        except SdpNegotiationFailed:
            return None

    @staticmethod
    def negotiate_answer_as_uas(
        offer: SessionDescription, answer: SessionDescription
    ) -> NegotiatedMedia | None:
        """Media as we (UAS) agreed it: read our answer against their offer."""
        try:
            theirs = accept_answer(answer, offer)
        except SdpNegotiationFailed:
            return None
        return theirs

    # --- outgoing calls ---

    async def invite(
        self,
        target: str,
        *,
        sdp: SessionDescription,
        caller_id: CallerId | None = None,
        trunk: Trunk | str | None = None,
        transport: str | None = None,
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> OutgoingCall:
        """Call `target`: an extension/AOR of a registered phone ("1001"), a SIP URI, or a
        number out of `trunk`. Returns at once; `await call.wait()` for the session."""
        return await self.originator.invite(
            target,
            sdp=sdp,
            caller_id=caller_id,
            trunk=trunk,
            transport=transport,
            extra_headers=extra_headers,
        )

    async def options(self, destination: Address, uri: str | None = None) -> Response:
        """An out-of-dialog OPTIONS ping (qualify, trunk health)."""
        local = self.endpoint.local.get(destination.transport) or next(
            iter(self.endpoint.local.values())
        )
        target = parse_uri(uri or f"sip:{destination.host}:{destination.port}")
        headers = Headers()
        headers.add("From", f"<sip:hotline@{local.host}>;tag={new_tag()}")
        headers.add("To", f"<{target}>")
        headers.add("Call-ID", new_call_id(local.host))
        headers.add("CSeq", "1 OPTIONS")
        headers.add("Content-Length", "0")
        response, _ = await self.request(Request("OPTIONS", target, headers), destination)
        return response

    # --- trunks at runtime ---

    def set_trunks(self, trunks: tuple[Trunk, ...]) -> None:
        """Replace the trunk list (configured and stored trunks alike): inbound calls are
        identified against it at once, and registration starts or stops to follow it. A new
        trunk's addresses are trusted (ADR 0101); a removed one's stay so until restart."""
        self.trunks = trunks
        self.protector.trust(trunk_hosts(trunks))
        if self.local:  # started: otherwise `start()` applies them
            self.trunk_registrations.apply(trunks)

    def trunk_status(self, tenant_id: str | None = None) -> list[TrunkStatus]:
        return self.trunk_registrations.status(tenant_id)

    async def test_trunk(self, trunk: Trunk) -> TrunkProbe:
        """A registration attempt (or an OPTIONS ping when it does not register)."""
        return await self.trunk_registrations.test(trunk)

    # --- periodic work ---

    async def _measure_lag(self, interval: float = 0.05) -> None:
        while True:
            self.loop_lag.expect(self.now() + interval)
            await asyncio.sleep(interval)
            self.loop_lag.ran(self.now())

    async def _maintenance(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.registration.tick()
            self.protector.sweep(self.now())
            self._protection_events()

    # --- bans, for the admin API ---

    def bans(self) -> list[tuple[str, float, float, str]]:
        """Active bans as (source, since, until, reason), times on the wall clock."""
        return self.protection_events.bans()

    def lift_ban(self, source: str, *, by: str | None = None) -> bool:
        """Unban `source` (an admin's decision, recorded as `sip.source_unbanned`)."""
        return self.protection_events.lift(source, by)

    @property
    def sessions(self) -> list[CallSession]:
        return list(self._sessions.values())

    # --- registrar queries and the toll-fraud guard, for call control ---

    def contacts(self, aor: str) -> list[Binding]:
        """Live bindings of an extension, best first; `binding.reachable` from qualify."""
        return self.registration.contacts(aor)

    def acquire_outbound(
        self, policy: OutboundPolicy, tenant_id: str, role: str, number: str
    ) -> OutboundPermit:
        """Ask the toll-fraud policy before dialing out; a refusal is counted and emitted
        as `sip.outbound_denied` before `OutboundDenied`/`OutboundCapReached` propagates."""
        try:
            return policy.acquire(tenant_id, role, number)
        except (OutboundDenied, OutboundCapReached) as exc:
            self.counters["outbound_denied"] = self.counters.get("outbound_denied", 0) + 1
            self.sink.emit(
                OutboundDeniedEvent(
                    tenant_id=tenant_id, at=self.clock.now(), destination=number, role=role,
                    reason=exc.message,
                )
            )  # fmt: skip
            raise
