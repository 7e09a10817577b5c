"""A trunk a center stores (its admin pages add, change and disable it) and the one place the
rules of a trunk's values live: host, port, transport, registration interval, codecs, the
addresses it calls from. Each refusal names its field and says why in a catalog sentence."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace

from hotline.sip.trunk import Trunk
from hotline.trunks.errors import TrunkInvalid

__all__ = [
    "CODECS",
    "MAX_EXPIRES",
    "MIN_EXPIRES",
    "TRANSPORTS",
    "StoredTrunk",
    "TrunkValues",
    "check_trunk",
]

TRANSPORTS = ("udp", "tcp", "tls")
CODECS = ("PCMU", "PCMA")  # what the media engine speaks (hotline.sip.offeranswer)
DID_FROM = ("request-uri", "to")
MIN_EXPIRES = 60
MAX_EXPIRES = 86_400
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")
_NAME = re.compile(r"^[\w.\-]{1,64}$")
_USER = re.compile(r"^[^\s:@<>\"]{1,128}$")


@dataclass(frozen=True, slots=True)
class TrunkValues:
    """What an admin gives for a trunk; `password` None keeps the stored one on a change."""

    name: str
    host: str
    port: int = 5060
    transport: str = "udp"
    username: str = ""
    password: str | None = None
    realm: str = ""
    from_domain: str = ""
    register: bool = False
    register_expires: int = 3600
    codecs: tuple[str, ...] = CODECS
    inbound_sources: tuple[str, ...] = ()
    did_from: str = "request-uri"
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class StoredTrunk:
    id: str
    tenant_id: str
    values: TrunkValues

    def sip_trunk(self) -> Trunk:
        """The trunk as the SIP service uses it."""
        v = self.values
        return Trunk(
            name=v.name,
            host=v.host,
            port=v.port,
            transport=v.transport,
            username=v.username or None,
            password=v.password or None,
            realm=v.realm or None,
            from_domain=v.from_domain or None,
            register=v.register,
            register_expires=v.register_expires,
            inbound_sources=v.inbound_sources,
            did_from=v.did_from,
            tenant_id=self.tenant_id,
            codecs=v.codecs,
        )

    def with_values(self, values: TrunkValues) -> StoredTrunk:
        """These values, keeping the stored password when none is given."""
        if values.password is None:
            values = replace(values, password=self.values.password)
        return replace(self, values=values)


def _is_host(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]") if value.startswith("[") else value)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(value)) and not value.replace(".", "").isdigit()


def _check_source(source: str) -> None:
    host, port = source, None
    if source.startswith("["):  # [v6]:port
        end = source.find("]")
        host, rest = source[: end + 1], source[end + 1 :]
        port = rest[1:] if rest.startswith(":") else (None if not rest else "x")
    elif source.count(":") == 1:
        host, port = source.split(":")
    if not _is_host(host) or (port is not None and not (port.isdigit() and 0 < int(port) < 65536)):
        raise TrunkInvalid(
            "inbound_sources", "“%(value)s” is not a host or host:port", value=source
        )


def check_trunk(values: TrunkValues) -> TrunkValues:
    """The values as stored (trimmed), or `TrunkInvalid` naming the first field at fault."""
    v = replace(
        values,
        name=values.name.strip(),
        host=values.host.strip(),
        username=values.username.strip(),
        realm=values.realm.strip(),
        from_domain=values.from_domain.strip(),
        inbound_sources=tuple(s.strip() for s in values.inbound_sources if s.strip()),
        codecs=tuple(c.strip().upper() for c in values.codecs if c.strip()),
    )
    if not _NAME.match(v.name):
        raise TrunkInvalid(
            "name", "use 1 to 64 letters, digits, dots, dashes or underscores", value=v.name
        )
    if not v.host:
        raise TrunkInvalid("host", "is required")
    if not _is_host(v.host):
        raise TrunkInvalid("host", "“%(value)s” is not a host name or IP address", value=v.host)
    if not 0 < v.port < 65536:
        raise TrunkInvalid("port", "must be between 1 and 65535")
    if v.transport not in TRANSPORTS:
        raise TrunkInvalid("transport", "must be UDP, TCP or TLS")
    if v.username and not _USER.match(v.username):
        raise TrunkInvalid("username", "must not contain spaces, “:”, “@” or angle brackets")
    if v.from_domain and not _is_host(v.from_domain):
        raise TrunkInvalid(
            "from_domain", "“%(value)s” is not a host name or IP address", value=v.from_domain
        )
    if v.register and not v.username:
        raise TrunkInvalid("username", "is required to register")
    if not MIN_EXPIRES <= v.register_expires <= MAX_EXPIRES:
        raise TrunkInvalid(
            "register_expires",
            "must be between %(min)s and %(max)s seconds",
            min=MIN_EXPIRES,
            max=MAX_EXPIRES,
        )
    if not v.codecs:
        raise TrunkInvalid("codecs", "choose at least one codec")
    for codec in v.codecs:
        if codec not in CODECS:
            raise TrunkInvalid(
                "codecs", "“%(value)s” is not a codec Hotline speaks (PCMU, PCMA)", value=codec
            )
    if len(set(v.codecs)) != len(v.codecs):
        raise TrunkInvalid("codecs", "names a codec twice")
    for source in v.inbound_sources:
        _check_source(source)
    if v.did_from not in DID_FROM:
        raise TrunkInvalid("did_from", "must be the Request-URI or the To header")
    return v
