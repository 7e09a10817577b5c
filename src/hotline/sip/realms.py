"""Several SIP domains on one server, each the realm of one tenant (ADR 0141).

A request belongs to the domain it names: a REGISTER to its To host (RFC 3261 §10.2: the
address-of-record being registered), an INVITE from a phone to its From host (the caller's own
domain, where its credentials live), then its Request-URI host. A host that is no known domain
(an IP address, a trunk's name) falls back to the configured realm, which keeps every server
with one tenant working as before.

Addresses-of-record of the configured realm stay bare extensions ("1001"); those of any other
domain are qualified ("1001@east.example.com"), so two tenants may both have a 1001.

    realms = RealmMap("hotline", tenant_id="t-demo")
    realms.add("east.example.com", "t-east")
    realms.realm_for(request)            # "east.example.com"
    realms.aor("1001", "east.example.com")   # "1001@east.example.com"
    realms.aor_of_tenant("t-east", "1001")   # the same, from the tenant's side
"""

from __future__ import annotations

from hotline.sip.message import Request
from hotline.sip.uri import SipUri, Uri

__all__ = ["RealmMap"]


def _host(uri: Uri) -> str | None:
    return uri.host.lower() if isinstance(uri, SipUri) else None


class RealmMap:
    """SIP domain → tenant id, changed at runtime as tenants come and go."""

    def __init__(self, primary: str, tenant_id: str) -> None:
        self.primary = primary.lower()
        self.primary_tenant = tenant_id
        self._tenants: dict[str, str] = {self.primary: tenant_id}
        self._domains: dict[str, str] = {tenant_id: self.primary}

    def __contains__(self, domain: object) -> bool:
        return isinstance(domain, str) and domain.lower() in self._tenants

    def domains(self) -> dict[str, str]:
        return dict(self._tenants)

    def add(self, domain: str, tenant_id: str) -> None:
        """Serve `domain` for `tenant_id` (replacing the tenant's previous domain, if any)."""
        domain = domain.lower()
        if domain == self.primary:
            # The configured realm's tenant is named by the database, not the settings.
            self.primary_tenant = tenant_id
        old = self._domains.get(tenant_id)
        if old is not None and old != domain and old != self.primary:
            self._tenants.pop(old, None)
        self._tenants[domain] = tenant_id
        self._domains[tenant_id] = domain

    def remove(self, tenant_id: str) -> None:
        domain = self._domains.pop(tenant_id, None)
        if domain is not None and domain != self.primary:
            self._tenants.pop(domain, None)

    # --- which domain ---------------------------------------------------------------------

    def realm_of(self, host: str | None) -> str:
        """`host` when it is one of our domains, else the configured realm."""
        if host and host.lower() in self._tenants:
            return host.lower()
        return self.primary

    def realm_for(self, request: Request) -> str:
        """The domain a request is for: REGISTER its To host; other requests their From
        host, then their Request-URI host; else the configured realm."""
        if request.method == "REGISTER":
            hosts = [_host(request.to.uri)]
        else:
            hosts = [_host(request.from_.uri), _host(request.uri)]
        for host in hosts:
            if host and host in self._tenants:
                return host
        return self.primary

    def tenant_of(self, realm: str) -> str:
        return self._tenants.get(realm.lower(), self.primary_tenant)

    def tenant_of_aor(self, aor: str) -> str:
        """The tenant of an address-of-record ("1001" or "1001@east.example.com")."""
        _, at, domain = aor.rpartition("@")
        return self.tenant_of(domain) if at else self.primary_tenant

    # --- addresses-of-record --------------------------------------------------------------

    def aor(self, user: str, realm: str) -> str:
        """The key a registration is kept under: bare in the configured realm."""
        realm = realm.lower()
        return user if realm == self.primary else f"{user}@{realm}"

    def aor_of_tenant(self, tenant_id: str, extension: str) -> str:
        """The address-of-record of a tenant's extension (its domain's, or bare)."""
        return self.aor(extension, self._domains.get(tenant_id, self.primary))
