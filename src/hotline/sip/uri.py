"""SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966) as frozen values.

`parse_uri` understands sip/sips (user, password, host, port, parameters, headers) and tel
(number and parameters); any other scheme becomes an `AbsoluteUri` so that the endpoint, not
the parser, answers 416 (RFC 4475 §3.3.2). Parsed URIs are cached: the same few URIs appear in
every message of a dialog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import unquote as pct_decode

from hotline.sip.errors import SipParseError
from hotline.sip.grammar import Params, format_params, get_param

__all__ = ["AbsoluteUri", "SipUri", "TelUri", "Uri", "parse_uri"]

_ESC = r"%[0-9A-Fa-f]{2}"
_UNRESERVED = r"A-Za-z0-9\-_.!~*'()"
_SIP_RE = re.compile(
    r"(?P<scheme>[sS][iI][pP][sS]?):"
    rf"(?:(?P<user>(?:[{_UNRESERVED}&=+$,;?/]|{_ESC})+)"
    rf"(?::(?P<password>(?:[{_UNRESERVED}&=+$,]|{_ESC})*))?@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)"
    r"(?::(?P<port>[0-9]{1,5}))?"
    rf"(?P<params>(?:;(?:[{_UNRESERVED}\[\]/:&+$]|{_ESC})+"
    rf"(?:=(?:[{_UNRESERVED}\[\]/:&+$]|{_ESC})*)?)*)"
    rf"(?:\?(?P<headers>(?:[{_UNRESERVED}\[\]/?:+$=&]|{_ESC})*))?"
)
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")
_TEL_RE = re.compile(r"(?P<number>\+?[0-9A-Fa-f*#.\-()pw]+)(?P<params>(?:;[^;]+)*)")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_HOSTNAME_RE = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}\.?")


def _split_params(text: str) -> Params:
    if not text:
        return ()
    out: list[tuple[str, str | None]] = []
    for item in text[1:].split(";"):
        name, eq, value = item.partition("=")
        out.append((name, value if eq else None))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class SipUri:
    """A sip: or sips: URI. `user` and `password` stay %-escaped as written."""

    host: str
    user: str | None = None
    port: int | None = None
    scheme: str = "sip"
    password: str | None = None
    params: Params = ()
    headers: tuple[tuple[str, str], ...] = ()
    _text: str | None = field(default=None, compare=False, repr=False)

    def param(self, name: str) -> str | None:
        return get_param(self.params, name)

    @property
    def transport(self) -> str | None:
        value = self.param("transport")
        return value.lower() if value else None

    @property
    def user_unescaped(self) -> str | None:
        return None if self.user is None else pct_decode(self.user, errors="surrogateescape")

    @property
    def host_port(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    def with_params(self, **params: str | None) -> SipUri:
        """A copy with parameters replaced/added (None value = flag); `_text` is dropped."""
        names = {k.lower() for k in params}
        kept = tuple((k, v) for k, v in self.params if k.lower() not in names)
        return replace(self, params=kept + tuple(params.items()), _text=None)

    def without_params(self) -> SipUri:
        return replace(self, params=(), headers=(), _text=None)

    def key(self) -> tuple[str, str | None, str, int | None]:
        """Identity for registrar/AOR comparisons (RFC 3261 §19.1.4, simplified)."""
        return (self.scheme.lower(), self.user_unescaped, self.host.lower(), self.port)

    def __str__(self) -> str:
        if self._text is not None:
            return self._text
        out = [self.scheme, ":"]
        if self.user is not None:
            out.append(self.user)
            if self.password is not None:
                out += [":", self.password]
            out.append("@")
        out.append(self.host)
        if self.port is not None:
            out += [":", str(self.port)]
        out.append(format_params(self.params))
        if self.headers:
            out += ["?", "&".join(f"{k}={v}" for k, v in self.headers)]
        return "".join(out)


@dataclass(frozen=True, slots=True)
class TelUri:
    """A tel: URI (RFC 3966): a global (+E.164) or local number with parameters."""

    number: str
    params: Params = ()

    @property
    def scheme(self) -> str:
        return "tel"

    def __str__(self) -> str:
        return f"tel:{self.number}{format_params(self.params)}"


@dataclass(frozen=True, slots=True)
class AbsoluteUri:
    """A URI of a scheme we do not interpret (http:, isbn:, soap.beep: …), kept opaque."""

    scheme: str
    opaque: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.opaque}"


Uri = SipUri | TelUri | AbsoluteUri


@lru_cache(maxsize=4096)
def parse_uri(text: str, where: str = "uri") -> Uri:
    """Parse a URI; raise `SipParseError` if it is not one."""
    m = _SIP_RE.fullmatch(text)
    if m is not None:
        port_text = m.group("port")
        port = int(port_text) if port_text is not None else None
        if port is not None and port > 65535:
            raise SipParseError(f"port out of range in {text!r}", where=where)
        host = m.group("host")
        if not host.startswith("[") and _HOSTNAME_RE.fullmatch(host) is None:
            raise SipParseError(f"bad host in {text!r}", where=where)
        headers_text = m.group("headers")
        headers: tuple[tuple[str, str], ...] = ()
        if headers_text:
            pairs = []
            for item in headers_text.split("&"):
                name, _, value = item.partition("=")
                pairs.append((name, value))
            headers = tuple(pairs)
        return SipUri(
            host=host,
            user=m.group("user"),
            port=port,
            scheme=m.group("scheme").lower(),
            password=m.group("password"),
            params=_split_params(m.group("params")),
            headers=headers,
            _text=text,
        )
    scheme, colon, rest = text.partition(":")
    if not colon or _SCHEME_RE.fullmatch(scheme) is None or not rest:
        raise SipParseError(f"not a URI: {text[:60]!r}", where=where)
    lscheme = scheme.lower()
    if lscheme in ("sip", "sips"):
        raise SipParseError(f"malformed {lscheme} URI: {text[:60]!r}", where=where)
    if any(c in rest for c in ' \t\r\n<>"'):
        raise SipParseError(f"illegal character in URI {text[:60]!r}", where=where)
    if lscheme == "tel":
        t = _TEL_RE.fullmatch(rest)
        if t is None:
            raise SipParseError(f"malformed tel URI: {text[:60]!r}", where=where)
        return TelUri(number=t.group("number"), params=_split_params(t.group("params")))
    return AbsoluteUri(scheme=scheme, opaque=rest)
