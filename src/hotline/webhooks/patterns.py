"""Which event types a webhook wants: exact names or a family with `*` (`ticket.*`)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["EVENT_FAMILIES", "wants"]

# The families a webhook may follow: tickets, contacts (interactions), customers.
EVENT_FAMILIES = ("ticket.", "interaction.", "customer.")


def wants(patterns: Iterable[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern == event_type:
            return True
        if pattern.endswith("*") and event_type.startswith(pattern[:-1]):
            return True
    return False
