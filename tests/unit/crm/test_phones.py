from __future__ import annotations

import pytest

from hotline.crm.phones import phone_key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("13800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("0086-138-0013-8000", "+8613800138000"),
        ("(010) 6552 9988", "+861065529988"),
        ("+1 415 555 0111", "+14155550111"),
        ("4001", "4001"),
        ("  ", ""),
    ],
)
def test_phone_keys(raw: str, key: str) -> None:
    assert phone_key(raw, "CN") == key
