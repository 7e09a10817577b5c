"""Lexical pieces of the SIP grammar (RFC 3261 §25.1): tokens, quoted strings, parameters.

Everything here works on already-unfolded header text and raises `SipParseError` on bad input.
Regular expressions do the character-class work because a per-character Python loop is several
times slower on the hot path (bench/sip_parse.py).
"""

from __future__ import annotations

import re

from hotline.sip.errors import SipParseError

__all__ = [
    "TOKEN_RE",
    "Params",
    "format_params",
    "get_param",
    "is_token",
    "parse_params",
    "quote",
    "skip_quoted",
    "split_commas",
    "unquote",
]

# token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
TOKEN_CHARS = r"A-Za-z0-9\-.!%*_+`'~"
TOKEN_RE = re.compile(f"[{TOKEN_CHARS}]+")
_LWS = " \t"

# A parameter value: token, host (incl. IPv6 reference) or quoted-string; `:` and `/` and `[]`
# appear in received/maddr values and in many real-world extensions, so they are let through.
_PARAM_RE = re.compile(
    r"[ \t]*;[ \t]*"
    rf"([{TOKEN_CHARS}]+)"
    r"(?:[ \t]*=[ \t]*"
    r"(\"(?:[^\"\\]|\\[\x00-\x09\x0b\x0c\x0e-\x7f])*\""
    rf"|\[[0-9A-Fa-f:.]+\]|[{TOKEN_CHARS}:/\[\]@]+))?"
)

Params = tuple[tuple[str, str | None], ...]
"""Parameters in wire order: (name, value or None). Quoted values keep their quotes."""


def is_token(text: str) -> bool:
    return TOKEN_RE.fullmatch(text) is not None


def parse_params(text: str, pos: int, where: str) -> tuple[Params, int]:
    """Parse `*( LWS ";" LWS name [ "=" value ] )` from `pos`; return params and the end."""
    params: list[tuple[str, str | None]] = []
    n = len(text)
    while pos < n:
        m = _PARAM_RE.match(text, pos)
        if m is None:
            break
        params.append((m.group(1), m.group(2)))
        pos = m.end()
    while pos < n and text[pos] in _LWS:
        pos += 1
    if pos < n and text[pos] == ";":
        raise SipParseError(f"malformed parameter at {text[pos : pos + 20]!r}", where=where)
    return tuple(params), pos


def get_param(params: Params, name: str) -> str | None:
    """Value of a parameter (case-insensitive name), unquoted; "" for a flag; None if absent."""
    lname = name.lower()
    for key, value in params:
        if key.lower() == lname:
            if value is None:
                return ""
            return unquote(value) if value.startswith('"') else value
    return None


def has_param(params: Params, name: str) -> bool:
    lname = name.lower()
    return any(key.lower() == lname for key, _ in params)


def format_params(params: Params) -> str:
    return "".join(f";{k}" if v is None else f";{k}={v}" for k, v in params)


_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def skip_quoted(text: str, pos: int, where: str) -> int:
    """`text[pos]` is an opening quote; return the index just after the closing one."""
    m = _QUOTED_RE.match(text, pos)
    if m is not None:
        return m.end()
    i = pos + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        i += 1
    raise SipParseError("unterminated quoted string", where=where)


def unquote(text: str) -> str:
    """The content of a quoted-string with quoted-pairs resolved."""
    inner = text[1:-1] if len(text) >= 2 and text[0] == '"' and text[-1] == '"' else text
    if "\\" not in inner:
        return inner
    out: list[str] = []
    i = 0
    while i < len(inner):
        c = inner[i]
        if c == "\\" and i + 1 < len(inner):
            out.append(inner[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def split_commas(value: str, where: str) -> list[str]:
    """Split a multi-valued header at top-level commas (not inside quotes or <…>)."""
    if '"' not in value and "<" not in value:
        parts = [p.strip() for p in value.split(",")]
    else:
        parts = []
        start = 0
        i = 0
        n = len(value)
        while i < n:
            c = value[i]
            if c == '"':
                i = skip_quoted(value, i, where)
                continue
            if c == "<":
                end = value.find(">", i)
                if end < 0:
                    raise SipParseError("unbalanced '<'", where=where)
                i = end + 1
                continue
            if c == ",":
                parts.append(value[start:i].strip())
                start = i + 1
            i += 1
        parts.append(value[start:].strip())
    if any(not p for p in parts):
        raise SipParseError("empty element in a comma-separated list", where=where)
    return parts
