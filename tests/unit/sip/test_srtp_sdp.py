"""SDES (RFC 4568) in SDP and offer/answer: a=crypto lines, RTP/SAVP, what goes on the wire."""

from __future__ import annotations

import base64

import pytest

from hotline.sip.errors import SdpError, SdpNegotiationFailed
from hotline.sip.offeranswer import accept_answer, make_answer, make_offer, wire_offer
from hotline.sip.sdp import Crypto, parse_sdp

OURS = bytes(range(30))
THEIRS = bytes(range(100, 130))
BARESIP_OFFER = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/SAVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
    "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:{key}\r\na=sendrecv\r\n"
)


def offer(proto: str = "RTP/SAVP", crypto: str | None = None) -> bytes:
    key = base64.b64encode(THEIRS).decode()
    text = BARESIP_OFFER.format(key=key).replace("RTP/SAVP", proto)
    if crypto is not None:
        text = text.replace(f"a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:{key}", crypto)
    return text.encode()


def test_crypto_line_round_trips_and_flags_what_we_cannot_use() -> None:
    line = f"1 AES_CM_128_HMAC_SHA1_80 inline:{base64.b64encode(OURS).decode()}"
    crypto = Crypto.parse(line)
    assert (crypto.tag, crypto.suite, crypto.key, crypto.usable) == (
        1, "AES_CM_128_HMAC_SHA1_80", OURS, True
    )  # fmt: skip
    assert str(crypto) == line
    key = base64.b64encode(OURS).decode()
    assert not Crypto.parse(f"2 AES_CM_128_HMAC_SHA1_80 inline:{key}|2^20|1:4").usable  # MKI
    assert not Crypto.parse(f"3 F8_128_HMAC_SHA1_80 inline:{key}").usable
    assert not Crypto.parse(f"4 AES_CM_128_HMAC_SHA1_32 inline:{key} UNENCRYPTED_SRTP").usable
    for bad in ("x AES inline:a", "1 AES_CM_128_HMAC_SHA1_80 uri:x", "1 S inline:***"):
        with pytest.raises(SdpError):
            Crypto.parse(bad)


def test_answer_to_a_secure_offer_returns_our_key_under_their_tag() -> None:
    sdp = parse_sdp(offer())
    answer, negotiated = make_answer(sdp, "127.0.0.1", 5000, session_id=1, srtp_key=OURS)
    (m,) = answer.media
    assert m.proto == "RTP/SAVP"
    (crypto,) = m.crypto
    assert (crypto.tag, crypto.key) == (7, OURS)
    assert negotiated.srtp is not None
    assert (negotiated.srtp.local_key, negotiated.srtp.remote_key) == (OURS, THEIRS)
    assert str(OURS) not in repr(negotiated)


def test_a_secure_offer_without_a_usable_key_is_refused() -> None:
    with pytest.raises(SdpNegotiationFailed):
        make_answer(parse_sdp(offer()), "127.0.0.1", 5000, session_id=1)  # no SRTP here
    with pytest.raises(SdpNegotiationFailed):
        make_answer(parse_sdp(offer(crypto="a=sendrecv")), "127.0.0.1", 5000, session_id=1,
                    srtp_key=OURS)  # fmt: skip


def test_best_effort_offer_gets_srtp_and_a_plain_one_does_not() -> None:
    _, negotiated = make_answer(
        parse_sdp(offer("RTP/AVP")), "127.0.0.1", 5000, session_id=1, srtp_key=OURS
    )
    assert negotiated.srtp is not None
    answer, negotiated = make_answer(
        parse_sdp(offer("RTP/AVP", crypto="a=sendrecv")), "127.0.0.1", 5000, session_id=1,
        srtp_key=OURS,
    )  # fmt: skip
    assert negotiated.srtp is None
    assert answer.media[0].crypto == []


def test_wire_offer_sends_keys_only_when_encrypting() -> None:
    ours = make_offer("127.0.0.1", 5000, session_id=1, srtp_key=OURS)
    assert ours.media[0].proto == "RTP/AVP"
    secure = wire_offer(ours, encrypt=True)
    assert secure.media[0].proto == "RTP/SAVP"
    assert [c.key for c in secure.media[0].crypto] == [OURS]
    clear = wire_offer(ours, encrypt=False)
    assert clear.media[0].proto == "RTP/AVP"
    assert b"crypto" not in bytes(clear)


def test_accept_answer_reads_their_key_and_requires_one_for_savp() -> None:
    ours = wire_offer(make_offer("127.0.0.1", 5000, session_id=1, srtp_key=OURS), encrypt=True)
    key = base64.b64encode(THEIRS).decode()
    answer = parse_sdp(offer(crypto=f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{key}"))
    negotiated = accept_answer(ours, answer)
    assert negotiated.srtp is not None
    assert (negotiated.srtp.local_key, negotiated.srtp.remote_key) == (OURS, THEIRS)
    with pytest.raises(SdpNegotiationFailed):
        accept_answer(ours, parse_sdp(offer(crypto="a=sendrecv")))
    with pytest.raises(SdpNegotiationFailed):  # a tag we never offered
        accept_answer(ours, parse_sdp(offer()))
