"""GSM-7 / UCS-2 choice, splitting with concatenation headers, joining back; golden parts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.channels.sms.encoding import (
    DATA_CODING_GSM7,
    DATA_CODING_UCS2,
    ESM_UDHI,
    Encoding,
    choose_encoding,
    decode,
    join_parts,
    parse_udh,
    split,
)
from hotline.channels.sms.errors import SmsEncodingError

DATA = Path(__file__).parents[2] / "data" / "sms"

LONG_CHINESE = (
    "您好，您在本中心提交的工单已经处理完毕。如果问题仍未解决，请直接回复本短信，"
    "或拨打客服热线，我们的坐席会在工作时间内尽快与您联系。感谢您的耐心等待，"
    "祝您生活愉快！回复退订可取消本类通知。"
)


def _rejoin(text: str) -> str:
    layout = split(text, reference=42)
    payloads = []
    for part in layout.parts:
        if part.udh:
            _concat, payload = parse_udh(part.short_message)
            payloads.append(payload)
        else:
            payloads.append(part.payload)
    return join_parts(payloads, layout.data_coding)


def test_plain_latin_is_gsm7_and_chinese_is_ucs2() -> None:
    assert choose_encoding("Your ticket 42 is solved. Reply STOP to opt out.") is Encoding.GSM7
    assert choose_encoding("Prices in € [EUR] {ok}") is Encoding.GSM7  # extension table
    assert choose_encoding("您好") is Encoding.UCS2
    assert choose_encoding("café ç") is Encoding.UCS2  # ç is not in the default alphabet
    assert choose_encoding("Ç") is Encoding.GSM7


@pytest.mark.parametrize(
    ("text", "parts"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
     ("中" * 70, 1), ("中" * 71, 2), ("中" * 134, 2), ("中" * 135, 3)],
)  # fmt: skip
def test_part_counts_at_the_limits(text: str, parts: int) -> None:
    assert len(split(text, reference=1).parts) == parts


def test_extension_characters_count_twice_and_are_never_cut() -> None:
    assert len(split("€" * 80, reference=1).parts) == 1
    layout = split("aa" + "€" * 80, reference=1)  # 162 septets
    assert len(layout.parts) == 2
    first = layout.parts[0].payload
    assert len(first) == 153 - 1  # the pair that would straddle moved to the next part
    assert first[-2:] == b"\x1b\x65"
    assert _rejoin("aa" + "€" * 80) == "aa" + "€" * 80


def test_surrogate_pairs_stay_in_one_part() -> None:
    text = "中" * 66 + "😀" + "文" * 10
    layout = split(text, reference=1)
    assert len(layout.parts[0].payload) == 132  # 66 chars; the emoji's 4 octets go on
    assert _rejoin(text) == text


def test_long_chinese_message_parts_match_the_golden_file() -> None:
    layout = split(LONG_CHINESE, reference=0x2A)
    assert layout.encoding is Encoding.UCS2
    assert layout.data_coding == DATA_CODING_UCS2
    golden = (DATA / "long-chinese-parts.hex").read_text().split()
    assert [p.short_message.hex() for p in layout.parts] == golden
    for number, part in enumerate(layout.parts, start=1):
        assert part.esm_class == ESM_UDHI
        concat, _ = parse_udh(part.short_message)
        assert concat is not None
        assert (concat.reference, concat.total, concat.number) == (0x2A, 2, number)
    assert _rejoin(LONG_CHINESE) == LONG_CHINESE


def test_a_single_part_has_no_header() -> None:
    layout = split("Hello", reference=3)
    assert layout.parts[0].short_message == bytes([0x48, 0x65, 0x6C, 0x6C, 0x6F])
    assert layout.parts[0].esm_class == 0
    assert layout.data_coding == DATA_CODING_GSM7


def test_sixteen_bit_reference_is_read() -> None:
    concat, payload = parse_udh(bytes([6, 0x08, 4, 0x12, 0x34, 3, 2]) + b"hi")
    assert concat is not None
    assert (concat.reference, concat.total, concat.number) == (0x1234, 3, 2)
    assert payload == b"hi"


@pytest.mark.parametrize(
    ("raw", "code"),
    [(b"", "sms.udh.empty"), (bytes([9, 0, 3]), "sms.udh.length"),
     (bytes([5, 0, 3, 1, 2, 3]), "sms.udh.number"), (bytes([3, 0, 3, 1]), "sms.udh.element")],
)  # fmt: skip
def test_bad_headers_are_named(raw: bytes, code: str) -> None:
    with pytest.raises(SmsEncodingError) as caught:
        parse_udh(raw)
    assert caught.value.code == code


def test_bad_input_is_refused() -> None:
    with pytest.raises(SmsEncodingError):
        split("", reference=1)
    with pytest.raises(SmsEncodingError):
        split("x", reference=256)
    with pytest.raises(SmsEncodingError):
        decode(b"abc", DATA_CODING_UCS2)
    with pytest.raises(SmsEncodingError):
        decode(b"abc", 0x04 | 0x10 | 0x02)


@given(st.text(min_size=1, max_size=700))
def test_any_text_splits_and_joins_back(text: str) -> None:
    layout = split(text, reference=9)
    assert all(
        len(p.short_message) <= 140 or layout.encoding is Encoding.GSM7 for p in layout.parts
    )
    assert all(len(p.short_message) <= 160 for p in layout.parts)
    assert _rejoin(text) == text
