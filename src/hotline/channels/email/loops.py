"""Mail loop protection (RFC 3834 §2 and §5): no automatic answer to a mail that is itself
automatic (`Auto-Submitted`, `Precedence: bulk/list/junk`, a mailing list, a bounce from a
mailer-daemon or the null sender), to our own addresses, or to a sender who had more than
`limit` automatic answers within `window_s`. Pure: headers, addresses and times in."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from email.message import Message

__all__ = ["RateCap", "automatic_reason", "over_cap"]

_DAEMON = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|listserv|majordomo)"
    r"([+\-.][^@]*)?@",
    re.I,
)


@dataclass(frozen=True, slots=True)
class RateCap:
    """At most `limit` automatic answers to one sender within `window_s`."""

    limit: int = 3
    window_s: float = 3600.0


def automatic_reason(message: Message, sender: str, own_addresses: Collection[str]) -> str | None:
    """Why this mail must not be answered automatically (a stable word), or None."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return "auto_submitted"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in {"bulk", "list", "junk"}:
        return "precedence_" + precedence
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "mailing_list"
    suppress = str(message.get("X-Auto-Response-Suppress", "")).lower()
    if "all" in suppress or "autoreply" in suppress:
        return "suppressed"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "bounce"
    if message.get_content_type() == "multipart/report":
        return "bounce"
    if not sender or _DAEMON.match(sender):
        return "mailer_daemon"
    if sender.lower() in {a.lower() for a in own_addresses}:
        return "own_address"
    if message.get("X-Hotline-Mailbox"):
        return "own_address"  # one of ours, relayed back under another address
    return None


def over_cap(answered_at: Iterable[float], now: float, cap: RateCap) -> bool:
    """True when the sender already had `cap.limit` automatic answers within the window."""
    recent = sum(1 for t in answered_at if now - t < cap.window_s)
    return recent >= cap.limit
