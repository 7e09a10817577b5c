"""Header fields (RFC 3261 §7.3, §20): the ordered header list and the typed values in it.

`Headers` keeps every field in wire order with its original text, so an unmodified message
serializes byte for byte; unknown headers are kept verbatim. Typed values (`NameAddr`, `Via`,
`CSeq`) are frozen dataclasses parsed from the unfolded text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from hotline.sip.errors import SipParseError
from hotline.sip.grammar import (
    TOKEN_CHARS,
    Params,
    format_params,
    get_param,
    parse_params,
    quote,
    skip_quoted,
    split_commas,
    unquote,
)
from hotline.sip.uri import SipUri, Uri, parse_uri

__all__ = [
    "CSeq",
    "HeaderField",
    "Headers",
    "NameAddr",
    "Via",
    "canonical_name",
    "header_key",
    "parse_cseq",
    "parse_name_addr",
    "parse_name_addrs",
    "parse_via",
]

COMPACT = {
    "i": "call-id",
    "m": "contact",
    "e": "content-encoding",
    "l": "content-length",
    "c": "content-type",
    "f": "from",
    "s": "subject",
    "k": "supported",
    "t": "to",
    "v": "via",
    "o": "event",
    "r": "refer-to",
    "b": "referred-by",
    "u": "allow-events",
    "x": "session-expires",
    "y": "identity",
    "n": "identity-info",
}
_SPECIAL_CASE = {
    "call-id": "Call-ID",
    "cseq": "CSeq",
    "www-authenticate": "WWW-Authenticate",
    "mime-version": "MIME-Version",
    "p-asserted-identity": "P-Asserted-Identity",
    "p-preferred-identity": "P-Preferred-Identity",
    "rack": "RAck",
    "rseq": "RSeq",
}
_KEY_CACHE: dict[str, str] = {}


def header_key(name: str) -> str:
    """The lookup key of a header name: lower case, compact forms expanded."""
    key = _KEY_CACHE.get(name)
    if key is None:
        lower = name.lower()
        key = COMPACT.get(lower, lower)
        if len(_KEY_CACHE) < 10_000:
            _KEY_CACHE[name] = key
    return key


def canonical_name(key: str) -> str:
    """How we write a header name we generate ("call-id" -> "Call-ID")."""
    name = _CANONICAL_CACHE.get(key)
    if name is None:
        name = _SPECIAL_CASE.get(key) or "-".join(part.capitalize() for part in key.split("-"))
        if len(_CANONICAL_CACHE) < 10_000:
            _CANONICAL_CACHE[key] = name
    return name


_CANONICAL_CACHE: dict[str, str] = {}


@dataclass(slots=True)
class HeaderField:
    """One header line: `key` for lookups, `name` as written, unfolded `value`, original `raw`."""

    key: str
    name: str
    value: str
    raw: str | None = None

    def line(self) -> str:
        return self.raw if self.raw is not None else f"{self.name}: {self.value}"


class Headers:
    """An ordered multi-map of header fields. Lookups are by case-insensitive or compact name."""

    __slots__ = ("_fields", "_index", "version")

    def __init__(self, fields: list[HeaderField] | None = None) -> None:
        self._fields: list[HeaderField] = fields if fields is not None else []
        self._index: dict[str, list[HeaderField]] | None = None
        self.version = 0  # bumped on every edit so typed views know to re-parse

    def _lookup(self) -> dict[str, list[HeaderField]]:
        index = self._index
        if index is None:
            index = {}
            for f in self._fields:
                found = index.get(f.key)
                if found is None:
                    index[f.key] = [f]
                else:
                    found.append(f)
            self._index = index
        return index

    def __iter__(self) -> Iterator[HeaderField]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and header_key(name) in self._lookup()

    def get(self, name: str) -> str | None:
        """The value of the first field of that name, or None."""
        found = self._lookup().get(header_key(name))
        return found[0].value if found else None

    def get_all(self, name: str) -> list[str]:
        """Values of every field of that name, in order (not split at commas)."""
        found = self._lookup().get(header_key(name))
        return [f.value for f in found] if found else []

    def values(self, name: str) -> list[str]:
        """Every element of a comma-separated header, across all its fields."""
        out: list[str] = []
        for value in self.get_all(name):
            if value:
                out.extend(split_commas(value, name))
        return out

    def _edited(self, fields: list[HeaderField]) -> None:
        self._fields = fields
        self._index = None
        self.version += 1

    def add(self, name: str, value: str) -> None:
        key = header_key(name)
        self._fields.append(HeaderField(key, canonical_name(key), value))
        self._index = None
        self.version += 1

    def prepend(self, name: str, value: str) -> None:
        key = header_key(name)
        self._fields.insert(0, HeaderField(key, canonical_name(key), value))
        self._index = None
        self.version += 1

    def set(self, name: str, value: str) -> None:
        """Replace every field of that name by one (at the first one's place, or appended)."""
        key = header_key(name)
        new = HeaderField(key, canonical_name(key), value)
        out: list[HeaderField] = []
        placed = False
        for f in self._fields:
            if f.key != key:
                out.append(f)
            elif not placed:
                out.append(new)
                placed = True
        if not placed:
            out.append(new)
        self._edited(out)

    def remove(self, name: str) -> None:
        key = header_key(name)
        self._edited([f for f in self._fields if f.key != key])

    def remove_first(self, name: str) -> None:
        """Remove the first element of a (possibly comma-separated) header, e.g. the top Via."""
        key = header_key(name)
        fields = list(self._fields)
        for i, f in enumerate(fields):
            if f.key == key:
                parts = split_commas(f.value, name)
                if len(parts) <= 1:
                    del fields[i]
                else:
                    fields[i] = HeaderField(key, f.name, ", ".join(parts[1:]))
                break
        self._edited(fields)

    def copy(self) -> Headers:
        return Headers([HeaderField(f.key, f.name, f.value, f.raw) for f in self._fields])

    def fields(self) -> list[HeaderField]:
        return list(self._fields)


# --- name-addr / addr-spec (From, To, Contact, Route, Refer-To, P-Asserted-Identity …) ---

# Tokens and spaces, one character of a token per repetition: `(?:[token]+[ \t]*)*` matches the
# same text but backtracks exponentially on a long token that does not end the display name
# (a 50-octet To header held the parser for seconds; found by the SIP fuzzer).
_DISPLAY_TOKENS_RE = re.compile(rf"[ \t]*(?:[{TOKEN_CHARS}][ \t]*)*")


@dataclass(frozen=True, slots=True)
class NameAddr:
    """`"Display" <uri>;params` or `uri;params`. `params` are header parameters (tag, q …)."""

    uri: Uri
    display: str | None = None
    params: Params = ()
    _text: str | None = field(default=None, compare=False, repr=False)

    @property
    def tag(self) -> str | None:
        return get_param(self.params, "tag")

    def param(self, name: str) -> str | None:
        return get_param(self.params, name)

    def with_param(self, name: str, value: str | None) -> NameAddr:
        kept = tuple((k, v) for k, v in self.params if k.lower() != name.lower())
        return replace(self, params=(*kept, (name, value)), _text=None)

    @property
    def sip_uri(self) -> SipUri | None:
        return self.uri if isinstance(self.uri, SipUri) else None

    def __str__(self) -> str:
        if self._text is not None:
            return self._text
        display = f"{quote(self.display)} " if self.display else ""
        return f"{display}<{self.uri}>{format_params(self.params)}"


def parse_name_addr(text: str, where: str = "name-addr") -> NameAddr:
    """Parse one name-addr or addr-spec with its header parameters.

    Results are cached: within a dialog the same From, To and Contact values come back in
    every request, response and retransmission (frozen values, so sharing is safe).
    """
    return _parse_name_addr(text, where)


@lru_cache(maxsize=8192)
def _parse_name_addr(text: str, where: str) -> NameAddr:
    s = text.strip()
    if not s:
        raise SipParseError("empty address", where=where)
    display: str | None
    if s[0] == '"':
        end = skip_quoted(s, 0, where)
        display = unquote(s[:end])
        lt = end
        while lt < len(s) and s[lt] in " \t":
            lt += 1
        if lt >= len(s) or s[lt] != "<":
            raise SipParseError("quoted display name without <uri>", where=where)
    else:
        lt = s.find("<")
        if lt >= 0 and _DISPLAY_TOKENS_RE.fullmatch(s, 0, lt) is None:
            if ":" not in s[:lt] or '"' not in s[lt:]:
                raise SipParseError("display name is neither tokens nor quoted", where=where)
            lt = -1  # addr-spec whose quoted parameter happens to contain '<'
        display = (s[:lt].strip() or None) if lt >= 0 else None
    if lt >= 0:
        gt = s.find(">", lt)
        if gt < 0:
            raise SipParseError("'<' without '>'", where=where)
        uri = parse_uri(s[lt + 1 : gt], where)
        params, pos = parse_params(s, gt + 1, where)
    else:
        semi = s.find(";")
        uri_text = s if semi < 0 else s[:semi]
        uri_text = uri_text.rstrip()
        if "?" in uri_text or "," in uri_text:
            raise SipParseError("a URI with '?' or ',' must be enclosed in <>", where=where)
        uri = parse_uri(uri_text, where)
        params, pos = parse_params(s, len(uri_text), where)
    if pos != len(s):
        raise SipParseError(f"unexpected text {s[pos : pos + 20]!r}", where=where)
    return NameAddr(uri=uri, display=display, params=params, _text=s)


def parse_name_addrs(value: str, where: str) -> list[NameAddr]:
    return [parse_name_addr(part, where) for part in split_commas(value, where)]


# --- Via (RFC 3261 §20.42, RFC 3581 rport) ---

_VIA_RE = re.compile(
    rf"[ \t]*([{TOKEN_CHARS}]+)[ \t]*/[ \t]*([{TOKEN_CHARS}]+)[ \t]*/[ \t]*([{TOKEN_CHARS}]+)"
    r"[ \t]+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:[ \t]*:[ \t]*([0-9]{1,5}))?"
)
MAGIC_COOKIE = "z9hG4bK"


@dataclass(frozen=True, slots=True)
class Via:
    """One Via value: `SIP/2.0/UDP host:port;branch=…;rport;received=…`."""

    transport: str
    host: str
    port: int | None = None
    params: Params = ()
    protocol: str = "SIP/2.0"

    @property
    def branch(self) -> str | None:
        return get_param(self.params, "branch")

    @property
    def received(self) -> str | None:
        return get_param(self.params, "received")

    @property
    def rport(self) -> int | None:
        value = get_param(self.params, "rport")
        return int(value) if value else None

    @property
    def wants_rport(self) -> bool:
        return get_param(self.params, "rport") is not None

    @property
    def is_rfc3261(self) -> bool:
        """Has a branch with the magic cookie and something after it (RFC 4475 §3.2.1)."""
        branch = self.branch
        return branch is not None and branch.startswith(MAGIC_COOKIE) and len(branch) > 7

    def with_params(self, **params: str | None) -> Via:
        names = {k.lower() for k in params}
        kept = tuple((k, v) for k, v in self.params if k.lower() not in names)
        return replace(self, params=kept + tuple(params.items()))

    def __str__(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        return f"{self.protocol}/{self.transport} {self.host}{port}{format_params(self.params)}"


def parse_via(value: str, where: str = "Via") -> list[Via]:
    out: list[Via] = []
    for part in split_commas(value, where):
        m = _VIA_RE.match(part)
        if m is None:
            raise SipParseError(f"malformed Via {part[:40]!r}", where=where)
        port = int(m.group(5)) if m.group(5) else None
        if port is not None and port > 65535:
            raise SipParseError("Via port out of range", where=where)
        params, pos = parse_params(part, m.end(), where)
        if pos != len(part):
            raise SipParseError(f"unexpected text in Via {part[pos : pos + 20]!r}", where=where)
        out.append(
            Via(
                transport=m.group(3).upper(),
                host=m.group(4),
                port=port,
                params=params,
                protocol=f"{m.group(1).upper()}/{m.group(2)}",
            )
        )
    return out


# --- CSeq ---

_CSEQ_RE = re.compile(rf"[ \t]*([0-9]{{1,10}})[ \t]+([{TOKEN_CHARS}]+)[ \t]*")
MAX_CSEQ = 2**31 - 1


@dataclass(frozen=True, slots=True)
class CSeq:
    number: int
    method: str

    def __str__(self) -> str:
        return f"{self.number} {self.method}"


def parse_cseq(value: str) -> CSeq:
    m = _CSEQ_RE.fullmatch(value)
    if m is None:
        raise SipParseError(f"malformed CSeq {value[:40]!r}", where="CSeq")
    number = int(m.group(1))
    if number > MAX_CSEQ:
        raise SipParseError("CSeq number larger than 2**31-1", where="CSeq")
    return CSeq(number, m.group(2))
