"""Transfer signalling: REFER and its NOTIFY progress (RFC 3515), Replaces (RFC 3891).

Pure helpers: read a Refer-To (with an embedded `Replaces` for attended transfer), the
Replaces header of an INVITE, and build the `message/sipfrag` NOTIFY bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from hotline.sip.errors import SipParseError
from hotline.sip.grammar import get_param, parse_params
from hotline.sip.headers import NameAddr, parse_name_addr
from hotline.sip.message import reason_phrase
from hotline.sip.uri import SipUri

__all__ = ["ReferTarget", "Replaces", "parse_refer_to", "parse_replaces", "sipfrag"]


@dataclass(frozen=True, slots=True)
class Replaces:
    """Which dialog an INVITE replaces: Call-ID and tags as seen by the *recipient*."""

    call_id: str
    to_tag: str
    from_tag: str
    early_only: bool = False

    def __str__(self) -> str:
        early = ";early-only" if self.early_only else ""
        return f"{self.call_id};to-tag={self.to_tag};from-tag={self.from_tag}{early}"


def parse_replaces(value: str) -> Replaces:
    call_id, semi, rest = value.strip().partition(";")
    if not call_id.strip() or not semi:
        raise SipParseError("Replaces needs a Call-ID and tags", where="Replaces")
    params, pos = parse_params(";" + rest, 0, "Replaces")
    to_tag = get_param(params, "to-tag")
    from_tag = get_param(params, "from-tag")
    if to_tag is None or from_tag is None or pos != len(rest) + 1:
        raise SipParseError("Replaces needs to-tag and from-tag", where="Replaces")
    early = get_param(params, "early-only") is not None
    return Replaces(call_id.strip(), to_tag, from_tag, early)


@dataclass(frozen=True, slots=True)
class ReferTarget:
    """The target of a REFER: the URI to call and, for attended transfer, what it replaces."""

    address: NameAddr
    uri: SipUri | None
    replaces: Replaces | None

    @property
    def user(self) -> str | None:
        return self.uri.user_unescaped if self.uri is not None else None


def parse_refer_to(value: str) -> ReferTarget:
    address = parse_name_addr(value, "Refer-To")
    uri = address.uri if isinstance(address.uri, SipUri) else None
    replaces: Replaces | None = None
    if uri is not None:
        for name, header_value in uri.headers:
            if name.lower() == "replaces":
                replaces = parse_replaces(unquote(header_value))
        if uri.headers:
            uri = SipUri(
                host=uri.host,
                user=uri.user,
                port=uri.port,
                scheme=uri.scheme,
                password=uri.password,
                params=uri.params,
            )
    return ReferTarget(address, uri, replaces)


def sipfrag(status: int, reason: str | None = None) -> bytes:
    """A `message/sipfrag` status line for a REFER NOTIFY (RFC 3515 §2.4.5)."""
    return f"SIP/2.0 {status} {reason or reason_phrase(status)}\r\n".encode()
