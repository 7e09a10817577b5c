"""Registering to carriers' trunks for `SipService` (RFC 3261 §10.2): one loop per trunk that
registers, started and stopped as the trunk list changes at runtime, each trunk's live status
(registered / failed with the SIP status / unregistered, last attempt, expiry), and a one-off
test (a registration attempt, or an OPTIONS ping for a trunk that does not register).

The list is replaced whole (`apply`): a trunk whose settings changed is stopped and started
again; one that is gone or stops registering is unregistered (Expires: 0) on a best-effort
basis, so the provider does not keep sending calls to a binding nobody refreshes.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import socket
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from hotline.sip.address import Address
from hotline.sip.construct import new_call_id, new_tag
from hotline.sip.events import TrunkRegistration
from hotline.sip.headers import Headers
from hotline.sip.message import Request, Response
from hotline.sip.transport.calls import CallFailed
from hotline.sip.trunk import Trunk
from hotline.sip.uri import parse_uri

if TYPE_CHECKING:
    from hotline.sip.transport.service import SipService

__all__ = ["RegistrationState", "TrunkProbe", "TrunkRegistrations", "TrunkStatus"]

RETRY_AFTER_FAILURE_S = 30.0
_CONTACT_EXPIRES = re.compile(r";\s*expires\s*=\s*(\d+)", re.IGNORECASE)


class RegistrationState(StrEnum):
    REGISTERED = "registered"
    FAILED = "failed"
    UNREGISTERED = "unregistered"


@dataclass(frozen=True, slots=True)
class TrunkStatus:
    """One trunk's registration as this node sees it; times are wall-clock seconds."""

    tenant_id: str
    trunk: str
    registers: bool
    state: RegistrationState
    status: int | None = None  # the last REGISTER's final SIP status
    reason: str | None = None  # its reason phrase
    last_attempt: float | None = None
    expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class TrunkProbe:
    """What a test of a trunk gave: the method sent, the status answered (408: no answer)."""

    method: str
    status: int
    reason: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _key(trunk: Trunk) -> tuple[str, str]:
    return (trunk.tenant_id, trunk.name)


async def destination(trunk: Trunk, bound: str = "0.0.0.0") -> Address:
    """Where to send to the trunk. Over UDP a host name is looked up here, off the event loop
    (a datagram socket's `sendto` would resolve it blocking, at each retransmission); streams
    resolve when they connect, and TLS keeps the name to check the certificate against."""
    address = trunk.address
    if address.transport != "udp":
        return address
    try:
        ipaddress.ip_address(address.host.strip("[]"))
        return address
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(
        address.host, address.port, type=socket.SOCK_DGRAM
    )
    # The family of the address the service's UDP socket is bound to (`bound`) first.
    family = socket.AF_INET6 if ":" in bound else socket.AF_INET
    infos.sort(key=lambda info: info[0] != family)
    return Address("udp", str(infos[0][4][0]), address.port)


def granted_expiry(response: Response, asked: int) -> int:
    """The binding's lifetime the registrar granted: the Contact's expires, else Expires."""
    contact = response.headers.get("contact") or ""
    found = _CONTACT_EXPIRES.search(contact)
    if found:
        return int(found.group(1))
    value = (response.headers.get("expires") or "").strip()
    return int(value) if value.isdigit() else asked


class TrunkRegistrations:
    def __init__(self, service: SipService) -> None:
        self.service = service
        self._trunks: dict[tuple[str, str], Trunk] = {}
        self._loops: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._status: dict[tuple[str, str], TrunkStatus] = {}
        self._call_ids: dict[tuple[str, str], str] = {}
        self._seq: dict[tuple[str, str], int] = {}
        self._reported: dict[tuple[str, str], bool] = {}
        self._unregistering: set[asyncio.Task[None]] = set()
        # One REGISTER at a time per trunk: the loop's and a test's share Call-ID and CSeq,
        # and a registrar refuses a CSeq that does not grow (RFC 3261 §10.3 step 7).
        self._sending: dict[tuple[str, str], asyncio.Lock] = {}

    # --- the trunk list ---

    def apply(self, trunks: tuple[Trunk, ...]) -> None:
        """Make the loops follow `trunks`: start new ones, restart changed ones, stop the rest."""
        wanted = {_key(t): t for t in trunks}
        for key, old in list(self._trunks.items()):
            new = wanted.get(key)
            if new == old:
                continue
            self._stop(key)
            if old.register and (new is None or not new.register or new.address != old.address):
                self._unregister_later(old)
        for key, trunk in wanted.items():
            if self._trunks.get(key) == trunk and key in self._loops:
                continue
            self._trunks[key] = trunk
            if trunk.register:
                self._status[key] = TrunkStatus(
                    trunk.tenant_id, trunk.name, True, RegistrationState.UNREGISTERED
                )
                self._loops[key] = asyncio.ensure_future(self._loop(trunk))
            else:
                self._status[key] = TrunkStatus(
                    trunk.tenant_id, trunk.name, False, RegistrationState.UNREGISTERED
                )
        for key in set(self._trunks) - set(wanted):
            del self._trunks[key]
            self._status.pop(key, None)
            self._reported.pop(key, None)
            self._sending.pop(key, None)

    def _stop(self, key: tuple[str, str]) -> None:
        task = self._loops.pop(key, None)
        if task is not None:
            task.cancel()

    def _unregister_later(self, trunk: Trunk) -> None:
        task = asyncio.ensure_future(self._unregister(trunk))
        self._unregistering.add(task)
        task.add_done_callback(self._unregistering.discard)

    async def _unregister(self, trunk: Trunk) -> None:
        with contextlib.suppress(CallFailed, OSError):
            await self.register(trunk, expires=0)

    async def stop(self) -> None:
        tasks = [*self._loops.values(), *self._unregistering]
        self._loops.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- status ---

    def status(self, tenant_id: str | None = None) -> list[TrunkStatus]:
        return [
            s for key, s in sorted(self._status.items()) if tenant_id is None or key[0] == tenant_id
        ]

    # --- one REGISTER, the loop, the test ---

    def _bound(self) -> str:
        udp = self.service.local.get("udp")
        return udp.host if udp is not None else "0.0.0.0"

    async def register(self, trunk: Trunk, expires: int | None = None) -> Response:
        """One REGISTER to the provider (answering its challenge); returns the final response."""
        async with self._sending.setdefault(_key(trunk), asyncio.Lock()):
            return await self._register(trunk, expires)

    async def _register(self, trunk: Trunk, expires: int | None) -> Response:
        service = self.service
        key = _key(trunk)
        dest = await destination(trunk, self._bound())
        local = service.endpoint.local.get(dest.transport) or next(
            iter(service.endpoint.local.values())
        )
        domain = trunk.from_domain or trunk.host
        user = trunk.username or "hotline"
        aor = f"sip:{user}@{domain}"
        headers = Headers()
        headers.add("From", f"<{aor}>;tag={new_tag()}")
        headers.add("To", f"<{aor}>")
        headers.add("Call-ID", self._call_ids.setdefault(key, new_call_id(local.host)))
        headers.add("CSeq", f"{self._seq.get(key, 0) + 1} REGISTER")
        headers.add("Contact", service.contact_for(dest))
        headers.add("Expires", str(trunk.register_expires if expires is None else expires))
        headers.add("Content-Length", "0")
        uri = parse_uri(f"sip:{domain}")
        response, _ = await service.request_with_auth(
            Request("REGISTER", uri, headers), dest, trunk.username, trunk.password
        )
        self._seq[key] = response.cseq.number
        return response

    async def attempt(self, trunk: Trunk) -> TrunkStatus:
        """Register once and record the outcome as the trunk's status (and, when it flips, a
        `sip.trunk_registration` event)."""
        service = self.service
        key = _key(trunk)
        at = service.clock.now()
        try:
            response = await self.register(trunk)
            status, reason = response.status, response.reason
            expiry = granted_expiry(response, trunk.register_expires)
        except CallFailed as exc:
            status, reason, expiry = exc.status, exc.reason, 0
        except OSError as exc:  # a host name not found, a stream that does not connect
            status, reason, expiry = 503, exc.strerror or "Service Unavailable", 0
        ok = 200 <= status < 300
        state = RegistrationState.REGISTERED if ok else RegistrationState.FAILED
        result = TrunkStatus(
            trunk.tenant_id, trunk.name, trunk.register, state, status, reason, at,
            at + expiry if ok else None,
        )  # fmt: skip
        if self._trunks.get(key) == trunk:  # still the trunk's settings
            self._status[key] = result
            if self._reported.get(key) != ok:
                self._reported[key] = ok
                service.sink.emit(
                    TrunkRegistration(
                        tenant_id=trunk.tenant_id, at=at, trunk=trunk.name, registered=ok,
                        status=status, expires_at=result.expires_at,
                    )
                )  # fmt: skip
        return result

    async def _loop(self, trunk: Trunk) -> None:
        while True:
            result = await self.attempt(trunk)
            if result.expires_at is not None and result.last_attempt is not None:
                lifetime = result.expires_at - result.last_attempt
                await asyncio.sleep(max(30.0, lifetime * 0.8))
            else:
                await asyncio.sleep(RETRY_AFTER_FAILURE_S)

    async def test(self, trunk: Trunk) -> TrunkProbe:
        """A registration attempt for a trunk that registers (its status follows), else an
        OPTIONS ping to the trunk's host."""
        if trunk.register:
            result = await self.attempt(trunk)
            return TrunkProbe("REGISTER", result.status or 408, result.reason or "")
        try:
            response = await self.service.options(await destination(trunk, self._bound()))
        except CallFailed as exc:
            return TrunkProbe("OPTIONS", exc.status, exc.reason)
        except OSError as exc:
            return TrunkProbe("OPTIONS", 503, exc.strerror or "Service Unavailable")
        return TrunkProbe("OPTIONS", response.status, response.reason)
