"""REGISTER handling, digest checks, contact qualify and trunk registration for `SipService`.

The protocol decisions are the pure `Registrar` and `DigestAuthenticator`; this module adds
the asyncio parts: credential and binding store calls, OPTIONS qualify rounds, outbound
registration loops, and the domain events (`sip.registered`, `sip.unregistered`,
`sip.reachability`); registering to trunks is `trunk_registration.py`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from hotline.sip.auth import AuthOutcome, CredentialStore, DigestResponse
from hotline.sip.construct import make_response, new_tag
from hotline.sip.endpoint import RequestReceived
from hotline.sip.events import (
    ContactReachability,
    Registered,
    Unregistered,
)
from hotline.sip.registrar import (
    Binding,
    BindingChange,
    BindingStore,
    ChangeKind,
    Registrar,
    RegistrarSettings,
)
from hotline.sip.transport.calls import CallFailed
from hotline.sip.trunk import Trunk
from hotline.sip.uri import SipUri

if TYPE_CHECKING:
    from hotline.sip.transport.service import SipService

__all__ = ["RegistrationService"]


class RegistrationService:
    def __init__(
        self,
        service: SipService,
        credentials: CredentialStore | None,
        store: BindingStore,
        settings: RegistrarSettings,
    ) -> None:
        self.service = service
        self.credentials = credentials
        self.store = store
        self.registrar = Registrar(settings)
        self._last_qualify = 0.0
        # Where each binding registered from: those addresses are "known" to the protector
        # (exempt from the budgets shared by unknown sources).
        self._binding_hosts: dict[tuple[str, str], str] = {}

    async def start(self) -> None:
        gone = self.registrar.load(await self.store.load_all(), self.service.now())
        for binding in self.registrar.all_bindings():
            self._track_host(binding)
        await self._apply(gone)

    async def stop(self) -> None:
        """Nothing of its own runs between requests (trunks: `TrunkRegistrations`)."""

    # --- authentication (REGISTER and INVITE from phones) ---

    async def authenticate(self, event: RequestReceived) -> str | None:
        """The authenticated user as an address-of-record ("1001" in the configured realm,
        "1001@east.example.com" in another domain), or None after answering 401/403
        ourselves. The realm is the request's domain (`RealmMap.realm_for`, ADR 0141)."""
        service = self.service
        request = event.request
        realm = service.realms.realm_for(request)
        if self.credentials is None:
            user = request.from_.sip_uri.user_unescaped if request.from_.sip_uri else ""
            return service.realms.aor(user or "", realm)
        now = service.now()
        value = request.headers.get("authorization") or request.headers.get("proxy-authorization")
        creds = DigestResponse.parse(value) if value else None
        if creds is None:
            self._challenge(event, realm, stale=False)
            return None
        host = event.source.host
        if not service.authenticator.issued(creds.nonce, host):
            # A made-up nonce, another server's, or one we sent to another address: challenge
            # again and count nothing, or a forged source address could get a trunk banned.
            service.protector.foreign_nonce()
            self._challenge(event, realm, stale=False)
            return None
        ha1 = await self.credentials.lookup(realm, creds.username)
        outcome = service.authenticator.verify(creds, request.method, ha1, now, host, realm=realm)
        if outcome is AuthOutcome.OK:
            service.protector.auth_succeeded(host)
            return service.realms.aor(creds.username, realm)
        if outcome is AuthOutcome.STALE:
            self._challenge(event, realm, stale=True)
            return None
        service.protector.auth_failed(host, now)
        service._protection_events()
        service.respond_stateless(event.transaction, make_response(request, 403, to_tag=new_tag()))
        return None

    def _challenge(self, event: RequestReceived, realm: str, *, stale: bool) -> None:
        service = self.service
        ua = (event.request.headers.get("user-agent") or "").lower()
        algorithms = None
        if any(needle.lower() in ua for needle in service.config.md5_only_user_agents):
            algorithms = ("MD5",)
        challenges = service.authenticator.challenges(
            service.now(), stale=stale, algorithms=algorithms, source=event.source.host,
            realm=realm,
        )  # fmt: skip
        response = make_response(
            event.request,
            401,
            to_tag=new_tag(),
            extra=[("WWW-Authenticate", c) for c in challenges],
        )
        # Stateless (RFC 3261 §8.2.7): the nonce carries its own state, and a client whose
        # 401 was lost retransmits its request and is challenged again.
        service.respond_stateless(event.transaction, response)

    # --- REGISTER ---

    async def handle_register(self, event: RequestReceived) -> None:
        request = event.request
        service = self.service
        to_uri = request.to.uri
        if not isinstance(to_uri, SipUri) or not to_uri.user:
            response = make_response(
                request, 400, "To must be a sip URI with a user", to_tag=new_tag()
            )
            service.respond(event.transaction, response)
            return
        # Bare in the configured realm, "1001@domain" in a tenant's own domain (ADR 0141).
        aor = service.realms.aor(to_uri.user_unescaped or "", service.realms.realm_for(request))
        user = await self.authenticate(event)
        if user is None:
            return
        if self.credentials is not None and user != aor:
            response = make_response(request, 403, "Not your address-of-record", to_tag=new_tag())
            service.respond(event.transaction, response)
            return
        result = self.registrar.register(request, aor, event.source, service.now())
        extra = list(result.headers)
        if result.status == 200:
            extra.append(
                (
                    "Date",
                    time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(service.clock.now())),
                )
            )
        response = make_response(
            request, result.status, result.reason, to_tag=new_tag(), extra=extra
        )
        service.respond(event.transaction, response)
        await self._apply(result.changes)

    async def _apply(self, changes: list[BindingChange]) -> None:
        service = self.service
        at = service.clock.now()
        for change in changes:
            b = change.binding
            tenant = service.realms.tenant_of_aor(b.aor)
            wall_expiry = at + (b.expires_at - service.now())
            if change.kind in (ChangeKind.REMOVED, ChangeKind.EXPIRED):
                host = self._binding_hosts.pop((b.aor, b.contact), None)
                if host is not None:
                    service.protector.remove_known(host)
            elif change.kind in (ChangeKind.ADDED, ChangeKind.REFRESHED):
                self._track_host(b)
            if change.kind in (ChangeKind.ADDED, ChangeKind.REFRESHED):
                await self.store.save(b)
                service.sink.emit(
                    Registered(
                        tenant_id=tenant, at=at, aor=b.aor, contact=b.contact,
                        expires_at=wall_expiry, source=f"{b.source.host}:{b.source.port}",
                        transport=b.source.transport, user_agent=b.user_agent,
                        refreshed=change.kind is ChangeKind.REFRESHED,
                    )
                )  # fmt: skip
            elif change.kind in (ChangeKind.REMOVED, ChangeKind.EXPIRED):
                await self.store.delete(b.aor, b.contact)
                service.sink.emit(
                    Unregistered(
                        tenant_id=tenant, at=at, aor=b.aor, contact=b.contact,
                        reason=change.kind.value,
                    )
                )  # fmt: skip
            else:
                await self.store.save(b)

    def _track_host(self, binding: Binding) -> None:
        key = (binding.aor, binding.contact)
        host = binding.source.host
        old = self._binding_hosts.get(key)
        if old == host:
            return
        if old is not None:
            self.service.protector.remove_known(old)
        self._binding_hosts[key] = host
        self.service.protector.add_known(host)

    def contacts(self, aor: str) -> list[Binding]:
        return self.registrar.contacts(aor, self.service.now())

    def tick(self) -> None:
        """Called every second: expire bindings, start a qualify round when due."""
        now = self.service.now()
        gone = self.registrar.expire(now)
        if gone:
            self.service._spawn(self._apply(gone))
        interval = self.service.config.qualify_interval_s
        if interval > 0 and now - self._last_qualify >= interval:
            self._last_qualify = now
            for binding in self.registrar.all_bindings():
                self.service._spawn(self.qualify(binding))

    async def qualify(self, binding: Binding) -> bool:
        """OPTIONS to a contact; a reachability event when it flips."""
        service = self.service
        started = service.now()
        try:
            await service.options(binding.source, binding.contact)
            reachable = True
        except CallFailed:
            reachable = False
        rtt = (service.now() - started) * 1000.0
        change = self.registrar.set_reachable(binding.aor, binding.contact, reachable)
        if change is not None:
            await self._apply([change])
            service.sink.emit(
                ContactReachability(
                    tenant_id=service.realms.tenant_of_aor(binding.aor),
                    at=service.clock.now(), aor=binding.aor,
                    contact=binding.contact, reachable=reachable,
                    rtt_ms=round(rtt, 1) if reachable else None,
                )
            )  # fmt: skip
        return reachable

    # --- registering to trunks (hotline.sip.transport.trunk_registration) ---

    async def register_trunk(self, trunk: Trunk, expires: int | None = None) -> int:
        """One REGISTER to the provider (answering its challenge); returns the status."""
        response = await self.service.trunk_registrations.register(trunk, expires)
        return response.status
