"""Roles and the one RBAC policy: which role may do what (DESIGN §6, "RBAC checked in one place").

Endpoints declare the permission they need; only `allowed()` decides. Tenant isolation is a
separate rule enforced by every repository query (a user never sees another tenant's rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "CENTER_ROLES",
    "POLICY",
    "Permission",
    "Role",
    "allowed",
    "oversees",
    "sees_all",
]


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    QA = "qa"
    # Above every center: creates, suspends and deletes tenants (docs/tenants.md). Held only
    # by users of the platform tenant; it reads no center's data.
    OPERATOR = "operator"


CENTER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.QA})
"""The roles a center's admin may give; `operator` is the platform's own."""

_SEE_ALL = frozenset({Role.ADMIN.value, Role.QA.value})
_OVERSEERS = _SEE_ALL | {Role.SUPERVISOR.value}


class Permission(StrEnum):
    CONFIG_READ = "config.read"  # agents, skills, teams, queues, numbers, calendars, codes
    CONFIG_WRITE = "config.write"
    USERS_READ = "users.read"
    USERS_WRITE = "users.write"
    AUDIT_READ = "audit.read"
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_WRITE = "customers.write"
    EVENTS_READ = "events.read"
    TOKENS_WRITE = "tokens.write"
    FLOWS_READ = "flows.read"
    FLOWS_WRITE = "flows.write"
    TICKETS_READ = "tickets.read"
    TICKETS_WRITE = "tickets.write"
    DATA_IMPORT = "data.import"  # import spreadsheets (customers, later call lists, history)
    DATA_EXPORT = "data.export"  # export records to CSV / XLSX
    INTERACTIONS_READ = "interactions.read"  # scoped: own / team's / all, by role
    INTERACTIONS_WRAP_UP = "interactions.wrap_up"
    RECORDINGS_LISTEN = "recordings.listen"
    DESK = "desk"  # work at the agent desktop (needs an agent profile too)
    SUPERVISE = "supervise"  # listen / whisper / barge, force an agent's state or log it out
    SELF = "self"  # read my own profile, change my own password and language
    WFM_READ = "wfm.read"  # forecasts, staffing, every schedule, adherence
    WFM_WRITE = "wfm.write"  # import history, plan, generate and publish, decide requests
    SECOND_FACTOR = "second_factor"  # set up an authenticator app (TOTP) for my login
    TENANTS_MANAGE = "tenants.manage"  # the platform: create, suspend, resume, delete centers
    REPORTS_READ = "reports.read"  # scoped: own figures / teams' / all, by role
    KNOWLEDGE_READ = "knowledge.read"  # search and read published articles (all audiences)
    KNOWLEDGE_WRITE = "knowledge.write"  # write, publish and unpublish articles; synonyms


_EVERYONE = {
    Permission.SELF,
    Permission.CONFIG_READ,
    Permission.CUSTOMERS_READ,
    Permission.TICKETS_READ,
    Permission.INTERACTIONS_READ,
    Permission.RECORDINGS_LISTEN,
    Permission.REPORTS_READ,
    Permission.KNOWLEDGE_READ,
}

POLICY: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission) - {Permission.TENANTS_MANAGE},
    Role.SUPERVISOR: frozenset(
        _EVERYONE
        | {
            Permission.USERS_READ,
            Permission.CUSTOMERS_WRITE,
            Permission.EVENTS_READ,
            Permission.AUDIT_READ,
            Permission.FLOWS_READ,
            Permission.TICKETS_WRITE,
            Permission.INTERACTIONS_WRAP_UP,
            Permission.DESK,
            Permission.SUPERVISE,
            Permission.DATA_IMPORT,
            Permission.DATA_EXPORT,
            Permission.WFM_READ,
            Permission.WFM_WRITE,
            Permission.SECOND_FACTOR,
            Permission.KNOWLEDGE_WRITE,
        }
    ),
    Role.AGENT: frozenset(
        _EVERYONE
        | {
            Permission.CUSTOMERS_WRITE,
            Permission.TICKETS_WRITE,
            Permission.INTERACTIONS_WRAP_UP,
            Permission.DESK,
        }
    ),
    Role.QA: frozenset(_EVERYONE | {Permission.EVENTS_READ}),
    Role.OPERATOR: frozenset(
        {
            Permission.SELF,
            Permission.SECOND_FACTOR,
            Permission.AUDIT_READ,  # the platform's audit: the operators' own actions
            Permission.TENANTS_MANAGE,
        }
    ),
}


_ROLE_NAMES = {r.value: r for r in Role}


def allowed(roles: Iterable[str], permission: Permission) -> bool:
    return any(permission in POLICY[_ROLE_NAMES[r]] for r in roles if r in _ROLE_NAMES)


def sees_all(roles: Iterable[str]) -> bool:
    """Whether these roles see every team's contacts and figures (admins, QA)."""
    return not _SEE_ALL.isdisjoint(roles)


def oversees(roles: Iterable[str]) -> bool:
    """Whether these roles see more than their own work: every team's, or (supervisors) their
    teams' and the center's figures. The one rule the contact history, the worklist and the
    reports ask."""
    return not _OVERSEERS.isdisjoint(roles)
