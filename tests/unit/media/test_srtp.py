"""SRTP contexts (RFC 3711) around libsrtp: both directions, and what does not authenticate."""

from __future__ import annotations

import struct

import pytest

from hotline.media.srtp import SrtpContext, new_master_key


def rtp(seq: int, payload: bytes = b"\xff" * 160) -> bytes:
    return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, 0x1234) + payload


def test_a_pair_of_contexts_talk_and_reject_plaintext_and_replays() -> None:
    a_key, b_key = new_master_key(), new_master_key()
    alice = SrtpContext("AES_CM_128_HMAC_SHA1_80", a_key, b_key)
    bob = SrtpContext("AES_CM_128_HMAC_SHA1_80", b_key, a_key)
    wire = alice.protect(rtp(1))
    assert len(wire) == 172 + 10  # the 80-bit authentication tag
    assert wire[12:172] != b"\xff" * 160  # the payload is encrypted
    assert bob.unprotect(wire) == rtp(1)
    assert bob.unprotect(wire) is None  # replayed
    assert bob.unprotect(rtp(2)) is None  # plaintext RTP
    assert bob.counters.rejected == 2
    report = struct.pack("!BBHI", 0x80, 200, 6, 0x1234) + bytes(20)
    assert alice.unprotect_rtcp(bob.protect_rtcp(report)) == report
    assert "key" not in repr(alice)


def test_unknown_suite_is_refused() -> None:
    with pytest.raises(ValueError, match="crypto-suite"):
        SrtpContext("F8_128_HMAC_SHA1_80", new_master_key(), new_master_key())


def test_rtcp_with_padding_serialises_back() -> None:
    # Found by the RTP/RTCP fuzzer: an APP packet whose padding left a body of 5 octets.
    from hotline.media.rtcp import RawRtcp, parse_compound, serialize_compound

    packet = RawRtcp(packet_type=204, count=1, body=b"\x00\x00\x00\x07x")
    wire = serialize_compound([packet])
    assert wire[0] & 0x20  # the padding bit
    assert parse_compound(wire) == (packet,)
