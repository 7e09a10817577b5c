"""Who gets a new ticket of a department: round robin over its members in their order, or the
member with the fewest open tickets (ties to the member longest since an assignment, then the
list order). Pure: the repository supplies the counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hotline.tickets.model import Assignment

__all__ = ["choose_assignee"]


def choose_assignee(
    strategy: Assignment,
    members: Sequence[str],
    *,
    last_assigned: str | None,
    open_counts: Mapping[str, int] | None = None,
) -> str | None:
    """The member to assign, or None (manual assignment, or no members)."""
    if strategy is Assignment.MANUAL or not members:
        return None
    if strategy is Assignment.ROUND_ROBIN:
        if last_assigned in members:
            return members[(members.index(last_assigned) + 1) % len(members)]
        return members[0]
    counts = open_counts or {}
    # Ties go round-robin too, so equal members share the work.
    start = (members.index(last_assigned) + 1) % len(members) if last_assigned in members else 0
    ordered = [*members[start:], *members[:start]]
    return min(ordered, key=lambda m: counts.get(m, 0))
