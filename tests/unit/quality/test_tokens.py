"""Survey link tokens (ADR 0213): signed with the center's key, expiring; a changed, forged or
expired token is refused with its own code."""

from __future__ import annotations

import pytest

from hotline.quality.errors import SurveyLinkRefused
from hotline.quality.tokens import read_token, sign_token

KEY = bytes(range(32))


def refused(token: str, now: float = 100.0, key: bytes = KEY) -> str:
    with pytest.raises(SurveyLinkRefused) as error:
        read_token(key, token, now)
    return error.value.code


def test_a_signed_token_reads_back() -> None:
    token = sign_token(KEY, "01LINK", 500.7)
    found = read_token(KEY, token, 100.0)
    assert (found.link_id, found.expires_at) == ("01LINK", 500)
    assert "=" not in token
    assert "/" not in token
    assert "+" not in token


def test_forged_changed_and_expired_tokens_are_refused() -> None:
    token = sign_token(KEY, "01LINK", 500.0)
    link, expiry, mac = token.split(".")
    assert refused(token, now=500.0) == "quality.link.expired"
    assert refused(f"{link}.{int(expiry) + 1000}.{mac}") == "quality.link.forged"  # longer life
    assert refused(f"01LINX.{expiry}.{mac}") == "quality.link.forged"  # another link
    assert refused(token, key=bytes(32)) == "quality.link.forged"  # another center's key
    for junk in ("", "abc", "a.b.c", f"{link}.{expiry}", f"{link}.{expiry}.!!!", f"{link}.x.{mac}"):
        assert refused(junk) == "quality.link.forged"
