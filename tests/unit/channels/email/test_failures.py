"""A failure to reach a mail server is named: a certificate that does not verify apart from a
server out of reach, however the library wrapped it."""

from __future__ import annotations

import ssl

from hotline.channels.email.imap import failure


def _unverified() -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "self-signed certificate"
    return error


def test_a_certificate_that_does_not_verify_is_named_for_each_protocol() -> None:
    for protocol in ("imap", "smtp"):
        named = failure(_unverified(), protocol)
        assert named.code == f"email.{protocol}.certificate"
        assert named.reason == "self-signed certificate"


def test_a_wrapped_certificate_error_is_still_a_certificate_error() -> None:
    outer = ConnectionError("TLS handshake failed")
    outer.__cause__ = _unverified()  # how a library re-raises it (`raise … from error`)
    assert failure(outer, "smtp").code == "email.smtp.certificate"


def test_anything_else_is_a_server_out_of_reach() -> None:
    named = failure(ConnectionRefusedError(111, "Connection refused"), "imap")
    assert named.code == "email.imap.unreachable"
    assert "refused" in named.reason
    assert failure(TimeoutError(), "smtp").reason == "TimeoutError"
