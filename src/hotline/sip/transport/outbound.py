"""Outgoing calls for `SipService`: target resolution (registered extension, SIP URI, trunk),
the INVITE client flow with trunk authentication, ACK of the 2xx and CANCEL (RFC 3261 §13.2,
§9.1, §22.2).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotline.sip.address import Address, address_for_uri
from hotline.sip.auth import authorization_header
from hotline.sip.construct import new_call_id, new_tag
from hotline.sip.dialog import Dialog
from hotline.sip.headers import Headers, NameAddr
from hotline.sip.message import Request, Response
from hotline.sip.offeranswer import restrict_codecs, wire_offer
from hotline.sip.sdp import SessionDescription
from hotline.sip.transaction import ClientInviteTransaction
from hotline.sip.transport.calls import CallFailed, CallSession, OutgoingCall, Progress
from hotline.sip.trunk import CallerId, Trunk
from hotline.sip.uri import SipUri, parse_uri

if TYPE_CHECKING:
    from hotline.sip.transport.service import SipService

__all__ = ["Originator", "ResponseWaiter"]


@dataclass(slots=True)
class ResponseWaiter:
    """Who waits for a client transaction's responses."""

    future: asyncio.Future[Response]
    on_provisional: Callable[[Response], None] | None = None
    on_late_2xx: Callable[[Response], None] | None = None


class Originator:
    def __init__(self, service: SipService) -> None:
        self.service = service

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
        if isinstance(trunk, str):
            found = [t for t in self.service.trunks if t.name == trunk]
            if not found:
                raise CallFailed(404, f"no trunk {trunk}")
            trunk = found[0]
        uri, destination, to_value = self._resolve_target(target, trunk, transport)
        # SRTP keys go only to phones over TLS; everyone else gets the offer without them.
        encrypt = (
            self.service.config.srtp == "tls" and trunk is None and destination.transport == "tls"
        )
        sdp = wire_offer(sdp, encrypt=encrypt)
        if trunk is not None:  # only the codecs the carrier takes, in its order
            sdp = restrict_codecs(sdp, trunk.codecs)
        local = self.service.endpoint.local.get(destination.transport) or next(
            iter(self.service.endpoint.local.values())
        )
        from_host = (trunk.from_domain if trunk else None) or local.host
        number = (caller_id.number if caller_id else None) or "hotline"
        from_user = trunk.username if trunk and trunk.username and not caller_id else number
        display = caller_id.display if caller_id else None
        from_addr = NameAddr(parse_uri(f"sip:{from_user}@{from_host}"), display)
        headers = Headers()
        headers.add("From", str(from_addr.with_param("tag", new_tag())))
        headers.add("To", to_value)
        headers.add("Call-ID", new_call_id(local.host))
        headers.add("CSeq", "1 INVITE")
        headers.add("Contact", self.service.contact_for(destination))
        headers.add("Allow", ", ".join(self.service.endpoint.settings.allowed_methods))
        headers.add("Supported", ", ".join(self.service.endpoint.settings.supported))
        if caller_id is not None and caller_id.number:
            headers.add("P-Asserted-Identity", f"<sip:{caller_id.number}@{from_host}>")
        for name, value in extra_headers:
            headers.add(name, value)
        request = Request("INVITE", uri, headers)
        request.set_body(bytes(sdp), "application/sdp")
        call = OutgoingCall(request, destination, trunk)
        self.service.counters["calls_out"] += 1
        self.service._spawn(self._run_invite(call, sdp))
        return call

    def _resolve_target(
        self, target: str, trunk: Trunk | None, transport: str | None
    ) -> tuple[SipUri, Address, str]:
        if trunk is not None:
            host = trunk.host if trunk.port == 5060 else f"{trunk.host}:{trunk.port}"
            uri = parse_uri(f"sip:{target}@{host}")
            assert isinstance(uri, SipUri)
            return uri, trunk.address, f"<{uri}>"
        if ":" not in target:
            bindings = self.service.registration.registrar.contacts(target, self.service.now())
            if not bindings:
                raise CallFailed(480, f"{target} is not registered")
            binding = bindings[0]
            contact = parse_uri(binding.contact)
            assert isinstance(contact, SipUri)
            if "@" in target:  # "1001@east.example.com": a tenant's own domain (ADR 0141)
                return contact, binding.source, f"<sip:{target}>"
            local = self.service.endpoint.local.get(binding.source.transport)
            host = local.host if local else self.service.config.host
            return contact, binding.source, f"<sip:{target}@{host}>"
        uri = parse_uri(target)
        if not isinstance(uri, SipUri):
            raise CallFailed(416, f"cannot call {target}")
        return uri, address_for_uri(uri, transport or "udp"), f"<{uri.without_params()}>"

    async def _run_invite(self, call: OutgoingCall, offer: SessionDescription) -> None:
        request = call.request
        txn_box: list[ClientInviteTransaction] = []

        def provisional(response: Response) -> None:
            sdp = self.service.parse_body_sdp(response)
            if sdp is not None:
                call.early_sdp = sdp
            call._progress_event(Progress(response.status, response.reason, sdp))

        def cancel() -> None:
            if txn_box:
                self.service.endpoint.cancel(txn_box[0], self.service.now())
                self.service._pump()

        def late_2xx(response: Response) -> None:
            self.service._reack(response)

        call.cancel_hook = cancel
        trunk = call.trunk
        attempts = 0
        while True:
            attempts += 1
            txn = self.service.endpoint.send_request(request, call.destination, self.service.now())
            assert isinstance(txn, ClientInviteTransaction)
            txn_box[:] = [txn]
            future: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
            self.service._waiters[txn] = ResponseWaiter(future, provisional, late_2xx)
            self.service._pump()
            if call.cancel_requested:
                cancel()
            try:
                response = await future
            except CallFailed as exc:
                call._failed(exc.status, exc.reason)
                return
            if (
                response.status in (401, 407)
                and attempts == 1
                and trunk is not None
                and trunk.username
                and trunk.password
                and not call.cancel_requested
            ):
                retry = self._authenticated_retry(request, response, trunk)
                if retry is not None:
                    request = retry
                    call.request = retry
                    continue
            break
        if response.status >= 300:
            call._failed(response.status, response.reason)
            return
        contact = self.service.contact_for(call.destination)
        dialog = Dialog.from_uac(request, response, contact, call.destination.transport)
        answer = self.service.parse_body_sdp(response)
        session = CallSession(
            self.service,
            dialog,
            local_sdp=offer,
            remote_sdp=answer,
            media=self.service.negotiate_answer(offer, answer) if answer else None,
            flow=call.destination,
        )
        session.confirmed.set()
        self.service._sessions[dialog.id] = session
        self.service.endpoint.send_ack(
            dialog.create_ack(request.cseq.number), self.service._session_destination(session)
        )
        self.service._pump()
        if call.cancel_requested:
            # 2xx crossed our CANCEL: ACK it and hang up (RFC 3261 §9.1).
            await session.hangup(q850_cause=16)
            call._failed(487, "cancelled")
            return
        call._succeeded(session)

    def _authenticated_retry(
        self, request: Request, response: Response, trunk: Trunk
    ) -> Request | None:

        header = "WWW-Authenticate" if response.status == 401 else "Proxy-Authenticate"
        name = "Authorization" if response.status == 401 else "Proxy-Authorization"
        assert trunk.username is not None
        assert trunk.password is not None
        for challenge in response.headers.get_all(header):
            value = authorization_header(
                challenge, method="INVITE", uri=str(request.uri),
                username=trunk.username, password=trunk.password,
            )  # fmt: skip
            if value is not None:
                retry = Request("INVITE", request.uri, request.headers.copy(), request.body)
                retry.headers.remove("via")
                retry.headers.add(name, value)
                retry.headers.set("CSeq", f"{request.cseq.number + 1} INVITE")
                retry.changed()
                return retry
        return None
