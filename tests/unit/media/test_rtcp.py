from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.media.errors import RtcpParseError
from hotline.media.rtcp import (
    Goodbye,
    RawRtcp,
    ReceiverReport,
    ReceptionStats,
    ReportBlock,
    SdesChunk,
    SenderReport,
    SourceDescription,
    ntp_from_unix,
    ntp_middle,
    parse_compound,
    round_trip_seconds,
    serialize_compound,
)

DATA = Path(__file__).parents[2] / "data" / "media"


@pytest.mark.parametrize("name", ["rtcp_sr_sdes_bye.bin", "rtcp_rr_app.bin"])
def test_golden_rtcp_compounds_round_trip(name: str) -> None:
    raw = (DATA / name).read_bytes()
    assert serialize_compound(parse_compound(raw)) == raw


def test_golden_sr_fields() -> None:
    sr, sdes, bye = parse_compound((DATA / "rtcp_sr_sdes_bye.bin").read_bytes())
    assert isinstance(sr, SenderReport)
    assert (sr.ssrc, sr.rtp_timestamp, sr.packet_count, sr.octet_count) == (
        0xCAFEBABE, 160000, 500, 80000,
    )  # fmt: skip
    assert sr.reports[0] == ReportBlock(0xAAAA0001, 25, 7, 0x0001FFFF, 31, 0x12345678, 65536)
    assert sr.reports[1].cumulative_lost == -1
    assert sdes == SourceDescription((SdesChunk(0xCAFEBABE, ((1, b"hotline@127.0.0.1"),)),))
    assert bye == Goodbye((0xCAFEBABE,), b"hang up.")


def test_unknown_packet_types_survive_as_raw() -> None:
    rr, app = parse_compound((DATA / "rtcp_rr_app.bin").read_bytes())
    assert isinstance(rr, ReceiverReport)
    assert rr.reports[0].highest_sequence == 1000
    assert app == RawRtcp(204, 3, b"\x01\x02\x03\x04name")


def test_padding_on_the_last_packet_is_stripped() -> None:
    bye = bytearray(Goodbye((5,)).serialize() + b"\x00\x00\x00\x04")
    bye[0] |= 0x20
    bye[3] += 1
    assert parse_compound(bytes(bye)) == (Goodbye((5,)),)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"\x80\xc8", "too short"),
        (b"\x40\xc9\x00\x00", "version 1"),
        (b"\x80\xc9\x00\x05\x00\x00\x00\x01", "runs past"),
        (b"\x81\xc9\x00\x01\x00\x00\x00\x01", "report blocks"),
        (b"\x80\xc9\x00\x01\x00\x00\x00\x01\x00\x00", "stray bytes"),
        (b"\x81\xca\x00\x01\x00\x00\x00\x01", "not terminated"),
        (b"\x81\xca\x00\x02\x00\x00\x00\x01\x01\x09\x00\x00", "runs past the packet"),
        (b"\xa0\xcb\x00\x00", "padding count"),
    ],
)
def test_malformed_rtcp_raises(raw: bytes, why: str) -> None:
    with pytest.raises(RtcpParseError, match=why):
        parse_compound(raw)


@given(st.binary(max_size=80))
def test_parser_raises_only_its_own_error(raw: bytes) -> None:
    with contextlib.suppress(RtcpParseError):
        parse_compound(raw)


blocks = st.builds(
    ReportBlock,
    st.integers(0, 2**32 - 1),
    st.integers(0, 255),
    st.integers(-(2**23), 2**23 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
)


@given(
    st.lists(
        st.one_of(
            st.builds(
                SenderReport,
                st.integers(0, 2**32 - 1),
                st.integers(0, 2**64 - 1),
                st.integers(0, 2**32 - 1),
                st.integers(0, 2**32 - 1),
                st.integers(0, 2**32 - 1),
                st.lists(blocks, max_size=3).map(tuple),
            ),
            st.builds(
                ReceiverReport, st.integers(0, 2**32 - 1), st.lists(blocks, max_size=3).map(tuple)
            ),
            st.builds(
                Goodbye,
                st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=3).map(tuple),
                st.binary(max_size=20),
            ),
            st.builds(
                SourceDescription,
                st.lists(
                    st.builds(
                        SdesChunk,
                        st.integers(0, 2**32 - 1),
                        st.lists(
                            st.tuples(st.integers(1, 8), st.binary(max_size=30)), max_size=3
                        ).map(tuple),
                    ),
                    max_size=3,
                ).map(tuple),
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_compound_round_trips(packets: list[object]) -> None:
    raw = serialize_compound(packets)  # type: ignore[arg-type]
    assert list(parse_compound(raw)) == packets


def test_reception_stats_count_loss_reorder_and_wrap() -> None:
    stats = ReceptionStats(ssrc=1, seq=65530)
    for seq in [65530, 65531, 65533, 65532, 65534, 65535, 0, 2, 3]:  # 1 lost, 1 reordered
        stats.update(seq, timestamp=0, arrival=0)
    assert stats.extended_max == 65536 + 3
    assert stats.expected == 10
    assert stats.lost == 1
    block = stats.report_block(now_s=0.0)
    assert block.fraction_lost == 256 // 10
    assert block.highest_sequence == 65539
    assert stats.report_block(now_s=0.0).fraction_lost == 0  # a fresh interval


def test_reception_stats_jitter_follows_rfc_3550_a8() -> None:
    stats = ReceptionStats(ssrc=1, seq=0)
    # Packets every 160 samples, arrivals alternately on time and 80 samples late.
    for i in range(200):
        stats.update(i, timestamp=160 * i, arrival=160 * i + (80 if i % 2 else 0))
    assert 70 <= stats.jitter <= 80  # converges to |D| = 80 with gain 1/16


def test_stats_ignore_one_big_jump_and_restart_on_two() -> None:
    stats = ReceptionStats(ssrc=1, seq=100)
    stats.update(100, 0, 0)
    assert not stats.update(30000, 0, 0)
    assert stats.update(30001, 0, 0)
    assert stats.base_seq == 30001


def test_round_trip_time_from_lsr_and_dlsr() -> None:
    sent_at = 1_790_000_000.0
    lsr = ntp_middle(ntp_from_unix(sent_at))
    block = ReportBlock(1, 0, 0, 0, 0, lsr, int(0.5 * 65536))
    rtt = round_trip_seconds(block, ntp_from_unix(sent_at + 0.58))
    assert rtt is not None
    assert abs(rtt - 0.08) < 0.001
    assert round_trip_seconds(ReportBlock(1, 0, 0, 0, 0), 0) is None
