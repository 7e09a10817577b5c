"""SIP requests and responses: parse from bytes, serialize with `bytes(msg)` (RFC 3261 §7).

`parse_message` accepts what RFC 4475 §3.1.1 calls valid and raises `SipParseError` — and
nothing else — for what §3.1.2 calls invalid. The header fields that every layer relies on
(Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length, Contact …) are checked while
parsing, so a message that parsed can be trusted by transactions and dialogs.
An unmodified parsed message serializes back to the same octets (framing excess excluded).
"""

from __future__ import annotations

import re
from email.utils import parsedate_tz
from typing import Any

from hotline.sip.errors import SipParseError
from hotline.sip.grammar import TOKEN_RE, split_commas
from hotline.sip.headers import (
    CSeq,
    HeaderField,
    Headers,
    NameAddr,
    Via,
    header_key,
    parse_cseq,
    parse_name_addr,
    parse_name_addrs,
    parse_via,
)
from hotline.sip.uri import SipUri, Uri, parse_uri

__all__ = ["Message", "Request", "Response", "parse_message", "reason_phrase"]

SIP_VERSION = "SIP/2.0"
_VERSION_RE = re.compile(r"[Ss][Ii][Pp]/[0-9]+\.[0-9]+")
_HEADER_NAME_RE = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")
_SINGLE = ("from", "to", "call-id", "cseq", "max-forwards", "content-length", "content-type")
_MAX_EXPIRES = 2**32 - 1
_REASONS = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    200: "OK",
    202: "Accepted",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    423: "Interval Too Brief",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    483: "Too Many Hops",
    484: "Address Incomplete",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    491: "Request Pending",
    500: "Server Internal Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    504: "Server Time-out",
    505: "Version Not Supported",
    600: "Busy Everywhere",
    603: "Decline",
}


def reason_phrase(status: int) -> str:
    return _REASONS.get(status, "Unknown")


class Message:
    """What requests and responses share: headers, body and typed views of key headers."""

    __slots__ = ("_cache", "_cache_version", "body", "headers", "version")

    def __init__(self, headers: Headers, body: bytes, version: str) -> None:
        self.headers = headers
        self.body = body
        self.version = version
        self._cache: dict[str, Any] = {}
        self._cache_version = headers.version

    # Typed views are cached until the headers change (Headers.version).
    def changed(self) -> None:
        self._cache.clear()

    def _typed(self, key: str) -> Any:
        if self._cache_version != self.headers.version:
            self._cache.clear()
            self._cache_version = self.headers.version
        try:
            return self._cache[key]
        except KeyError:
            value = _PARSERS[key](self.headers)
            self._cache[key] = value
            return value

    @property
    def vias(self) -> list[Via]:
        return self._typed("via")  # type: ignore[no-any-return]

    @property
    def top_via(self) -> Via | None:
        vias = self.vias
        return vias[0] if vias else None

    @property
    def from_(self) -> NameAddr:
        value = self._typed("from")
        if value is None:
            raise SipParseError("missing From", where="From")
        return value  # type: ignore[no-any-return]

    @property
    def to(self) -> NameAddr:
        value = self._typed("to")
        if value is None:
            raise SipParseError("missing To", where="To")
        return value  # type: ignore[no-any-return]

    @property
    def call_id(self) -> str:
        value = self.headers.get("call-id")
        if value is None:
            raise SipParseError("missing Call-ID", where="Call-ID")
        return value

    @property
    def cseq(self) -> CSeq:
        value = self._typed("cseq")
        if value is None:
            raise SipParseError("missing CSeq", where="CSeq")
        return value  # type: ignore[no-any-return]

    @property
    def contacts(self) -> list[NameAddr]:
        """Contact values; a `*` wildcard appears as an empty list with `is_wildcard_contact`."""
        return self._typed("contact")  # type: ignore[no-any-return]

    @property
    def is_wildcard_contact(self) -> bool:
        return (self.headers.get("contact") or "").strip() == "*"

    @property
    def max_forwards(self) -> int | None:
        return self._typed("max-forwards")  # type: ignore[no-any-return]

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None

    @property
    def expires(self) -> int | None:
        return self._typed("expires")  # type: ignore[no-any-return]

    def has_mandatory_headers(self) -> list[str]:
        """Names of the RFC 3261 §8.1.1 header fields that are missing."""
        return [n for n in ("To", "From", "Call-ID", "CSeq", "Via") if n not in self.headers]

    def set_body(self, body: bytes, content_type: str | None) -> None:
        self.body = body
        if content_type is not None:
            self.headers.set("Content-Type", content_type)
        elif not body:
            self.headers.remove("Content-Type")
        self.headers.set("Content-Length", str(len(body)))
        self.changed()

    def start_line(self) -> str:
        raise NotImplementedError

    def __bytes__(self) -> bytes:
        parts = [self.start_line()]
        parts.extend(f.line() for f in self.headers)
        parts.append("")
        head = "\r\n".join(parts) + "\r\n"
        return head.encode("utf-8", "surrogateescape") + self.body


class Request(Message):
    __slots__ = ("_raw_start", "method", "uri")

    def __init__(
        self,
        method: str,
        uri: Uri,
        headers: Headers | None = None,
        body: bytes = b"",
        version: str = SIP_VERSION,
    ) -> None:
        super().__init__(headers if headers is not None else Headers(), body, version)
        self.method = method
        self.uri = uri
        self._raw_start: str | None = None

    def start_line(self) -> str:
        if self._raw_start is not None:
            return self._raw_start
        return f"{self.method} {self.uri} {self.version}"

    def set_uri(self, uri: Uri) -> None:
        self.uri = uri
        self._raw_start = None

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.uri}>"


class Response(Message):
    __slots__ = ("_raw_start", "reason", "status")

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        headers: Headers | None = None,
        body: bytes = b"",
        version: str = SIP_VERSION,
    ) -> None:
        super().__init__(headers if headers is not None else Headers(), body, version)
        self.status = status
        self.reason = reason if reason is not None else reason_phrase(status)
        self._raw_start: str | None = None

    def start_line(self) -> str:
        if self._raw_start is not None:
            return self._raw_start
        return f"{self.version} {self.status} {self.reason}"

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.reason}>"


# --- typed header parsers, used lazily by Message and eagerly by parse_message ---


def _single(headers: Headers, key: str) -> str | None:
    values = headers.get_all(key)
    if len(values) > 1:
        raise SipParseError(f"{len(values)} {key} header fields, one allowed", where=key)
    return values[0] if values else None


def _p_via(h: Headers) -> list[Via]:
    out: list[Via] = []
    for value in h.get_all("via"):
        out.extend(parse_via(value))
    return out


def _p_addr(key: str) -> Any:
    def parse(h: Headers) -> NameAddr | None:
        value = _single(h, key)
        return None if value is None else parse_name_addr(value, key)

    return parse


def _p_cseq(h: Headers) -> CSeq | None:
    value = _single(h, "cseq")
    return None if value is None else parse_cseq(value)


def _p_int(key: str, limit: int) -> Any:
    def parse(h: Headers) -> int | None:
        value = _single(h, key)
        if value is None:
            return None
        text = value.strip()
        if not text.isdigit() or not text.isascii() or len(text) > 10 or int(text) > limit:
            raise SipParseError(f"bad value {text[:30]!r}", where=key)
        return int(text)

    return parse


def _p_contact(h: Headers) -> list[NameAddr]:
    out: list[NameAddr] = []
    values = h.get_all("contact")
    for value in values:
        if value.strip() == "*":
            if len(values) > 1:
                raise SipParseError("'*' must be the only Contact", where="Contact")
            return []
        out.extend(parse_name_addrs(value, "Contact"))
    for contact in out:
        expires = contact.param("expires")
        if expires is not None and (not expires.isdigit() or int(expires) > _MAX_EXPIRES):
            raise SipParseError(f"bad expires parameter {expires[:30]!r}", where="Contact")
    return out


_PARSERS: dict[str, Any] = {
    "via": _p_via,
    "from": _p_addr("from"),
    "to": _p_addr("to"),
    "cseq": _p_cseq,
    "contact": _p_contact,
    "max-forwards": _p_int("max-forwards", 255),
    "expires": _p_int("expires", _MAX_EXPIRES),
    "content-length": _p_int("content-length", 2**31 - 1),
}


def _check_other_headers(h: Headers) -> None:
    """Headers outside the typed set that RFC 4475 §3.1.2 wants rejected when malformed."""
    for field_ in h:
        key = field_.key
        if key in ("route", "record-route"):
            parse_name_addrs(field_.value, field_.name)
        elif key == "date":
            # RFC 3261 §20.17: rfc1123-date and only GMT (RFC 4475 §3.1.2.12).
            if parsedate_tz(field_.value) is None or not field_.value.rstrip().endswith("GMT"):
                raise SipParseError("Date must be an RFC 1123 date in GMT", where="Date")
        elif key == "retry-after":
            text = field_.value.split(";", 1)[0].split("(", 1)[0].strip()
            if not text.isdigit() or int(text) > _MAX_EXPIRES:
                raise SipParseError("bad Retry-After", where="Retry-After")
        elif key == "warning":
            for part in split_commas(field_.value, "Warning"):
                code = part.split(None, 1)[0]
                if len(code) != 3 or not code.isdigit():
                    raise SipParseError("warn-code must be three digits", where="Warning")
        elif key in ("call-id", "content-type") and not field_.value:
            raise SipParseError("empty value", where=field_.name)


# --- framing and the start line ---


def _split_head(data: bytes) -> tuple[bytes, int]:
    """The header block (without the blank line) and the body offset."""
    end = data.find(b"\r\n\r\n")
    if end >= 0:
        return data[:end], end + 4
    end = data.find(b"\n\n")
    if end >= 0:
        return data[:end], end + 2
    if data.endswith(b"\r\n"):
        return data[:-2], len(data)
    raise SipParseError("no end of header block (missing blank line)", where="framing")


def parse_message(data: bytes, *, stream: bool = False) -> Request | Response:
    """Parse one SIP message. Datagrams may carry excess octets after the body (ignored).

    With `stream=True` (TCP framing done by `StreamFramer`) a missing Content-Length means an
    empty body; in a datagram it means the body runs to the end of the datagram.
    """
    try:
        return _parse(data, stream)
    except SipParseError:
        raise
    except (ValueError, IndexError, UnicodeError, OverflowError, RecursionError) as exc:
        # Belt and braces: the parser's contract is "SipParseError and nothing else".
        raise SipParseError(f"malformed message ({type(exc).__name__})") from exc


def _parse(data: bytes, stream: bool) -> Request | Response:
    start = 0
    while data.startswith((b"\r\n", b"\n"), start):
        start += 2 if data[start] == 13 else 1
    if start:
        data = data[start:]
    head_bytes, body_at = _split_head(data)
    head = head_bytes.decode("utf-8", "surrogateescape")
    if "\r" in head:
        head = head.replace("\r\n", "\n")
    lines = head.split("\n")
    first = lines[0]
    if "\n " in head or "\n\t" in head:
        fields = _folded_fields(lines)
    else:
        fields = []
        for line in lines[1:]:
            name, colon, rest = line.partition(":")
            key = _NAME_KEYS.get(name)
            if key is None:
                key = _name_key(name, colon)
            fields.append(HeaderField(key, name.rstrip(" \t"), rest.strip(" \t"), line))
    headers = Headers(fields)

    msg: Request | Response
    if first.startswith(("SIP/", "sip/")) or _VERSION_RE.match(first):
        msg = _status_line(first, headers)
    else:
        msg = _request_line(first, headers)

    # Parse and so validate the headers every layer relies on.
    cache = msg._cache
    for key in ("via", "from", "to", "cseq", "max-forwards", "expires", "contact"):
        cache[key] = _PARSERS[key](headers)
    if not cache["via"] and isinstance(msg, Response):
        raise SipParseError("response without Via", where="Via")
    if _single(headers, "call-id") is not None and not msg.call_id.strip():
        raise SipParseError("empty Call-ID", where="Call-ID")
    _check_other_headers(headers)
    if isinstance(msg, Request):
        cseq = cache["cseq"]
        if cseq is not None and cseq.method != msg.method:
            raise SipParseError(
                f"CSeq method {cseq.method} does not match {msg.method}", where="CSeq"
            )

    length = _PARSERS["content-length"](headers)
    available = len(data) - body_at
    if length is None:
        length = 0 if stream else available
    elif length > available:
        raise SipParseError(
            f"Content-Length {length} but only {available} octets follow", where="Content-Length"
        )
    msg.body = data[body_at : body_at + length]
    return msg


_NAME_KEYS: dict[str, str] = {}


def _name_key(name: str, colon: str) -> str:
    """Validate a header name as written (with any blanks before the colon); cache its key."""
    if not colon:
        raise SipParseError(f"header line without a colon: {name[:40]!r}", where="headers")
    stripped = name.rstrip(" \t")
    if _HEADER_NAME_RE.fullmatch(stripped) is None:
        raise SipParseError(f"bad header name {stripped[:40]!r}", where="headers")
    key = header_key(stripped)
    if len(_NAME_KEYS) < 10_000:
        _NAME_KEYS[name] = key
    return key


def _folded_fields(lines: list[str]) -> list[HeaderField]:
    """Header fields when some are folded over several lines (RFC 3261 §7.3.1)."""
    groups: list[list[str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            if not groups:
                raise SipParseError("continuation line before any header", where="headers")
            groups[-1].append(line)
        else:
            groups.append([line])
    fields = []
    for group in groups:
        name, colon, rest = group[0].partition(":")
        key = _name_key(name, colon)
        parts = [rest.strip(" \t")] + [ln.strip(" \t") for ln in group[1:]]
        value = " ".join(p for p in parts if p)
        fields.append(HeaderField(key, name.rstrip(" \t"), value, "\r\n".join(group)))
    return fields


def _request_line(line: str, headers: Headers) -> Request:
    parts = line.split(" ")
    if len(parts) != 3 or not all(parts):
        raise SipParseError(f"malformed Request-Line {line[:80]!r}", where="Request-Line")
    method, uri_text, version = parts
    if TOKEN_RE.fullmatch(method) is None:
        raise SipParseError(f"bad method {method[:30]!r}", where="Request-Line")
    if _VERSION_RE.fullmatch(version) is None:
        raise SipParseError(f"bad SIP-Version {version[:20]!r}", where="Request-Line")
    uri = parse_uri(uri_text, "Request-URI")
    if isinstance(uri, SipUri) and uri.headers:
        raise SipParseError("headers are not allowed in a Request-URI", where="Request-URI")
    request = Request(method, uri, headers, b"", version.upper())
    request._raw_start = line
    return request


def _status_line(line: str, headers: Headers) -> Response:
    parts = line.split(" ", 2)
    if len(parts) < 2 or _VERSION_RE.fullmatch(parts[0]) is None:
        raise SipParseError(f"malformed Status-Line {line[:80]!r}", where="Status-Line")
    code = parts[1]
    if len(code) != 3 or not code.isdigit() or not code.isascii() or code[0] not in "123456":
        raise SipParseError(f"bad status code {code[:20]!r}", where="Status-Line")
    response = Response(int(code), parts[2] if len(parts) > 2 else "", headers, b"", parts[0])
    response._raw_start = line
    return response


def parse_uri_header(value: str) -> Uri:
    """Convenience for callers that hold a bare URI string (Refer-To targets …)."""
    return parse_uri(value.strip().removeprefix("<").removesuffix(">"))
