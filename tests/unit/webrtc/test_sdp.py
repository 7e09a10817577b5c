"""The browser offer filter: one audio section with PCMU, usable candidates only, no trickle."""

from __future__ import annotations

import pytest

from hotline.media.webrtc.errors import OfferRejected
from hotline.media.webrtc.sdp import (
    MAX_OFFER_BYTES,
    Candidate,
    candidates,
    parse_candidate,
    prepare_offer,
)

# The shape of a Chromium offer (audio only, after ICE gathering), abridged.
CHROMIUM_OFFER = "\r\n".join([
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0",
    "a=extmap-allow-mixed",
    "a=msid-semantic: WMS 7d2e",
    "m=audio 50123 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
    "c=IN IP4 127.0.0.1",
    "a=rtcp:9 IN IP4 0.0.0.0",
    "a=candidate:1 1 udp 2122260223 127.0.0.1 50123 typ host generation 0 network-id 1",
    "a=candidate:2 1 udp 2122194687 192.168.1.20 50124 typ host generation 0 network-id 2",
    "a=candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0",
    "a=candidate:4 1 udp 2122129151 4b1c9d5e-1f2a-4c6b-9b1e-7a4f0c2d8e11.local 50125 typ host",
    "a=candidate:5 1 udp 2122063615 ::1 50126 typ host generation 0",
    "a=ice-ufrag:Hx2b",
    "a=ice-pwd:Yq4ZtXeFj9mH1m3k0aQx0s7c",
    "a=ice-options:trickle",
    "a=fingerprint:sha-256 0F:7A:62:5B:33:9C:AA:01:5E:9D:4B:6F:2C:71:88:13:0E:3D:CB:1F:94:A5:"
    "6B:2D:7C:E8:50:91:3A:4F:0D:B6",
    "a=setup:actpass",
    "a=mid:0",
    "a=sendrecv",
    "a=msid:7d2e 3c1a",
    "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2",
    "a=rtpmap:63 red/48000/2",
    "a=rtpmap:9 G722/8000",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:13 CN/8000",
    "a=rtpmap:110 telephone-event/48000",
    "a=rtpmap:126 telephone-event/8000",
    "a=ssrc:3345501 cname:abc",
]) + "\r\n"  # fmt: skip


def test_a_candidate_line_parses() -> None:
    assert parse_candidate(
        "a=candidate:1 1 UDP 2122260223 127.0.0.1 50123 typ host generation 0"
    ) == Candidate("1", 1, "udp", 2122260223, "127.0.0.1", 50123, "host")
    assert parse_candidate("candidate:9 1 udp 5 10.0.0.1 7 typ srflx raddr 0.0.0.0 rport 0") == (
        Candidate("9", 1, "udp", 5, "10.0.0.1", 7, "srflx")
    )
    for bad in ("a=candidate:1 1 udp", "a=candidate:1 x udp 1 1.2.3.4 5 typ host",
                "a=candidate:1 1 udp 1 1.2.3.4 5 type host", "a=mid:0"):  # fmt: skip
        assert parse_candidate(bad) is None


def test_a_loopback_gateway_keeps_only_udp_loopback_candidates_and_ends_the_list() -> None:
    prepared = prepare_offer(CHROMIUM_OFFER, host="127.0.0.1")
    assert [c.address for c in candidates(prepared)] == ["127.0.0.1"]
    assert [c.transport for c in candidates(prepared)] == ["udp"]
    assert prepared.count("a=end-of-candidates") == 1
    assert prepared.endswith("a=end-of-candidates\r\n")
    # Everything else is untouched, line for line.
    dropped = {line for line in CHROMIUM_OFFER.split("\r\n") if "candidate:" in line} - {
        line for line in prepared.split("\r\n")
    }
    assert len(dropped) == 4
    kept = [line for line in CHROMIUM_OFFER.split("\r\n") if line and line not in dropped]
    assert prepared.split("\r\n")[:-2] == kept


def test_a_lan_gateway_keeps_lan_candidates_of_its_family_and_never_mdns_names() -> None:
    prepared = prepare_offer(CHROMIUM_OFFER, host="192.168.1.5")
    assert [c.address for c in candidates(prepared)] == ["192.168.1.20"]
    v6 = prepare_offer(CHROMIUM_OFFER.replace("::1", "fd00::20"), host="fd00::1")
    assert [c.address for c in candidates(v6)] == ["fd00::20"]


def test_an_existing_end_of_candidates_is_not_repeated_and_lf_only_offers_are_accepted() -> None:
    offer = CHROMIUM_OFFER.replace("a=ice-ufrag", "a=end-of-candidates\r\na=ice-ufrag")
    prepared = prepare_offer(offer.replace("\r\n", "\n"), host="127.0.0.1")
    assert prepared.count("a=end-of-candidates") == 1
    assert "\n" not in prepared.replace("\r\n", "")


def test_pcmu_is_found_by_static_type_or_by_rtpmap() -> None:
    static = CHROMIUM_OFFER.replace("a=rtpmap:0 PCMU/8000\r\n", "")
    assert prepare_offer(static, host="127.0.0.1")
    dynamic = CHROMIUM_OFFER.replace(" 9 0 8 ", " 9 97 8 ").replace(
        "a=rtpmap:0 PCMU/8000", "a=rtpmap:97 pcmu/8000"
    )
    assert prepare_offer(dynamic, host="127.0.0.1")


@pytest.mark.parametrize(
    ("change", "code", "names"),
    [
        (lambda o: o.replace(" 9 0 8 ", " 9 8 ").replace("a=rtpmap:0 PCMU/8000\r\n", ""),
         "webrtc.offer.rejected", "PCMU"),
        (lambda o: o.replace("192.168.1.20", "10.0.0.9").replace("127.0.0.1 50123", "10.0.0.8 1"),
         "webrtc.offer.no_candidates", "127.0.0.1"),
        (lambda o: o + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n",
         "webrtc.offer.rejected", "video"),
        (lambda o: o.split("m=audio")[0], "webrtc.offer.rejected", "none"),
        (lambda o: o.replace("a=fingerprint", "a=x-fingerprint"), "webrtc.offer.rejected",
         "fingerprint"),
        (lambda o: o.replace("a=ice-pwd", "a=x-ice-pwd"), "webrtc.offer.rejected", "ice-pwd"),
        (lambda o: o.replace("v=0", "x=0"), "webrtc.offer.rejected", "v="),
        (lambda o: "", "webrtc.offer.rejected", "no SDP"),
        (lambda o: o + "a=x:" + "y" * MAX_OFFER_BYTES + "\r\n", "webrtc.offer.rejected", "larger"),
    ],
    ids=["no-pcmu", "no-loopback", "video", "no-media", "no-fingerprint", "no-ice-pwd",
         "not-sdp", "empty", "huge"],
)  # fmt: skip
def test_unusable_offers_are_rejected_with_a_reason(change: object, code: str, names: str) -> None:
    assert callable(change)
    with pytest.raises(OfferRejected) as caught:
        prepare_offer(change(CHROMIUM_OFFER), host="127.0.0.1")
    assert caught.value.code == code
    assert names in caught.value.message
    assert caught.value.details["field"] == "sdp"


def test_an_offer_that_is_not_text_is_rejected() -> None:
    with pytest.raises(OfferRejected):
        prepare_offer(None, host="127.0.0.1")  # type: ignore[arg-type]
