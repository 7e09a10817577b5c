"""SDP parsing (RFC 4566) and offer/answer (RFC 3264)."""

from __future__ import annotations

import pytest

from hotline.sip.errors import SdpError, SdpNegotiationFailed
from hotline.sip.offeranswer import (
    PCMA,
    PCMU,
    accept_answer,
    make_answer,
    make_offer,
    with_direction,
)
from hotline.sip.sdp import Codec, Direction, parse_sdp

BARESIP_OFFER = (
    b"v=0\r\n"
    b"o=- 3847223 2836718 IN IP4 127.0.0.1\r\n"
    b"s=-\r\n"
    b"c=IN IP4 127.0.0.1\r\n"
    b"b=AS:64\r\n"
    b"t=0 0\r\n"
    b"a=tool:baresip 1.0.0\r\n"
    b"m=audio 10042 RTP/AVP 9 0 8 101\r\n"
    b"b=TIAS:64000\r\n"
    b"a=rtpmap:9 G722/8000\r\n"
    b"a=rtpmap:0 PCMU/8000\r\n"
    b"a=rtpmap:8 PCMA/8000\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\n"
    b"a=fmtp:101 0-15\r\n"
    b"a=sendrecv\r\n"
    b"a=label:1\r\n"
    b"a=ptime:20\r\n"
)


def test_parse_and_round_trip() -> None:
    sdp = parse_sdp(BARESIP_OFFER)
    assert sdp.origin.session_id == 3847223
    assert sdp.connection == "127.0.0.1"
    audio = sdp.audio()
    assert audio is not None
    assert audio.port == 10042
    assert [c.name for c in audio.codecs] == ["G722", "PCMU", "PCMA", "telephone-event"]
    assert audio.codecs[3].fmtp == "0-15"
    assert audio.direction is Direction.SENDRECV
    assert audio.ptime == 20
    assert bytes(sdp) == BARESIP_OFFER


def test_static_payload_without_rtpmap() -> None:
    sdp = parse_sdp(
        b"v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\n"
        b"t=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\n"
    )
    audio = sdp.audio()
    assert audio is not None
    assert audio.codecs == [Codec(0, "PCMU", 8000)]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"x=0\r\n",
        b"v=0\r\ns=-\r\n",
        b"v=0\r\no=- 1 1 IN IP4 a\r\nm=audio x RTP/AVP 0\r\n",
        b"v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP9 a\r\n",
        b"v=0\r\nbad\r\n",
        b"\xff\xfe",
    ],
)
def test_bad_descriptions(data: bytes) -> None:
    with pytest.raises(SdpError):
        parse_sdp(data)


def test_answer_picks_first_offered_codec_we_support_and_keeps_telephone_event() -> None:
    answer, media = make_answer(parse_sdp(BARESIP_OFFER), "127.0.0.1", 30000, session_id=7)
    assert media.codec == PCMU
    assert media.telephone_event == 101
    assert (media.remote_address, media.remote_port) == ("127.0.0.1", 10042)
    audio = answer.audio()
    assert audio is not None
    assert audio.formats == ("0", "8", "101")
    assert audio.port == 30000
    # Our answer is itself valid SDP that round-trips.
    assert parse_sdp(bytes(answer)) == answer


def test_answer_rejects_other_streams_with_port_zero() -> None:
    offer = BARESIP_OFFER + b"m=video 10044 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
    answer, _ = make_answer(parse_sdp(offer), "127.0.0.1", 30000, session_id=7)
    assert [(m.media, m.port) for m in answer.media] == [("audio", 30000), ("video", 0)]


def test_nothing_acceptable_is_488() -> None:
    offer = BARESIP_OFFER.replace(b"RTP/AVP 9 0 8 101", b"RTP/AVP 9")
    with pytest.raises(SdpNegotiationFailed) as info:
        make_answer(parse_sdp(offer), "127.0.0.1", 30000, session_id=7)
    assert info.value.status_hint == 488
    zero = BARESIP_OFFER.replace(b"m=audio 10042", b"m=audio 0")
    with pytest.raises(SdpNegotiationFailed):
        make_answer(parse_sdp(zero), "127.0.0.1", 30000, session_id=7)


@pytest.mark.parametrize(
    ("offered", "answered"),
    [
        (b"sendonly", Direction.RECVONLY),
        (b"recvonly", Direction.SENDONLY),
        (b"inactive", Direction.INACTIVE),
        (b"sendrecv", Direction.SENDRECV),
    ],
)
def test_hold_directions(offered: bytes, answered: Direction) -> None:
    offer = parse_sdp(BARESIP_OFFER.replace(b"a=sendrecv", b"a=" + offered))
    answer, media = make_answer(offer, "127.0.0.1", 30000, session_id=7)
    assert media.direction is answered
    audio = answer.audio()
    assert audio is not None
    assert audio.direction is answered


def test_legacy_hold_with_zero_address() -> None:
    offer = parse_sdp(BARESIP_OFFER.replace(b"c=IN IP4 127.0.0.1", b"c=IN IP4 0.0.0.0"))
    _, media = make_answer(offer, "127.0.0.1", 30000, session_id=7)
    assert media.on_hold


def test_offer_hold_resume_and_accept_answer() -> None:
    offer = make_offer("127.0.0.1", 30000, session_id=99, codecs=(PCMA, PCMU))
    audio = offer.audio()
    assert audio is not None
    assert audio.formats == ("8", "0", "101")
    held = with_direction(offer, Direction.SENDONLY)
    assert held.origin.session_version == 2
    held_audio = held.audio()
    assert held_audio is not None
    assert held_audio.direction is Direction.SENDONLY
    resumed = with_direction(held, Direction.SENDRECV)
    assert resumed.origin.session_version == 3
    answer, _ = make_answer(held, "127.0.0.2", 40000, session_id=5)
    media = accept_answer(held, answer)
    assert media.codec == PCMA
    assert media.direction is Direction.SENDONLY
    assert (media.remote_address, media.remote_port) == ("127.0.0.2", 40000)


def test_answer_without_common_codec() -> None:
    offer = make_offer("127.0.0.1", 30000, session_id=1, codecs=(PCMU,))
    answer = parse_sdp(BARESIP_OFFER.replace(b"RTP/AVP 9 0 8 101", b"RTP/AVP 9"))
    with pytest.raises(SdpNegotiationFailed):
        accept_answer(offer, answer)
