"""Values of the contact history: who may see what (`Scope`), and what a list asks for.

Rows themselves travel as plain mappings, as the other domain services hand them to the API;
their columns are the projections' (`store/tables.py`: interactions, work_items,
agent_segments, worklist).
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.auth.model import Principal
from hotline.auth.roles import Role, oversees, sees_all

__all__ = ["ContactQuery", "Scope", "WorklistQuery", "contact_scope", "overseer", "worklist_scope"]


@dataclass(frozen=True, slots=True)
class Scope:
    """The contacts of a tenant a caller may see: all, or the union of the parts below."""

    everything: bool = False
    agents: frozenset[str] = frozenset()  # contacts where one of these agents had a segment
    unanswered: bool = False  # contacts nobody answered (a supervisor's queues' missed calls)
    queues: frozenset[str] = frozenset()  # missed contacts in these queues' worklists

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.agents or self.unanswered or self.queues)


def contact_scope(principal: Principal, *, team_agents: frozenset[str]) -> Scope:
    """Admins and QA see every contact; a supervisor the contacts its teams' agents (and it)
    handled and every unanswered one; an agent the contacts it handled."""
    if sees_all(principal.roles):
        return Scope(everything=True)
    mine = frozenset({principal.agent_id}) if principal.agent_id else frozenset()
    if Role.SUPERVISOR.value in principal.roles:
        return Scope(agents=team_agents | mine, unanswered=True)
    return Scope(agents=mine)


def worklist_scope(principal: Principal, *, my_queues: frozenset[str]) -> Scope:
    """Overseers see every queue's missed contacts; an agent its queues' (queue membership as
    the router decides it)."""
    if oversees(principal.roles):
        return Scope(everything=True)
    return Scope(queues=my_queues)


def overseer(principal: Principal) -> bool:
    return oversees(principal.roles)


@dataclass(frozen=True, slots=True)
class ContactQuery:
    """The contacts list's filters (all optional) and page."""

    since: float | None = None
    until: float | None = None
    agent_id: str | None = None  # had a segment
    queue: str | None = None  # visited
    customer_id: str | None = None
    disposition: str | None = None  # any segment's
    channel: str | None = None
    outcome: str | None = None
    number: str | None = None  # part of the caller's number
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class WorklistQuery:
    queue: str | None = None
    include_done: bool = False
    limit: int = 50
    offset: int = 0
