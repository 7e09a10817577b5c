"""Our own captures from sipp and baresip (tests/data/sip/captures): parse and round-trip."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hotline.sip import Request, Response, parse_message
from hotline.sip.auth import DigestResponse
from hotline.sip.sdp import parse_sdp

DIR = Path(__file__).resolve().parents[2] / "data" / "sip" / "captures"
FILES = sorted(DIR.glob("*.sip"))


def test_checksums() -> None:
    sums = dict(line.split()[::-1] for line in (DIR / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == [p.name for p in FILES]
    for path in FILES:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sums[path.name]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_capture_round_trips(path: Path) -> None:
    data = path.read_bytes()
    msg = parse_message(data)
    assert bytes(msg) == data
    if msg.content_type == "application/sdp":
        assert parse_sdp(msg.body).audio() is not None


def test_baresip_digest_answers_parse() -> None:
    for name in ("baresip-register-auth", "baresip-invite-auth"):
        msg = parse_message((DIR / f"{name}.sip").read_bytes())
        assert isinstance(msg, Request)
        creds = DigestResponse.parse(msg.headers.get("Authorization") or "")
        assert creds is not None
        assert (creds.username, creds.realm, creds.qop) == ("1001", "hotline", "auth")


def test_our_challenge_is_md5_only_for_baresip() -> None:
    msg = parse_message((DIR / "hotline-401-register.sip").read_bytes())
    assert isinstance(msg, Response)
    (challenge,) = msg.headers.get_all("WWW-Authenticate")
    assert "algorithm=MD5" in challenge
