"""In-dialog requests for `SipService`: BYE, re-INVITE, INFO, REFER, NOTIFY, OPTIONS.

Checks each request against its dialog (RFC 3261 §12.2.2), answers it and posts the matching
session event; re-INVITE offers go to the session's offer handler (RFC 3264 §8).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from hotline.sip.construct import make_response
from hotline.sip.dtmf import parse_dtmf_info
from hotline.sip.endpoint import RequestReceived
from hotline.sip.errors import SdpError, SdpNegotiationFailed, SipParseError
from hotline.sip.offeranswer import make_answer, strip_crypto
from hotline.sip.refer import parse_refer_to
from hotline.sip.sdp import SessionDescription, parse_sdp
from hotline.sip.server_transaction import ServerInviteTransaction
from hotline.sip.transport.calls import (
    CallSession,
    DtmfReceived,
    MediaChanged,
    RemoteHangup,
    TransferProgress,
    TransferRequested,
)

if TYPE_CHECKING:
    from hotline.sip.transport.service import SipService

__all__ = ["InDialogHandler"]


class InDialogHandler:
    def __init__(self, service: SipService) -> None:
        self.service = service

    def handle(self, event: RequestReceived) -> None:
        request = event.request
        txn = event.transaction
        key = (request.call_id, request.to.tag or "", request.from_.tag or "")
        session = self.service._sessions.get(key)
        if session is None:
            if request.method == "OPTIONS":
                self.service._answer_options(event)
            else:  # stateless: a flood of made-up in-dialog requests holds nothing
                self.service.respond_stateless(txn, make_response(request, 481))
            return
        error = session.dialog.check_request(request)
        if error is not None:
            self.service.respond(txn, make_response(request, error, "CSeq out of order"))
            return
        method = request.method
        if method == "BYE":
            self.service.respond(txn, make_response(request, 200))
            session._post(RemoteHangup(request.headers.get("reason")))
            session._end("remote hangup")
        elif method == "INVITE":
            if session.reinvite_pending:
                self.service.respond(txn, make_response(request, 491))
            else:
                self.service._spawn(self._reinvite(session, event))
        elif method == "INFO":
            self.service.respond(txn, make_response(request, 200))
            info = parse_dtmf_info(request.content_type, request.body)
            if info is not None:
                session._post(DtmfReceived(info.digit, info.duration_ms))
        elif method == "REFER":
            self._refer(session, event)
        elif method == "NOTIFY":
            self._notify(session, event)
        elif method == "OPTIONS":
            self.service._answer_options(event)
        else:
            self.service.respond(txn, make_response(request, 405, extra=[("Allow", "INVITE, BYE")]))

    async def _reinvite(self, session: CallSession, event: RequestReceived) -> None:
        request = event.request
        offer: SessionDescription | None = None
        if request.body:
            try:
                offer = parse_sdp(request.body)
                if self.service.config.srtp == "off":
                    offer = strip_crypto(offer)
            except SdpError:
                self.service.respond(event.transaction, make_response(request, 488))
                return
        try:
            if session.offer_handler is not None:
                answer = await session.offer_handler(offer)
            else:
                answer = self._default_answer(session, offer)
        except SdpNegotiationFailed:
            self.service.respond(event.transaction, make_response(request, 488))
            return
        response = make_response(
            request,
            200,
            extra=[("Contact", session.dialog.local_contact)],
            body=bytes(answer),
            content_type="application/sdp",
        )
        media = None
        if offer is not None:
            session.remote_sdp = offer
            with contextlib.suppress(SdpNegotiationFailed):
                media = self.service.negotiate_answer_as_uas(offer, answer)
            session.media = media or session.media
        session.local_sdp = answer
        assert isinstance(event.transaction, ServerInviteTransaction)
        self.service.respond(event.transaction, response)
        session._post(MediaChanged(offer, answer, media))

    def _default_answer(
        self, session: CallSession, offer: SessionDescription | None
    ) -> SessionDescription:
        """Without an offer handler, keep our address/port and codecs, follow the direction."""
        local = session.local_sdp
        if local is None or offer is None:
            return local or SessionDescription()
        audio = local.audio()
        address = local.connection_for(audio) if audio else None
        if audio is None or address is None:
            raise SdpNegotiationFailed("no local audio to answer with")
        # Our key stays the same across re-INVITEs (RFC 4568 §7.1.4 allows keeping it).
        keys = [c.key for c in audio.crypto if c.usable]
        answer, _ = make_answer(
            offer,
            address,
            audio.port,
            session_id=local.origin.session_id,
            version=local.origin.session_version + 1,
            codecs=audio.codecs[:1] + [c for c in audio.codecs[1:] if c.name != "telephone-event"],
            srtp_key=keys[0] if keys else None,
        )
        return answer

    def _refer(self, session: CallSession, event: RequestReceived) -> None:
        request = event.request
        value = request.headers.get("refer-to")
        if value is None or len(request.headers.get_all("refer-to")) != 1:
            self.service.respond(
                event.transaction, make_response(request, 400, "One Refer-To needed")
            )
            return
        try:
            target = parse_refer_to(value)
        except SipParseError:
            self.service.respond(event.transaction, make_response(request, 400, "Bad Refer-To"))
            return
        self.service.respond(event.transaction, make_response(request, 202))
        session.refer_subscription = True
        session._post(TransferRequested(target, request.headers.get("referred-by")))
        self.service._spawn(session.notify_transfer(100))

    def _notify(self, session: CallSession, event: RequestReceived) -> None:
        request = event.request
        self.service.respond(event.transaction, make_response(request, 200))
        if (request.headers.get("event") or "").split(";", 1)[0].strip().lower() != "refer":
            return
        text = request.body.decode("utf-8", "replace").split("\r\n", 1)[0].split(" ")
        if len(text) >= 2 and text[1].isdigit():
            state = (request.headers.get("subscription-state") or "").lower()
            session._post(TransferProgress(int(text[1]), state.startswith("terminated")))

    # --- in-dialog requests from call control ---
