"""Registrar (RFC 3261 §10.3): bindings of an address-of-record to contacts, with expiry.

Pure: `register(request, aor, source, now)` returns the response status, its headers and the
binding changes for events and persistence; `expire(now)` ends bindings whose time is up.
Bindings are persisted through a `BindingStore` so phones stay reachable across a restart.
Hotline's address-of-record is the user part (the extension) within the service's realm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from hotline.sip.address import Address
from hotline.sip.message import Request
from hotline.sip.uri import SipUri

__all__ = [
    "Binding",
    "BindingChange",
    "BindingStore",
    "ChangeKind",
    "InMemoryBindingStore",
    "RegisterResult",
    "Registrar",
    "RegistrarSettings",
]


@dataclass(frozen=True, slots=True)
class Binding:
    aor: str
    contact: str
    expires_at: float
    source: Address
    call_id: str
    cseq: int
    q: float = 1.0
    user_agent: str | None = None
    registered_at: float = 0.0
    reachable: bool = True

    def expires_in(self, now: float) -> int:
        return max(0, round(self.expires_at - now))


class ChangeKind(StrEnum):
    ADDED = "added"
    REFRESHED = "refreshed"
    REMOVED = "removed"
    EXPIRED = "expired"
    REACHABILITY = "reachability"


@dataclass(frozen=True, slots=True)
class BindingChange:
    kind: ChangeKind
    binding: Binding


@dataclass(frozen=True, slots=True)
class RegisterResult:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    changes: list[BindingChange] = field(default_factory=list)
    reason: str | None = None


class BindingStore(Protocol):
    """Persistence of bindings; the lead's database implementation lives in `hotline.store`."""

    async def load_all(self) -> list[Binding]: ...

    async def save(self, binding: Binding) -> None: ...

    async def delete(self, aor: str, contact: str) -> None: ...


class InMemoryBindingStore:
    def __init__(self) -> None:
        self.bindings: dict[tuple[str, str], Binding] = {}

    async def load_all(self) -> list[Binding]:
        return list(self.bindings.values())

    async def save(self, binding: Binding) -> None:
        self.bindings[(binding.aor, binding.contact)] = binding

    async def delete(self, aor: str, contact: str) -> None:
        self.bindings.pop((aor, contact), None)


@dataclass(frozen=True, slots=True)
class RegistrarSettings:
    min_expires: int = 60
    max_expires: int = 3600
    default_expires: int = 3600
    max_contacts_per_aor: int = 10


class Registrar:
    def __init__(self, settings: RegistrarSettings | None = None) -> None:
        self.settings = settings or RegistrarSettings()
        self._bindings: dict[str, dict[str, Binding]] = {}

    def load(self, bindings: Iterable[Binding], now: float) -> list[BindingChange]:
        """Restore persisted bindings; the expired ones come back as EXPIRED changes."""
        gone: list[BindingChange] = []
        for b in bindings:
            if b.expires_at > now:
                self._bindings.setdefault(b.aor, {})[b.contact] = b
            else:
                gone.append(BindingChange(ChangeKind.EXPIRED, b))
        return gone

    def register(self, request: Request, aor: str, source: Address, now: float) -> RegisterResult:
        s = self.settings
        current = self._bindings.setdefault(aor, {})
        header_expires = request.expires
        call_id = request.call_id
        cseq = request.cseq.number
        changes: list[BindingChange] = []
        if request.is_wildcard_contact:
            if header_expires != 0:
                return RegisterResult(400, reason="Contact * needs Expires: 0")
            for b in list(current.values()):
                if b.call_id == call_id and cseq <= b.cseq:
                    return RegisterResult(400, reason="CSeq out of order")
            changes = [BindingChange(ChangeKind.REMOVED, b) for b in current.values()]
            current.clear()
            return RegisterResult(200, changes=changes)
        updates: list[tuple[str, int, float]] = []
        for contact in request.contacts:
            param = contact.param("expires")
            expires = int(param) if param else header_expires
            if expires is None:
                expires = s.default_expires
            if 0 < expires < s.min_expires:
                return RegisterResult(423, [("Min-Expires", str(s.min_expires))])
            q_text = contact.param("q")
            try:
                q = float(q_text) if q_text else 1.0
            except ValueError:
                return RegisterResult(400, reason="bad q value")
            uri = contact.uri
            text = str(uri.without_params()) if isinstance(uri, SipUri) else str(uri)
            updates.append((text, min(expires, s.max_expires), q))
        for text, _, _ in updates:
            old = current.get(text)
            if old is not None and old.call_id == call_id and cseq <= old.cseq:
                return RegisterResult(400, reason="CSeq out of order")
        added = sum(1 for text, exp, _ in updates if exp and text not in current)
        if len(current) + added > s.max_contacts_per_aor:
            return RegisterResult(403, reason="too many contacts")
        ua = request.headers.get("user-agent")
        for text, expires, q in updates:
            old = current.get(text)
            if expires == 0:
                if old is not None:
                    del current[text]
                    changes.append(BindingChange(ChangeKind.REMOVED, old))
                continue
            binding = Binding(
                aor=aor,
                contact=text,
                expires_at=now + expires,
                source=source,
                call_id=call_id,
                cseq=cseq,
                q=q,
                user_agent=ua,
                registered_at=now if old is None else old.registered_at,
                reachable=True if old is None else old.reachable,
            )
            current[text] = binding
            kind = ChangeKind.ADDED if old is None else ChangeKind.REFRESHED
            changes.append(BindingChange(kind, binding))
        if not current:
            self._bindings.pop(aor, None)
        headers = [
            ("Contact", f"<{b.contact}>;expires={b.expires_in(now)}") for b in current.values()
        ]
        return RegisterResult(200, headers, changes)

    def expire(self, now: float) -> list[BindingChange]:
        gone: list[BindingChange] = []
        for aor in list(self._bindings):
            contacts = self._bindings[aor]
            for text, b in list(contacts.items()):
                if b.expires_at <= now:
                    del contacts[text]
                    gone.append(BindingChange(ChangeKind.EXPIRED, b))
            if not contacts:
                del self._bindings[aor]
        return gone

    def next_expiry(self) -> float | None:
        return min(
            (b.expires_at for contacts in self._bindings.values() for b in contacts.values()),
            default=None,
        )

    def contacts(self, aor: str, now: float) -> list[Binding]:
        """Live bindings of `aor`, highest q first."""
        found = [b for b in self._bindings.get(aor, {}).values() if b.expires_at > now]
        return sorted(found, key=lambda b: -b.q)

    def all_bindings(self) -> list[Binding]:
        return [b for contacts in self._bindings.values() for b in contacts.values()]

    def set_reachable(self, aor: str, contact: str, reachable: bool) -> BindingChange | None:
        """Record a qualify result; a change only when reachability flips."""
        b = self._bindings.get(aor, {}).get(contact)
        if b is None or b.reachable == reachable:
            return None
        updated = replace(b, reachable=reachable)
        self._bindings[aor][contact] = updated
        return BindingChange(ChangeKind.REACHABILITY, updated)
