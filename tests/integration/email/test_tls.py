"""A mailbox over TLS with logins: IMAP over TLS from the first byte against dovecot, SMTP
with STARTTLS and AUTH against the relay; the test-connection says what works and names what
does not (a wrong password, a plain connection to a TLS port)."""

from __future__ import annotations

import ssl
import subprocess
import sys
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from hotline.channels.email.errors import MailboxUnreachable
from hotline.channels.email.imap import probe_imap
from hotline.channels.email.model import ImapServer, SmtpServer, Tls
from hotline.channels.email.smtp import SmtpTransport, probe_smtp
from hotline.web.i18n import Catalogs
from tests.integration.email.dovecot import Dovecot
from tests.integration.email.relay import Relay


def _certificate(directory: Path) -> tuple[Path, Path]:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hotline.cli",
            "cert",
            "--host",
            "127.0.0.1",
            "--out",
            str(directory),
        ],
        check=True,
        capture_output=True,
    )
    return directory / "cert.pem", directory / "key.pem"


async def test_tls_and_logins_on_both_servers(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path / "tls")
    dovecot = Dovecot({"help": "help-secret"}, tls=(cert, key))
    dovecot.start()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    relay = Relay(None, login=("mailer", "smtp-secret"), tls=context)
    relay.controller.start()
    try:
        imap = ImapServer("127.0.0.1", dovecot.tls_port, Tls.TLS, "help", "help-secret",
                          verify_tls=False)  # fmt: skip
        status = await probe_imap(imap)
        assert status.idle
        assert status.uidvalidity > 0
        wrong = ImapServer("127.0.0.1", dovecot.tls_port, Tls.TLS, "help", "nope", verify_tls=False)
        with pytest.raises(MailboxUnreachable) as refused:
            await probe_imap(wrong)
        assert refused.value.code == "email.imap.login"

        smtp = SmtpServer("127.0.0.1", relay.port, Tls.STARTTLS, "mailer", "smtp-secret",
                          verify_tls=False)  # fmt: skip
        await probe_smtp(smtp)
        message = EmailMessage()
        message["From"] = "help@center.test"
        message["To"] = "c@example.test"
        message["Subject"] = "over TLS"
        message.set_content("hello")
        await SmtpTransport().send(smtp, "help@center.test", message)
        assert [str(m["Subject"]) for m in relay.messages] == ["over TLS"]
        for bad, code in [
            (SmtpServer("127.0.0.1", relay.port, Tls.STARTTLS, "mailer", "nope", verify_tls=False),
             "email.smtp.login"),
            (SmtpServer("127.0.0.1", relay.port, Tls.NONE, "mailer", "smtp-secret"),
             "email.smtp.login"),  # the relay wants TLS before AUTH
            (SmtpServer("127.0.0.1", 1, Tls.NONE), "email.smtp.unreachable"),
        ]:  # fmt: skip
            with pytest.raises(MailboxUnreachable) as failed:
                await probe_smtp(bad)
            assert failed.value.code == code, (bad, failed.value.reason)
    finally:
        relay.controller.stop()
        dovecot.cleanup()


async def test_starttls_verifies_the_certificate_against_the_mailbox_ca_file(
    tmp_path: Path,
) -> None:
    cert, key = _certificate(tmp_path / "tls")
    other, _ = _certificate(tmp_path / "other")  # a certificate that vouches for nothing here
    dovecot = Dovecot({"help": "help-secret"}, tls=(cert, key))
    dovecot.start()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    relay = Relay(None, login=("mailer", "smtp-secret"), tls=context)
    relay.controller.start()
    try:
        # the plain port, upgraded with STARTTLS, the server's certificate checked
        imap = ImapServer("127.0.0.1", dovecot.port, Tls.STARTTLS, "help", "help-secret",
                          ca_file=str(cert))  # fmt: skip
        status = await probe_imap(imap)
        assert status.idle
        smtp = SmtpServer("127.0.0.1", relay.port, Tls.STARTTLS, "mailer", "smtp-secret",
                          ca_file=str(cert))  # fmt: skip
        await probe_smtp(smtp)

        for wrong in (str(other), ""):  # another CA; the system's CAs
            with pytest.raises(MailboxUnreachable) as refused:
                await probe_imap(replace(imap, ca_file=wrong))
            assert refused.value.code == "email.imap.certificate", refused.value.reason
            with pytest.raises(MailboxUnreachable) as refused:
                await probe_smtp(replace(smtp, ca_file=wrong))
            assert refused.value.code == "email.smtp.certificate", refused.value.reason
        with pytest.raises(MailboxUnreachable) as unreadable:
            await probe_imap(replace(imap, ca_file=str(tmp_path / "missing.pem")))
        assert unreadable.value.code == "email.tls.ca_file"
    finally:
        relay.controller.stop()
        dovecot.cleanup()


async def test_the_test_connection_names_a_wrong_certificate_in_the_users_language(
    tmp_path: Path,
) -> None:
    cert, key = _certificate(tmp_path / "tls")
    other, _ = _certificate(tmp_path / "other")
    dovecot = Dovecot({"help": "help-secret"}, tls=(cert, key))
    dovecot.start()
    try:
        imap = ImapServer("127.0.0.1", dovecot.port, Tls.STARTTLS, "help", "help-secret",
                          ca_file=str(other))  # fmt: skip
        with pytest.raises(MailboxUnreachable) as refused:
            await probe_imap(imap)
        catalogs = Catalogs()
        message = refused.value.message
        assert catalogs.gettext("en", message) == message
        assert "证书" in catalogs.gettext("zh-CN", message)
    finally:
        dovecot.cleanup()
