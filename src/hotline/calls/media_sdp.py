"""Between the media backend's values and SDP: our offers and answers are built with
`hotline.sip.offeranswer` from an endpoint's `LocalMedia`, and the negotiated result becomes
the `RemoteMedia` the backend applies (RFC 3264; direction per RFC 3264 §6.1). The endpoint's
SRTP key rides along (SDES, RFC 4568): whether it is sent is the SIP layer's decision.
"""

from __future__ import annotations

import secrets

from hotline.media.backend import Direction as MediaDirection
from hotline.media.backend import LocalMedia, RemoteMedia, SrtpParams
from hotline.sip.offeranswer import NegotiatedMedia, make_answer, make_offer
from hotline.sip.sdp import Codec, SessionDescription

__all__ = ["answer_for", "codecs_of", "new_session_id", "offer_for", "remote_media"]


def new_session_id() -> int:
    """An SDP o= session id (RFC 4566 §5.2 suggests an NTP timestamp; random is as unique)."""
    return secrets.randbelow(2**31 - 1) + 1


def codecs_of(local: LocalMedia) -> tuple[list[Codec], Codec]:
    """Our audio codecs in preference order and our telephone-event format."""
    codecs = [Codec(c.payload_type, c.name, c.clock_rate) for c in local.codecs]
    event = Codec(local.telephone_event_pt, "telephone-event", 8000, fmtp="0-16")
    return codecs, event


def offer_for(local: LocalMedia, *, session_id: int) -> SessionDescription:
    codecs, event = codecs_of(local)
    return make_offer(
        local.address,
        local.port,
        session_id=session_id,
        codecs=codecs,
        telephone_event=event,
        ptime=local.ptime_ms,
        srtp_key=local.srtp_key,
    )


def answer_for(
    offer: SessionDescription, local: LocalMedia, *, session_id: int
) -> tuple[SessionDescription, NegotiatedMedia]:
    """Answer a remote offer from our endpoint; raises `SdpNegotiationFailed` (488)."""
    codecs, _ = codecs_of(local)
    return make_answer(
        offer,
        local.address,
        local.port,
        session_id=session_id,
        codecs=codecs,
        ptime=local.ptime_ms,
        srtp_key=local.srtp_key,
    )


def remote_media(negotiated: NegotiatedMedia) -> RemoteMedia:
    """What the backend needs. `NegotiatedMedia.direction` is ours; `RemoteMedia.direction` is
    the remote's attribute, i.e. ours reversed (we hold them: they are `recvonly`)."""
    return RemoteMedia(
        address=negotiated.remote_address,
        port=negotiated.remote_port,
        codec=negotiated.codec.name.upper(),
        payload_type=negotiated.codec.payload_type,
        telephone_event_pt=negotiated.telephone_event,
        ptime_ms=negotiated.ptime,
        direction=MediaDirection(negotiated.direction.reversed().value),
        srtp=(
            SrtpParams(srtp.suite, srtp.local_key, srtp.remote_key)
            if (srtp := negotiated.srtp) is not None
            else None
        ),
    )
