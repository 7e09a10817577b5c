"""Digest authentication (RFC 7616/8760): challenges, verification, expiry, replay."""

from __future__ import annotations

import hashlib

import pytest

from hotline.sip.auth import (
    AuthOutcome,
    DigestAuthenticator,
    DigestResponse,
    InMemoryCredentialStore,
    authorization_header,
    compute_ha1,
    parse_auth_params,
)


def answer(
    challenge: str, password: str = "secret", nc: int = 1, uri: str = "sip:hotline"
) -> DigestResponse:
    value = authorization_header(
        challenge, method="REGISTER", uri=uri, username="1001", password=password, nc=nc,
        cnonce="abcdef",
    )  # fmt: skip
    assert value is not None
    parsed = DigestResponse.parse(value)
    assert parsed is not None
    return parsed


def test_ha1_values_match_the_rfc_definition() -> None:
    values = compute_ha1("Mufasa", "http-auth@example.org", "Circle of Life")
    text = b"Mufasa:http-auth@example.org:Circle of Life"
    assert values.md5 == hashlib.md5(text).hexdigest()
    assert values.sha256 == hashlib.sha256(text).hexdigest()
    assert values.for_algorithm("SHA-256") == values.sha256


def test_challenges_offer_sha256_first_with_qop_auth() -> None:
    auth = DigestAuthenticator("hotline", secret=b"k" * 32)
    first, second = auth.challenges(100.0)
    assert "algorithm=SHA-256" in first
    assert "algorithm=MD5" in second
    scheme, params = parse_auth_params(first)
    assert scheme == "digest"
    assert params["realm"] == "hotline"
    assert params["qop"] == "auth"


@pytest.mark.parametrize("index", [0, 1])
def test_verify_both_algorithms(index: int) -> None:
    auth = DigestAuthenticator("hotline", secret=b"k" * 32)
    creds = answer(auth.challenges(100.0)[index])
    ha1 = compute_ha1("1001", "hotline", "secret")
    assert auth.verify(creds, "REGISTER", ha1, 101.0) is AuthOutcome.OK


def test_wrong_password_unknown_user_wrong_method() -> None:
    auth = DigestAuthenticator("hotline", secret=b"k" * 32)
    challenge = auth.challenges(100.0)[0]
    ha1 = compute_ha1("1001", "hotline", "secret")
    assert auth.verify(answer(challenge, "wrong"), "REGISTER", ha1, 101) is AuthOutcome.FAILED
    assert auth.verify(answer(challenge), "REGISTER", None, 101) is AuthOutcome.UNKNOWN_USER
    assert auth.verify(answer(challenge), "INVITE", ha1, 101) is AuthOutcome.FAILED


def test_nonce_expires_and_cannot_be_replayed() -> None:
    auth = DigestAuthenticator("hotline", nonce_lifetime=300, secret=b"k" * 32)
    challenge = auth.challenges(100.0)[0]
    ha1 = compute_ha1("1001", "hotline", "secret")
    creds = answer(challenge)
    assert auth.verify(creds, "REGISTER", ha1, 101) is AuthOutcome.OK
    # The same Authorization again (a captured packet) is refused as stale.
    assert auth.verify(creds, "REGISTER", ha1, 102) is AuthOutcome.STALE
    # A growing nonce count is fine.
    assert auth.verify(answer(challenge, nc=2), "REGISTER", ha1, 103) is AuthOutcome.OK
    # After the lifetime the nonce is stale even with a fresh count.
    assert auth.verify(answer(challenge, nc=3), "REGISTER", ha1, 401) is AuthOutcome.STALE


def test_forged_nonce_is_refused() -> None:
    auth = DigestAuthenticator("hotline", secret=b"k" * 32)
    other = DigestAuthenticator("hotline", secret=b"x" * 32)
    creds = answer(other.challenges(100.0)[0])
    ha1 = compute_ha1("1001", "hotline", "secret")
    assert auth.verify(creds, "REGISTER", ha1, 101) is AuthOutcome.FOREIGN_NONCE


def test_nonce_is_bound_to_the_address_it_was_sent_to() -> None:
    auth = DigestAuthenticator("hotline", secret=b"k" * 32)
    ha1 = compute_ha1("1001", "hotline", "secret")
    challenge = auth.challenges(100.0, source="198.51.100.7")[0]
    creds = answer(challenge)
    assert auth.issued(creds.nonce, "198.51.100.7")
    assert not auth.issued(creds.nonce, "192.0.2.10")
    # The attacker's own nonce, replayed from a forged (trunk) address, is not ours for it.
    assert auth.verify(creds, "REGISTER", ha1, 101, "192.0.2.10") is AuthOutcome.FOREIGN_NONCE
    assert auth.verify(answer(challenge, "wrong"), "REGISTER", ha1, 101, "198.51.100.7") is (
        AuthOutcome.FAILED
    )
    assert auth.verify(creds, "REGISTER", ha1, 101, "198.51.100.7") is AuthOutcome.OK


def test_authorization_header_ignores_unknown_schemes() -> None:
    assert (
        authorization_header("Basic realm=x", method="R", uri="u", username="a", password="b")
        is None
    )
    assert DigestResponse.parse("NoOneKnowsThisScheme opaque-data=here") is None
    assert DigestResponse.parse('Digest username="a"') is None


async def test_in_memory_credentials_store_never_keeps_passwords() -> None:
    store = InMemoryCredentialStore()
    store.set_password("hotline", "1001", "secret")
    values = await store.lookup("hotline", "1001")
    assert values == compute_ha1("1001", "hotline", "secret")
    assert "secret" not in repr(store.__dict__)
    assert await store.lookup("hotline", "1002") is None


def test_the_realm_is_given_per_call() -> None:
    """One authenticator serves several SIP domains (ADR 0141): the answer must name the
    realm it was challenged with, and the HA1 is the one of that realm."""
    auth = DigestAuthenticator("hotline", secret=b"k" * 32)
    challenge = auth.challenges(100.0, realm="east.example.com")[0]
    assert parse_auth_params(challenge)[1]["realm"] == "east.example.com"
    creds = answer(challenge)
    east = compute_ha1("1001", "east.example.com", "secret")
    assert auth.verify(creds, "REGISTER", east, 101.0, realm="east.example.com") is AuthOutcome.OK
    # The same answer checked against the configured realm fails: it names another realm.
    again = answer(challenge, nc=2)
    assert auth.verify(again, "REGISTER", east, 101.0) is AuthOutcome.FAILED
