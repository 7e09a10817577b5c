"""Phone numbers as spreadsheets hold them, to E.164 (with extensions), or the reason not."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.imports.phones import PhoneProblem, display_phone, normalize_phone

CASES = [
    ("13800138000", "+8613800138000"),
    ("138 0013 8000", "+8613800138000"),
    ("138-0013-8000", "+8613800138000"),
    ("１３８００１３８０００", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("+86-138-0013-8000", "+8613800138000"),
    ("0086 138 0013 8000", "+8613800138000"),
    ("0086-138-0013-8000", "+8613800138000"),
    ("8613800138000", "+8613800138000"),
    ("＋８６ １３８ ００１３ ８０００", "+8613800138000"),
    (13800138000, "+8613800138000"),
    (13800138000.0, "+8613800138000"),
    ("13800138000.0", "+8613800138000"),
    ("1.38001380e10", "+8613800138000"),
    ("1.3800138E+10", "+8613800138000"),
    ("010-6552 9904", "+861065529904"),
    ("(010) 6552-9904", "+861065529904"),
    ("+86 (0) 10 6552 9904", "+861065529904"),
    ("0755-8888 6666", "+8675588886666"),
    ("021-66668888转123", "+862166668888;ext=123"),
    ("021-6666 8888 分机 45", "+862166668888;ext=45"),
    ("010 12345678 ext. 12", "+861012345678;ext=12"),
    ("0571-88886666-8001", "+8657188886666;ext=8001"),
    ("(0571) 8888 6666 #8001", "+8657188886666;ext=8001"),
    ("138 0013 8000 x 8", "+8613800138000;ext=8"),
    ("400-810-8888", "+864008108888"),
    ("+1 415-555-0111", "+14155550111"),
    ("\ufeff13800138000\u200b", "+8613800138000"),
]


@pytest.mark.parametrize(("cell", "key"), CASES)
def test_notations_normalize_to_one_key(cell: object, key: str) -> None:
    assert normalize_phone(cell).key == key


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("1390000", "phone.invalid"),
        ("12345678901", "phone.invalid"),
        ("电话不详", "phone.invalid"),
        ("", "phone.invalid"),
        ("+86+138", "phone.invalid"),
        (True, "phone.invalid"),
        (13.5, "phone.invalid"),
        ("65529904", "phone.no_area_code"),
        ("8888 6666", "phone.no_area_code"),
        ("1.38001E+10", "phone.shortened"),
        ("1.38E+10", "phone.shortened"),
    ],
)
def test_bad_numbers_say_why(cell: object, code: str) -> None:
    with pytest.raises(PhoneProblem) as problem:
        normalize_phone(cell)
    assert problem.value.code == code


def test_other_regions_read_national_numbers_their_way() -> None:
    assert normalize_phone("(415) 555-0111", "US").key == "+14155550111"
    assert normalize_phone("+86 138 0013 8000", "US").key == "+8613800138000"


def test_display_form_is_international_with_spaces() -> None:
    assert display_phone("+8613800138000") == "+86 138 0013 8000"
    assert display_phone("+8657188886666;ext=8001") == "+86 571 8888 6666 ext. 8001"


@given(st.text(alphabet="0123456789+-() 转xext.#０１２３", max_size=24))
def test_any_cell_gives_a_key_or_a_problem(text: str) -> None:
    try:
        outcome = normalize_phone(text).key[:1]
    except PhoneProblem as problem:
        outcome = problem.code
    assert outcome in {"+", "phone.invalid", "phone.no_area_code", "phone.shortened"}


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_the_mobile_fast_path_agrees_with_phonenumbers(digits: str) -> None:
    parsed = phonenumbers.parse(digits, "CN")
    expected = (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(parsed)
        else None
    )
    try:
        got: str | None = normalize_phone(digits).e164
    except PhoneProblem:
        got = None
    assert got == expected
