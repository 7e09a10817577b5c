"""Threading of mail (RFC 5322 §3.6.4): a reply names what it answers in `In-Reply-To` and
`References`; a client that drops them still keeps the subject, so our replies carry the
thread's reference token (`[#HL-7K3Q9XWM]`) there as the fallback. Pure: the caller looks
the candidates up and passes them in."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

__all__ = [
    "message_ids",
    "reference_token",
    "resolve_thread",
    "strip_reply_prefixes",
    "subject_tokens",
    "with_token",
]

_ID = re.compile(r"<([^<>\s]+)>")
_TOKEN = re.compile(r"\[#(HL-[0-9A-Z]{8})\]")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|答复|回复|转发)\s*(\[\d+\])?\s*[:：]\s*)+", re.I)


def message_ids(header: str | None) -> list[str]:
    """The message ids of a `References` / `In-Reply-To` value, in order, without brackets;
    a bare id (some clients drop the brackets) counts too."""
    if not header:
        return []
    found = _ID.findall(header)
    if found:
        return found
    bare = header.strip()
    return [bare] if bare and " " not in bare else []


def reference_token(thread_key: str) -> str:
    """The short token of a thread, stable for its key: `HL-` and 8 base32 digits."""
    digest = int.from_bytes(hashlib.sha256(thread_key.encode()).digest()[:5], "big")
    digits = [_ALPHABET[(digest >> (5 * i)) & 31] for i in range(8)]
    return "HL-" + "".join(reversed(digits))


def subject_tokens(subject: str) -> list[str]:
    return _TOKEN.findall(subject or "")


def with_token(subject: str, token: str) -> str:
    """The subject with the token once (a reply's subject keeps the one it has)."""
    if token in subject_tokens(subject):
        return subject
    return f"{subject} [#{token}]".strip()


def strip_reply_prefixes(subject: str) -> str:
    return _PREFIX.sub("", subject or "").strip()


def resolve_thread(
    in_reply_to: Sequence[str],
    references: Sequence[str],
    tokens: Sequence[str],
    known_ids: Mapping[str, str],
    known_tokens: Mapping[str, str],
) -> str | None:
    """The thread key a mail joins, or None for a new thread.

    `known_ids` maps message ids this mailbox has seen or sent to their thread keys;
    `known_tokens` maps reference tokens to thread keys. The direct parent wins, then the
    references from the newest back, then the subject's token."""
    for message_id in in_reply_to:
        if message_id in known_ids:
            return known_ids[message_id]
    for message_id in reversed(references):
        if message_id in known_ids:
            return known_ids[message_id]
    for token in tokens:
        if token in known_tokens:
            return known_tokens[token]
    return None
