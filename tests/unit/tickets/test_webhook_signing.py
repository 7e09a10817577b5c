"""Webhook signatures and event patterns (pure)."""

from __future__ import annotations

import hashlib
import hmac

from hotline.webhooks import sign, verify
from hotline.webhooks.patterns import wants


def test_the_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    body = b'{"type":"ticket.created"}'
    expected = hmac.new(b"secret", b"1790000000." + body, hashlib.sha256).hexdigest()
    assert sign("secret", 1790000000, body) == "v1=" + expected
    signature = sign("secret", 1790000000, body)
    assert verify("secret", signature, "1790000000", body, now=1790000100)
    assert not verify("secret", signature, "1790000000", body + b" ", now=1790000100)
    assert not verify("other", signature, "1790000000", body, now=1790000100)
    assert not verify("secret", signature, "1790000000", body, now=1790000301)  # too old
    assert not verify("secret", signature, "soon", body, now=1790000000)


def test_patterns() -> None:
    assert wants(["ticket.*"], "ticket.sla_breached")
    assert wants(["interaction.ended"], "interaction.ended")
    assert not wants(["interaction.ended"], "interaction.created")
    assert not wants([], "ticket.created")
