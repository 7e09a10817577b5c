"""Sending over SMTP (RFC 5321) with aiosmtplib (ADR 0240): implicit TLS (465), STARTTLS
(587, RFC 3207) or plain on loopback; AUTH when the mailbox has a user name (RFC 4954).
`probe_smtp` is the admin's test-connection: connect, upgrade, log in, quit — nothing sent."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from hotline.channels.email.errors import MailboxUnreachable
from hotline.channels.email.imap import failure, tls_context
from hotline.channels.email.model import SmtpServer, Tls

__all__ = ["SmtpTransport", "probe_smtp"]

_TIMEOUT_S = 20.0


def _client(server: SmtpServer) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=server.host,
        port=server.port,
        use_tls=server.tls is Tls.TLS,
        start_tls=server.tls is Tls.STARTTLS,  # False: never upgrade on its own
        tls_context=tls_context(server.verify_tls, server.ca_file),
        validate_certs=server.verify_tls,
        timeout=_TIMEOUT_S,
    )


async def _session(client: aiosmtplib.SMTP, server: SmtpServer) -> None:
    try:
        await client.connect()
    except (OSError, TimeoutError, ValueError, aiosmtplib.SMTPException) as error:
        raise failure(error, "smtp") from None
    if server.username:
        try:
            await client.login(server.username, server.password)
        except aiosmtplib.SMTPAuthenticationError as error:
            await client.quit()
            raise MailboxUnreachable("email.smtp.login", error.message) from None
        except aiosmtplib.SMTPException as error:
            client.close()
            raise MailboxUnreachable("email.smtp.login", str(error)) from None


class SmtpTransport:
    """`MailTransport` over SMTP: one connection per message (a center's mail volume)."""

    async def send(self, server: SmtpServer, sender: str, message: EmailMessage) -> None:
        client = _client(server)
        await _session(client, server)
        try:
            await client.send_message(message, sender=sender)
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise MailboxUnreachable(
                "email.smtp.refused", "; ".join(e.message for e in error.recipients)
            ) from None
        except aiosmtplib.SMTPResponseException as error:
            raise MailboxUnreachable("email.smtp.refused", error.message) from None
        except (OSError, TimeoutError, aiosmtplib.SMTPException) as error:
            raise MailboxUnreachable("email.smtp.unreachable", str(error)) from None
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except aiosmtplib.SMTPException:
                    client.close()


async def probe_smtp(server: SmtpServer) -> str:
    """The server's greeting name once connected (and logged in): it works."""
    client = _client(server)
    await _session(client, server)
    said = str(client.hostname)
    try:
        await client.quit()
    except aiosmtplib.SMTPException:
        client.close()
    return said
