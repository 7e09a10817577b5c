"""The bencode codec and the ng message layer, on replies a real rtpengine 10.5 sent
(tests/data/media/rtpengine/, captured from the Debian daemon)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.media.rtpengine.bencode import BencodeError, decode, encode
from hotline.media.rtpengine.ng import (
    CallStats,
    PacketCounts,
    decode_reply,
    encode_request,
    new_cookie,
)

GOLDEN = Path(__file__).parents[2] / "data" / "media" / "rtpengine"


def test_bencode_values_round_trip() -> None:
    value = {b"command": b"offer", b"flags": [b"trust-address", b"RTP/AVP"], b"n": -42,
             b"nested": {b"a": [1, 0, {b"x": b""}]}}  # fmt: skip
    data = encode(value)
    assert decode(data) == value
    assert encode(decode(data)) == data


def test_encode_sorts_keys_and_takes_text() -> None:
    assert encode({"sdp": "v=0", "command": "offer"}) == b"d7:command5:offer3:sdp3:v=0e"
    assert encode("中") == b"3:\xe4\xb8\xad"
    assert encode([0, -1]) == b"li0ei-1ee"


def test_decode_takes_rtpengines_unsorted_keys() -> None:
    # rtpengine puts "sdp" before "result": BEP 3 would have them sorted.
    assert decode(b"d3:sdp3:v=06:result2:oke") == {b"sdp": b"v=0", b"result": b"ok"}


@pytest.mark.parametrize(
    "data",
    [
        b"", b"i12", b"i01e", b"i-0e", b"i--1e", b"ie", b"ixe", b"5:abc", b"l", b"d3:abc",
        b"di1ei2ee", b"d1:ai1e1:ai2ee", b"x", b"i1ei2e", b"-1:a",
    ],
)  # fmt: skip
def test_decode_refuses_what_is_not_one_value(data: bytes) -> None:
    with pytest.raises(BencodeError):
        decode(data)


def test_decode_refuses_runaway_nesting() -> None:
    with pytest.raises(BencodeError):
        decode(b"l" * 100 + b"e" * 100)


@pytest.mark.parametrize("value", [True, 1.5, None, {"a": 1, b"a": 2}])
def test_encode_refuses_what_bencoding_cannot_carry(value: object) -> None:
    with pytest.raises(BencodeError):
        encode(value)  # type: ignore[arg-type]


def test_a_request_is_a_cookie_a_space_and_a_dictionary() -> None:
    data = encode_request(b"c00k1e", "delete", {"call-id": "abc", "from-tag": "t1"})
    assert data == b"c00k1e d7:call-id3:abc7:command6:delete8:from-tag2:t1e"
    with pytest.raises(ValueError):
        encode_request(b"two words", "ping", {})
    with pytest.raises(ValueError):
        encode_request(b"c", "ping", {"command": "query"})


def test_cookies_are_fresh_words() -> None:
    cookies = {new_cookie() for _ in range(100)}
    assert len(cookies) == 100
    assert all(cookie.isalnum() for cookie in cookies)


def test_an_offers_reply_carries_rtpengines_sdp() -> None:
    cookie, reply = decode_reply((GOLDEN / "ng_offer_reply.bin").read_bytes())
    assert cookie.isalnum()
    assert reply["result"] == "ok"
    sdp = reply["sdp"]
    assert isinstance(sdp, str)
    # The port rtpengine opened to face the callee (the query capture's callee stream).
    assert "c=IN IP4 127.0.0.1\r\n" in sdp
    assert "m=audio 40000 RTP/AVP 0\r\n" in sdp
    assert "a=rtcp:40001\r\n" in sdp


def test_a_querys_reply_reads_as_call_stats() -> None:
    _, reply = decode_reply((GOLDEN / "ng_query_reply.bin").read_bytes())
    stats = CallStats.of(reply)
    # The capture: the caller sent 3 packets, the callee 2, no RTCP.
    assert stats.rtp == PacketCounts(packets=5, bytes=860, errors=0)
    assert stats.rtcp == PacketCounts(packets=0, bytes=0, errors=0)
    assert stats.received_from("caller") == PacketCounts(packets=3, bytes=516, errors=0)
    assert stats.received_from("callee") == PacketCounts(packets=2, bytes=344, errors=0)
    caller_rtp = [s for s in stats.streams if s.tag == "caller" and not s.rtcp]
    assert [(s.local_address, s.local_port) for s in caller_rtp] == [("127.0.0.1", 40020)]
    assert caller_rtp[0].remote == ("127.0.0.1", 55792)
    callee_rtp = [s for s in stats.streams if s.tag == "callee" and not s.rtcp]
    assert [s.local_port for s in callee_rtp] == [40000]
    assert {s.tag for s in stats.streams} == {"caller", "callee"}


def test_an_error_reply_names_its_reason() -> None:
    _, reply = decode_reply((GOLDEN / "ng_error_reply.bin").read_bytes())
    assert reply == {"result": "error", "error-reason": "Unknown call-id"}


@pytest.mark.parametrize("data", [b"", b"nocookie", b" d6:result2:oke", b"k li1ee", b"k d"])
def test_a_reply_that_is_not_one_is_refused(data: bytes) -> None:
    with pytest.raises(BencodeError):
        decode_reply(data)
