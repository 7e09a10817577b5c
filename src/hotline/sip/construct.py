"""Building messages from other messages (RFC 3261 §8.1.1, §8.2.6, §9.1, §17.1.1.3).

Responses copy Via, From, To (adding our tag), Call-ID and CSeq from the request, and a
101–299 also the Record-Route (§12.1.1: a proxy in front, Kamailio, stays in the dialog's
path); ACK for a non-2xx and CANCEL reuse the INVITE's branch. Identifiers come from
`secrets` so that branches, tags and Call-IDs cannot be guessed by an attacker spoofing
responses.
"""

from __future__ import annotations

import secrets

from hotline.sip.headers import Headers, canonical_name, header_key
from hotline.sip.message import Request, Response, reason_phrase

__all__ = [
    "make_ack_for_error",
    "make_cancel",
    "make_response",
    "new_branch",
    "new_call_id",
    "new_tag",
]

MAGIC_COOKIE = "z9hG4bK"
_COPIED = ("via", "from", "to", "call-id", "cseq")


def new_branch() -> str:
    return MAGIC_COOKIE + secrets.token_hex(8)


def new_tag() -> str:
    return secrets.token_hex(6)


def new_call_id(host: str) -> str:
    return f"{secrets.token_hex(12)}@{host}"


def make_response(
    request: Request,
    status: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    extra: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    content_type: str | None = None,
) -> Response:
    """A response to `request` with the §8.2.6.2 header fields copied in order.

    `to_tag` is added to To unless the request's To already carries one (in-dialog) or the
    status is 100 (a 100 Trying never carries a tag).
    """
    headers = Headers()
    fields = [f for f in request.headers if f.key in _COPIED]
    for f in fields:
        if f.key == "to" and to_tag is not None and status != 100 and request.to.tag is None:
            headers.add("To", str(request.to.with_param("tag", to_tag)))
        else:
            headers.add(canonical_name(f.key), f.value)
    if 100 < status < 300:
        # §12.1.1: the UAS copies every Record-Route, in order, into a response that may make a
        # dialog, so the caller's in-dialog requests pass the same proxies ours do.
        for value in request.headers.get_all("record-route"):
            headers.add("Record-Route", value)
    if status == 100 and "timestamp" in request.headers:
        headers.add("Timestamp", request.headers.get("timestamp") or "")
    for name, value in extra or ():
        headers.add(name, value)
    response = Response(status, reason or reason_phrase(status), headers)
    response.set_body(body, content_type)
    return response


def make_ack_for_error(invite: Request, response: Response) -> Request:
    """The ACK a client INVITE transaction sends for a 300–699 (§17.1.1.3): same branch."""
    headers = Headers()
    top = invite.headers.values("via")[0]
    headers.add("Via", top)
    for name in ("route",):
        for value in invite.headers.get_all(name):
            headers.add(canonical_name(header_key(name)), value)
    headers.add("Max-Forwards", "70")
    headers.add("From", invite.headers.get("from") or "")
    headers.add("To", response.headers.get("to") or "")
    headers.add("Call-ID", invite.call_id)
    headers.add("CSeq", f"{invite.cseq.number} ACK")
    headers.add("Content-Length", "0")
    return Request("ACK", invite.uri, headers)


def make_cancel(invite: Request) -> Request:
    """CANCEL for a pending INVITE (§9.1): same Request-URI, top Via, Route, Call-ID, CSeq."""
    headers = Headers()
    headers.add("Via", invite.headers.values("via")[0])
    for value in invite.headers.get_all("route"):
        headers.add("Route", value)
    headers.add("Max-Forwards", "70")
    headers.add("From", invite.headers.get("from") or "")
    headers.add("To", invite.headers.get("to") or "")
    headers.add("Call-ID", invite.call_id)
    headers.add("CSeq", f"{invite.cseq.number} CANCEL")
    headers.add("Content-Length", "0")
    return Request("CANCEL", invite.uri, headers)
