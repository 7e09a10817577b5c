"""Digest authentication (RFC 3261 §22, RFC 7616 with the SIP rules of RFC 8760).

Server side: `DigestAuthenticator` issues challenges (SHA-256 first, then MD5, qop=auth) with
nonces that carry their own issue time and an HMAC, so they expire without server state, and
refuses a reused nonce-count so a captured Authorization cannot be replayed. Passwords are
never stored: a `CredentialStore` hands out HA1 values (`compute_ha1`). Client side:
`authorization_header` answers a trunk's 401/407 challenge.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from hotline.sip.grammar import quote, unquote

__all__ = [
    "AuthOutcome",
    "CredentialStore",
    "DigestAuthenticator",
    "DigestResponse",
    "Ha1Values",
    "InMemoryCredentialStore",
    "authorization_header",
    "compute_ha1",
    "parse_auth_params",
]

_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
_PARAM_RE = re.compile(r'\s*([A-Za-z0-9\-_]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)\s*(?:,|$)')


def _h(algorithm: str, text: str) -> str:
    return _HASHES[algorithm](text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Ha1Values:
    """H(username:realm:password) for each algorithm; what a database stores for a phone."""

    md5: str
    sha256: str

    def for_algorithm(self, algorithm: str) -> str:
        return self.sha256 if algorithm == "SHA-256" else self.md5


def compute_ha1(username: str, realm: str, password: str) -> Ha1Values:
    """The HA1 values to store when an admin sets a phone's password."""
    text = f"{username}:{realm}:{password}"
    return Ha1Values(_h("MD5", text), _h("SHA-256", text))


class CredentialStore(Protocol):
    """Looks up the HA1 values of a SIP user; None if the user does not exist."""

    async def lookup(self, realm: str, username: str) -> Ha1Values | None: ...


class InMemoryCredentialStore:
    def __init__(self) -> None:
        self._users: dict[tuple[str, str], Ha1Values] = {}

    def set_password(self, realm: str, username: str, password: str) -> None:
        self._users[(realm, username)] = compute_ha1(username, realm, password)

    def set_ha1(self, realm: str, username: str, values: Ha1Values) -> None:
        self._users[(realm, username)] = values

    def remove(self, realm: str, username: str) -> None:
        self._users.pop((realm, username), None)

    async def lookup(self, realm: str, username: str) -> Ha1Values | None:
        return self._users.get((realm, username))


def parse_auth_params(value: str) -> tuple[str, dict[str, str]]:
    """`Digest a="b", c=d` -> ("digest", {"a": "b", "c": "d"}); names lower-cased."""
    scheme, _, rest = value.strip().partition(" ")
    params: dict[str, str] = {}
    pos = 0
    rest = rest.strip()
    while pos < len(rest):
        m = _PARAM_RE.match(rest, pos)
        if m is None:
            break
        raw = m.group(2)
        params[m.group(1).lower()] = unquote(raw) if raw.startswith('"') else raw
        pos = m.end()
    return scheme.lower(), params


@dataclass(frozen=True, slots=True)
class DigestResponse:
    """The parsed Authorization / Proxy-Authorization of a request."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str = "MD5"
    qop: str | None = None
    nc: str | None = None
    cnonce: str | None = None
    opaque: str | None = None

    @classmethod
    def parse(cls, value: str) -> DigestResponse | None:
        scheme, p = parse_auth_params(value)
        if scheme != "digest":
            return None
        try:
            return cls(
                username=p["username"],
                realm=p["realm"],
                nonce=p["nonce"],
                uri=p["uri"],
                response=p["response"].lower(),
                algorithm=p.get("algorithm", "MD5").upper().replace("SHA256", "SHA-256"),
                qop=p.get("qop"),
                nc=p.get("nc"),
                cnonce=p.get("cnonce"),
                opaque=p.get("opaque"),
            )
        except KeyError:
            return None


def expected_response(
    ha1: str, algorithm: str, method: str, uri: str, nonce: str,
    qop: str | None, nc: str | None, cnonce: str | None,
) -> str:  # fmt: skip
    ha2 = _h(algorithm, f"{method}:{uri}")
    if qop == "auth":
        return _h(algorithm, f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _h(algorithm, f"{ha1}:{nonce}:{ha2}")


class AuthOutcome(StrEnum):
    OK = "ok"
    STALE = "stale"  # right password, expired nonce: challenge again with stale=true
    FAILED = "failed"  # a wrong answer to a nonce we issued to this source: counts toward a ban
    UNKNOWN_USER = "unknown_user"  # (also to our nonce)
    # Not a nonce we issued to this source (made up, another server's, or one issued to another
    # address): challenge again, never count it — anyone can forge a source address (ADR 0101).
    FOREIGN_NONCE = "foreign_nonce"


@dataclass
class DigestAuthenticator:
    """Issues and checks digest challenges. `realm` is the default; a server with several SIP
    domains passes the realm of each request to `challenges` and `verify` (ADR 0141). Nonces
    are not bound to a realm: the HA1 looked up for the answer's realm is what must match."""

    realm: str
    nonce_lifetime: float = 300.0
    algorithms: tuple[str, ...] = ("SHA-256", "MD5")
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    max_tracked_nonces: int = 50_000
    _counts: OrderedDict[str, int] = field(default_factory=OrderedDict)

    def new_nonce(self, now: float, source: str = "") -> str:
        """A nonce carrying its issue time, bound by its HMAC to the address it is sent to."""
        stamp = struct.pack(">d", now) + secrets.token_bytes(8)
        return base64.urlsafe_b64encode(stamp + self._mac(stamp, source)).decode().rstrip("=")

    def _mac(self, stamp: bytes, source: str) -> bytes:
        return hmac.new(self.secret, stamp + source.encode(), hashlib.sha256).digest()[:16]

    def _nonce_time(self, nonce: str, source: str = "") -> float | None:
        """When we issued `nonce` to `source`; None if we did not."""
        try:
            raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))
        except (ValueError, TypeError):
            return None
        if len(raw) != 32:
            return None
        stamp, mac = raw[:16], raw[16:]
        if not hmac.compare_digest(mac, self._mac(stamp, source)):
            return None
        return float(struct.unpack(">d", stamp[:8])[0])

    def issued(self, nonce: str, source: str = "") -> bool:
        return self._nonce_time(nonce, source) is not None

    def challenges(
        self,
        now: float,
        *,
        stale: bool = False,
        algorithms: tuple[str, ...] | None = None,
        source: str = "",
        realm: str | None = None,
    ) -> list[str]:
        """WWW-Authenticate values, strongest algorithm first (RFC 8760 §2.4); the nonce is
        bound to `source` (the address the challenge goes to); `realm` defaults to ours."""
        nonce = self.new_nonce(now, source)
        extra = ", stale=true" if stale else ""
        return [
            f"Digest realm={quote(realm or self.realm)}, nonce={quote(nonce)}, algorithm={alg}, "
            f'qop="auth"{extra}'
            for alg in (algorithms or self.algorithms)
        ]

    def verify(
        self,
        credentials: DigestResponse,
        method: str,
        ha1: Ha1Values | None,
        now: float,
        source: str = "",
        realm: str | None = None,
    ) -> AuthOutcome:
        """Check an answer from `source` (the address the request came from) in `realm`
        (default: ours); `ha1` must be the one stored for that realm."""
        issued = self._nonce_time(credentials.nonce, source)
        if issued is None:
            return AuthOutcome.FOREIGN_NONCE
        if ha1 is None:
            return AuthOutcome.UNKNOWN_USER
        if credentials.realm != (realm or self.realm):
            return AuthOutcome.FAILED
        if credentials.algorithm not in self.algorithms:
            return AuthOutcome.FAILED
        if credentials.qop not in (None, "auth"):
            return AuthOutcome.FAILED
        if credentials.qop == "auth" and (not credentials.nc or not credentials.cnonce):
            return AuthOutcome.FAILED
        expected = expected_response(
            ha1.for_algorithm(credentials.algorithm),
            credentials.algorithm,
            method,
            credentials.uri,
            credentials.nonce,
            credentials.qop,
            credentials.nc,
            credentials.cnonce,
        )
        if not hmac.compare_digest(expected, credentials.response):
            return AuthOutcome.FAILED
        if now - issued > self.nonce_lifetime or issued - now > 5.0:
            return AuthOutcome.STALE
        # Replay: each nonce-count may be used once and must grow (RFC 7616 §3.4.5);
        # without qop there is no count, so the nonce is single-use.
        count = int(credentials.nc, 16) if credentials.nc else 1
        last = self._counts.get(credentials.nonce, 0)
        if count <= last:
            return AuthOutcome.STALE
        self._counts[credentials.nonce] = count
        self._counts.move_to_end(credentials.nonce)
        while len(self._counts) > self.max_tracked_nonces:
            self._counts.popitem(last=False)
        return AuthOutcome.OK


def authorization_header(
    challenge: str,
    *,
    method: str,
    uri: str,
    username: str,
    password: str,
    nc: int = 1,
    cnonce: str | None = None,
) -> str | None:
    """Answer a WWW-/Proxy-Authenticate challenge (client side, for trunks); None if its
    scheme or algorithm is not one we speak."""
    scheme, p = parse_auth_params(challenge)
    if scheme != "digest" or "nonce" not in p:
        return None
    algorithm = p.get("algorithm", "MD5").upper()
    if algorithm not in _HASHES:
        return None
    realm = p.get("realm", "")
    qops = [q.strip() for q in p.get("qop", "").split(",") if q.strip()]
    qop = "auth" if "auth" in qops else None
    cnonce = cnonce or secrets.token_hex(8)
    nc_text = f"{nc:08x}"
    ha1 = _h(algorithm, f"{username}:{realm}:{password}")
    response = expected_response(ha1, algorithm, method, uri, p["nonce"], qop, nc_text, cnonce)
    parts = [
        f"username={quote(username)}",
        f"realm={quote(realm)}",
        f"nonce={quote(p['nonce'])}",
        f"uri={quote(uri)}",
        f"response={quote(response)}",
        f"algorithm={algorithm}",
    ]
    if qop:
        parts += [f"qop={qop}", f"nc={nc_text}", f"cnonce={quote(cnonce)}"]
    if "opaque" in p:
        parts.append(f"opaque={quote(p['opaque'])}")
    return "Digest " + ", ".join(parts)
