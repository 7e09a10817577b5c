"""The password policy refuses common and guessable passwords (not only short ones), including
the user's own words and common Chinese roots; TOTP codes match their step, drift one step,
never replay; recovery codes work once; throttling sources group IPv6 by /64."""

from __future__ import annotations

import pyotp
import pytest

from hotline.auth.errors import WeakPassword
from hotline.auth.passwords import check_strength, hash_password
from hotline.auth.throttle import source_of
from hotline.auth.totp import (
    PERIOD,
    matching_recovery,
    matching_step,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    recovery_digest,
)


@pytest.mark.parametrize(
    "password",
    ["Passw0rd!", "P@ssw0rd2024", "1qaz2wsx3edc", "qq123456789", "abc123456789", "iloveyou1314"],
)
def test_common_passwords_are_refused_though_long_enough(password: str) -> None:
    with pytest.raises(WeakPassword) as caught:
        check_strength(password)
    assert caught.value.details["reason"] == "guessable"
    assert caught.value.details["field"] == "password"


@pytest.mark.parametrize(
    "password", ["woaini5201314", "zhangwei1988", "wangfang123", "lina19900101"]
)
def test_common_chinese_roots_are_guessable_too(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_strength(password)


def test_the_users_own_words_are_guessable() -> None:
    check_strength("zhouxiaoyu-2024")
    with pytest.raises(WeakPassword):
        check_strength("zhouxiaoyu-2024", context=["zhouxiaoyu", "周晓雨"])


def test_short_and_overlong_passwords_say_why() -> None:
    with pytest.raises(WeakPassword) as short:
        hash_password("x7#Kq9")
    assert short.value.details["reason"] == "too_short"
    with pytest.raises(WeakPassword) as long:
        check_strength("a" * 257, field="sip_password")
    assert (long.value.details["reason"], long.value.details["field"]) == (
        "too_long",
        "sip_password",
    )


@pytest.mark.parametrize(
    "password",
    ["blue-tiger-cactus-42", "春眠不觉晓处处闻啼鸟", "x7#Kq9!mZ2", "correct horse battery"],
)
def test_phrases_and_random_strings_pass(password: str) -> None:
    check_strength(password, context=["admin", "管理员"])


def test_totp_matches_its_step_with_one_step_of_drift_and_never_twice() -> None:
    secret = new_secret()
    now = 1_800_000_015.0
    code = pyotp.TOTP(secret).at(now)
    step = matching_step(secret, code, now=now, last_step=None)
    assert step == int(now // PERIOD)
    assert (
        matching_step(secret, f" {code[:3]} {code[3:]} ", now=now + PERIOD, last_step=None) == step
    )
    assert matching_step(secret, code, now=now + 2 * PERIOD, last_step=None) is None
    assert matching_step(secret, code, now=now, last_step=step) is None  # replayed
    assert matching_step(secret, "12345", now=now, last_step=None) is None
    assert matching_step(secret, "abcdef", now=now, last_step=None) is None


def test_provisioning_uri_names_issuer_and_account() -> None:
    secret = "JBSWY3DPEHPK3PXP" * 2
    uri = provisioning_uri(secret, account="admin@demo", issuer="Hotline")
    assert uri.startswith("otpauth://totp/Hotline:admin%40demo?")
    assert f"secret={secret}" in uri
    assert "issuer=Hotline" in uri


def test_recovery_codes_are_distinct_and_matched_by_digest() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    digests = [recovery_digest(c) for c in codes]
    assert matching_recovery(codes[3].upper().replace("-", " "), digests) == digests[3]
    assert matching_recovery("aaaaa-aaaaa", digests) is None


def test_throttling_sources() -> None:
    assert source_of("203.0.113.9") == "203.0.113.9"
    assert source_of("2001:db8:1:2:aaaa::1") == source_of("2001:db8:1:2:bbbb::9")
    assert source_of("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert source_of("::ffff:198.51.100.7") == "198.51.100.7"
    assert source_of(None) == "unknown"
