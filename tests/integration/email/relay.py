"""An SMTP server for the tests (aiosmtpd on loopback) that delivers each accepted message
into the dovecot mailbox of its recipient (`name@…` → user `name`), as a mail host would; with
AUTH and STARTTLS when asked."""

from __future__ import annotations

import ssl
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from tests.integration.email.dovecot import Dovecot
from tests.ports import free_port

__all__ = ["Relay"]


class ClosingController(Controller):
    """aiosmtpd's controller stops its loop with the clients' sessions still open (a sender
    cancelled mid-message at the end of a test); their sockets were then reclaimed by the
    garbage collector during whatever test ran next, which failed on the ResourceWarning. This
    one closes every session first, and stops once those closes have run."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        session = super().factory()
        self.sessions.append(session)
        return session

    def cancel_tasks(self, stop_loop: bool = True) -> None:
        for session in self.sessions:
            if session.transport is not None:
                session.transport.close()  # its connection_lost is called soon, in order
        self.sessions.clear()
        self.loop.call_soon(super().cancel_tasks, stop_loop)


class Relay:
    def __init__(
        self,
        dovecot: Dovecot | None,
        *,
        login: tuple[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.dovecot = dovecot
        self.port = free_port()
        self.login = login
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        extra: dict[str, Any] = {}
        if login is not None:
            extra |= {"authenticator": self._authenticate, "auth_required": True}
            extra["auth_require_tls"] = tls is not None
        if tls is not None:
            extra |= {"tls_context": tls, "require_starttls": True}
        self.controller = ClosingController(self, hostname="127.0.0.1", port=self.port, **extra)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and self.login is not None:
            wanted = (self.login[0].encode(), self.login[1].encode())
            if (data.login, data.password) == wanted:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.content)
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        if self.dovecot is not None:
            for rcpt in envelope.rcpt_tos:
                user = str(rcpt).split("@", 1)[0]
                if user in self.dovecot.users:
                    self.dovecot.deliver(user, raw)
        self.messages.append(message)
        return "250 OK"

    def __enter__(self) -> Relay:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
