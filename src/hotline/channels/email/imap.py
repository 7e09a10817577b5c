"""Reading a mailbox over IMAP4rev1 (RFC 3501) with aioimaplib (ADR 0240): log in (TLS from
the first byte, STARTTLS (§6.2.1; the library has none, so the upgrade is done here on its
transport, ADR 0247) or plain on loopback), select the folder, fetch every message whose
UID is past the stored cursor (§2.3.1.1: UIDs only grow while UIDVALIDITY stays), then wait
for the next one with IDLE (RFC 2177) where the server has it, else poll. `probe_imap` is the
admin's test-connection."""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from dataclasses import dataclass
from typing import Any

import aioimaplib

from hotline.channels.email.cancel import cancel_pending
from hotline.channels.email.errors import MailboxUnreachable
from hotline.channels.email.model import ImapServer, Tls

__all__ = [
    "ImapSession",
    "ImapStatus",
    "connect",
    "failure",
    "parse_fetch",
    "probe_imap",
    "tls_context",
]

_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_EXISTS = re.compile(rb"^(\d+) EXISTS")
_FETCH_UID = re.compile(rb"^\d+ FETCH \(.*?UID (\d+)")
_TIMEOUT_S = 20.0
_FAILURES: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    ValueError,  # a host name the resolver refuses (UnicodeError), a garbled answer
    aioimaplib.AioImapException,
)
IDLE_S = 5 * 60.0  # IDLE is renewed this often (RFC 2177 asks for less than 29 minutes)
BATCH = 50  # messages per UID FETCH: a large backlog is read in steps, each one committed


@dataclass(frozen=True, slots=True)
class ImapStatus:
    uidvalidity: int
    messages: int
    idle: bool


def tls_context(verify: bool, ca_file: str = "") -> ssl.SSLContext:
    """The client's TLS: the system's CAs, or the one in `ca_file` (a center's own CA, a
    self-signed server's certificate); no check at all only when `verify` is off."""
    try:
        context = ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as error:
        raise MailboxUnreachable("email.tls.ca_file", f"{ca_file}: {error}") from None
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def failure(error: BaseException, protocol: str) -> MailboxUnreachable:
    """A socket's, TLS's or the library's failure as the mailbox error that names it: a
    certificate that does not verify is said apart from a server out of reach."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return MailboxUnreachable(
            f"email.{protocol}.certificate", error.verify_message or str(error)
        )
    cause = error.__cause__ or error.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return failure(cause, protocol)
    return MailboxUnreachable(f"email.{protocol}.unreachable", str(error) or type(error).__name__)


async def _starttls(client: aioimaplib.IMAP4, server: ImapServer) -> None:
    """Upgrade the plain connection (RFC 3501 §6.2.1): STARTTLS, then TLS on the same socket
    with the server's name checked, then the capabilities asked again (§6.2.1: they may
    change)."""
    protocol = client.protocol
    if "STARTTLS" not in protocol.capabilities:
        raise MailboxUnreachable("email.imap.starttls", ", ".join(sorted(protocol.capabilities)))
    _ok(
        await asyncio.wait_for(
            protocol.execute(aioimaplib.Command("STARTTLS", protocol.new_tag())), _TIMEOUT_S
        ),
        "email.imap.starttls",
        "STARTTLS",
    )
    loop = asyncio.get_running_loop()
    secure = await asyncio.wait_for(
        loop.start_tls(
            protocol.transport,
            protocol,
            tls_context(server.verify_tls, server.ca_file),
            server_hostname=server.host,
        ),
        _TIMEOUT_S,
    )
    protocol.transport = secure
    await asyncio.wait_for(protocol.capability(), _TIMEOUT_S)


def _lines(response: aioimaplib.Response) -> list[bytes]:
    return [bytes(line) for line in response.lines]


def _ok(response: aioimaplib.Response, code: str, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        said = b" ".join(_lines(response)[-1:]).decode("utf-8", "replace")
        raise MailboxUnreachable(code, f"{what}: {said}")
    return response


def parse_fetch(lines: list[bytes]) -> list[tuple[int, bytes]]:
    """(uid, raw message) of each message in a `UID FETCH … (UID BODY.PEEK[])` answer: a
    `n FETCH (UID u BODY[] {size}` line followed by the literal."""
    found: list[tuple[int, bytes]] = []
    uid: int | None = None
    for line in lines:
        if uid is None:
            match = _FETCH_UID.match(line)
            if match and line.rstrip().endswith(b"}"):
                uid = int(match.group(1))
        else:
            found.append((uid, line))
            uid = None
    return found


def _news(line: bytes) -> bool:
    """An untagged IDLE push that may mean new mail (not `OK Still here`, not a flag change)."""
    return bool(re.match(rb"^\d+ (EXISTS|RECENT)", line))


async def _until(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


class ImapSession:
    """One logged-in connection with its folder selected."""

    def __init__(self, client: aioimaplib.IMAP4, status: ImapStatus, lost: asyncio.Event) -> None:
        self.client = client
        self.status = status
        self.lost = lost  # set when the connection drops (a server restart, a network cut)
        # An EXISTS the server sends while a command other than IDLE runs (a mail delivered
        # during the UID SEARCH) is dropped by the library, and the server does not repeat
        # it when IDLE starts: without this the mail would wait for IDLE's renewal. So the
        # session notes every untagged EXISTS/RECENT line before the library sees it.
        self.news = False
        untagged = client.protocol._untagged_response

        def noting(line: bytes) -> Any:
            if _news(line.removeprefix(b"* ")):
                self.news = True
            return untagged(line)

        client.protocol._untagged_response = noting

    def _check(self) -> None:
        if self.lost.is_set():
            raise MailboxUnreachable("email.imap.unreachable", "connection lost")

    async def fetch_after(self, last_uid: int) -> list[tuple[int, bytes]]:
        """Up to BATCH messages with a UID past `last_uid`, oldest first."""
        self._check()
        self.news = False  # what arrives from here on is seen by the next fetch
        try:
            return await self._fetch_after(last_uid)
        except _FAILURES as error:
            raise MailboxUnreachable(
                "email.imap.unreachable", str(error) or type(error).__name__
            ) from None

    async def _fetch_after(self, last_uid: int) -> list[tuple[int, bytes]]:
        search = _ok(
            await self.client.uid_search(f"UID {last_uid + 1}:*"),
            "email.imap.unreachable",
            "UID SEARCH",
        )
        uids: list[int] = []
        for line in _lines(search):
            if line.startswith(b"SEARCH") or line[:1].isdigit():
                uids += [int(w) for w in line.split() if w.isdigit()]
        # "n:*" names the last message even when its UID is below n (§6.4.8)
        wanted = sorted(u for u in set(uids) if u > last_uid)[:BATCH]
        if not wanted:
            return []
        response = _ok(
            await self.client.uid("fetch", ",".join(map(str, wanted)), "(UID BODY.PEEK[])"),
            "email.imap.unreachable",
            "UID FETCH",
        )
        return sorted(m for m in parse_fetch(_lines(response)) if m[0] in set(wanted))

    async def wait_for_news(self, poll_s: float) -> None:
        """Return when the folder may have new messages: IDLE until the server says anything
        but its keep-alive (or IDLE_S pass), else after `poll_s`; raise `MailboxUnreachable`
        when the connection is gone. A message that arrived since the last fetch began (its
        EXISTS came inside another command's answer, `self.news`) returns at once; IDLE_S is
        the net under a server that says nothing."""
        self._check()
        if self.news:  # a mail arrived since the last fetch began: no waiting
            return
        try:
            if not self.status.idle:
                await _until(self.lost, poll_s)
                self._check()
                _ok(await self.client.noop(), "email.imap.unreachable", "NOOP")
                return
            idle = await self.client.idle_start(timeout=IDLE_S)
            waiting: set[asyncio.Future[Any]] = set()
            try:
                while not self.lost.is_set():
                    push = asyncio.ensure_future(self.client.wait_server_push(timeout=IDLE_S))
                    gone = asyncio.ensure_future(self.lost.wait())
                    waiting = {push, gone}
                    done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                    gone.cancel()
                    if push not in done:
                        break
                    try:
                        pushed = push.result()
                    except TimeoutError:
                        break  # renew IDLE and look again
                    if pushed == aioimaplib.STOP_WAIT_SERVER_PUSH:
                        break
                    lines = pushed if isinstance(pushed, list) else [pushed]
                    if any(_news(bytes(p)) for p in lines if isinstance(p, bytes | bytearray)):
                        break
            finally:
                # a waiter left behind would take the next push from the queue (or pin the
                # task when the reader is cancelled)
                for future in waiting:
                    future.cancel()
                # a cancelled reader aborts the socket: no waiting for the server's DONE
                if not self.lost.is_set() and not cancel_pending():
                    self.client.idle_done()
                    await asyncio.wait_for(idle, _TIMEOUT_S)
        except _FAILURES as error:
            raise MailboxUnreachable(
                "email.imap.unreachable", str(error) or type(error).__name__
            ) from None
        self._check()

    async def close(self) -> None:
        if not self.lost.is_set():
            with contextlib.suppress(*_FAILURES):
                await asyncio.wait_for(self.client.logout(), 5)
        self.abort()

    def abort(self) -> None:
        """Close the socket now (a cancelled reader)."""
        _abort(self.client)


def _abort(client: aioimaplib.IMAP4) -> None:
    """Close a client's socket and stop what the library left running for it: the connecting
    task (a cancel while connecting would let it connect later), the IDLE renewal timer and
    the IDLE command's task."""
    client._client_task.cancel()
    if client._idle_waiter is not None:
        client._idle_waiter.cancel()
    for task in list(client.tasks):
        task.cancel()
    transport = getattr(client.protocol, "transport", None)
    if transport is not None:
        transport.close()


async def connect(server: ImapServer) -> ImapSession:
    """Log in and select the folder; raises `MailboxUnreachable` naming what failed (a
    certificate that does not verify: `email.imap.certificate`). IMAP over TLS from the
    first byte, upgraded with STARTTLS, or plain."""
    lost = asyncio.Event()
    try:
        client = aioimaplib.IMAP4(
            server.host,
            server.port,
            timeout=_TIMEOUT_S,
            conn_lost_cb=lambda _error: lost.set(),
            ssl_context=(
                tls_context(server.verify_tls, server.ca_file) if server.tls is Tls.TLS else None
            ),
        )
        try:
            await client.wait_hello_from_server()
        except asyncio.CancelledError:
            _abort(client)
            raise
    except _FAILURES as error:
        raise failure(error, "imap") from None
    session = ImapSession(client, ImapStatus(0, 0, False), lost)
    try:
        if server.tls is Tls.STARTTLS:
            await _starttls(client, server)
        login = await client.login(server.username, server.password)
        if login.result != "OK":
            said = b" ".join(_lines(login)).decode("utf-8", "replace")
            raise MailboxUnreachable("email.imap.login", said)
        selected = await client.select(server.folder)
        if selected.result != "OK":
            raise MailboxUnreachable("email.imap.folder", server.folder)
        uidvalidity, exists = 0, 0
        for line in _lines(selected):
            if match := _UIDVALIDITY.search(line):
                uidvalidity = int(match.group(1))
            if match := _EXISTS.match(line):
                exists = int(match.group(1))
        session.status = ImapStatus(uidvalidity, exists, client.has_capability("IDLE"))
    except asyncio.CancelledError:
        session.abort()
        raise
    except MailboxUnreachable:
        await session.close()
        raise
    except _FAILURES as error:
        session.abort()
        raise failure(error, "imap") from None
    return session


async def probe_imap(server: ImapServer) -> ImapStatus:
    session = await connect(server)
    await session.close()
    return session.status
