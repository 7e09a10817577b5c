from __future__ import annotations

import pytest

from hotline.media.dtmf import (
    DtmfDigit,
    DtmfSource,
    Rfc4733Receiver,
    Rfc4733Sender,
    TelephoneEvent,
)
from hotline.media.rtp import RtpPacket
from tests.unit.media.pcap import SIPP_PCAPS, rtp_packets

SIPP_DIGITS = {f"dtmf_2833_{d}.pcap": d for d in "0123456789"}
SIPP_DIGITS |= {"dtmf_2833_pound.pcap": "#", "dtmf_2833_star.pcap": "*"}


def _receive_all(packets: list[tuple[float, bytes]]) -> list[DtmfDigit]:
    receiver = Rfc4733Receiver()
    digits = []
    for at, raw in packets:
        packet = RtpPacket.parse(raw)
        digit = receiver.receive(packet.timestamp, packet.payload, at)
        if digit is not None:
            digits.append(digit)
    return digits


@pytest.mark.parametrize(("name", "digit"), sorted(SIPP_DIGITS.items()))
def test_sipp_pcaps_give_exactly_one_digit(name: str, digit: str) -> None:
    packets = rtp_packets(SIPP_PCAPS / name)
    digits = _receive_all(packets)
    assert [d.digit for d in digits] == [digit]
    assert digits[0].source is DtmfSource.RFC4733
    assert 50 <= digits[0].duration_ms <= 300


def test_payload_round_trip_and_non_dtmf_events_are_ignored() -> None:
    event = TelephoneEvent(event=11, end=True, volume=10, duration=800)
    assert TelephoneEvent.parse(event.serialize()) == event
    assert TelephoneEvent.parse(b"\x00") is None
    receiver = Rfc4733Receiver()
    flash = TelephoneEvent(16, True, 10, 800).serialize()
    assert receiver.receive(1000, flash, 0.0) is None
    assert receiver.active is None


def test_lost_end_packets_end_the_digit_on_the_next_event_or_timer() -> None:
    receiver = Rfc4733Receiver(timeout=0.5)
    assert receiver.receive(1000, TelephoneEvent(5, False, 10, 160).serialize(), 0.00) is None
    assert receiver.active == "5"
    # A new event (new timestamp) arrives: the old one is over.
    done = receiver.receive(9000, TelephoneEvent(7, False, 10, 160).serialize(), 1.0)
    assert done == DtmfDigit("5", 20, DtmfSource.RFC4733)
    assert receiver.next_timer() == 1.5
    assert receiver.on_timer(1.2) is None
    assert receiver.on_timer(1.5) == DtmfDigit("7", 20, DtmfSource.RFC4733)
    assert receiver.next_timer() is None


def test_sender_packets_are_decoded_by_the_receiver_once() -> None:
    sender = Rfc4733Sender("#", timestamp=4242, duration_ms=100)
    receiver = Rfc4733Receiver()
    out: list[DtmfDigit] = []
    markers = []
    while (packet := sender.next_packet()) is not None:
        payload, marker = packet
        markers.append(marker)
        digit = receiver.receive(sender.timestamp, payload, 0.0)
        if digit is not None:
            out.append(digit)
    assert out == [DtmfDigit("#", 100, DtmfSource.RFC4733)]
    assert markers[0]
    assert not any(markers[1:])
    assert len(markers) == 5 + 2  # 100 ms at 20 ms, the last being the first of 3 end packets
    assert sender.duration_samples == 800


def test_sender_rejects_non_digits() -> None:
    with pytest.raises(ValueError, match="not a DTMF digit"):
        Rfc4733Sender("x", timestamp=0)


def test_redundant_end_packets_are_ignored_whatever_the_timestamp_order() -> None:
    # Regression: a digit whose timestamp was the smallest of the recent ones was forgotten
    # at once and its retransmitted end packets became a second digit.
    receiver = Rfc4733Receiver()
    digits = []
    for i, timestamp in enumerate([90_000, 80_000, 70_000, 60_000, 50_000, 40_000, 30_000,
                                   20_000, 10_000]):  # fmt: skip
        end = TelephoneEvent(i % 10, True, 10, 800).serialize()
        for _ in range(3):
            digit = receiver.receive(timestamp, end, float(i))
            if digit is not None:
                digits.append(digit.digit)
    assert digits == [str(i) for i in range(9)]
