"""Errors of the interaction orchestrator, each with a stable dotted code (DESIGN §3.5).

    InteractionError
    ├── UnknownTenant, InteractionNotFound, AgentNotLoggedIn        (NotFound)
    ├── AgentBusy, NothingToDo                                       (Conflict)
    ├── PhoneUnsupported                                             (Conflict)
    ├── InvalidTransferTarget                                        (InvalidInput)
    └── TelephonyDraining                                            (Unavailable)

Router and call-control errors (`routing.*`, `calls.*`) pass through unchanged.
"""

from __future__ import annotations

from hotline.errors import Conflict, HotlineError, InvalidInput, NotFound, Unavailable

__all__ = [
    "AgentBusy",
    "AgentNotLoggedIn",
    "InteractionError",
    "InteractionNotFound",
    "InvalidTransferTarget",
    "NothingToDo",
    "PhoneUnsupported",
    "TelephonyDraining",
    "UnknownTenant",
]


class InteractionError(HotlineError):
    code = "interactions.error"


class UnknownTenant(InteractionError, NotFound):
    code = "interactions.tenant.unknown"

    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"tenant {tenant_id!r} has no telephony", details={"tenant_id": tenant_id})


class InteractionNotFound(InteractionError, NotFound):
    code = "interactions.interaction.not_found"

    def __init__(self, interaction_id: str) -> None:
        super().__init__(
            f"no live interaction {interaction_id!r}", details={"interaction_id": interaction_id}
        )


class AgentNotLoggedIn(InteractionError, NotFound):
    code = "interactions.agent.not_logged_in"

    def __init__(self, agent_id: str) -> None:
        super().__init__(f"agent {agent_id!r} is not logged in", details={"agent_id": agent_id})


class AgentBusy(InteractionError, Conflict):
    """The agent is on a call and cannot start another (click-to-dial, consult)."""

    code = "interactions.agent.busy"


class NothingToDo(InteractionError, Conflict):
    """The agent has no call in the shape the request needs (no call to hold, no consult)."""

    code = "interactions.agent.no_call"


class PhoneUnsupported(InteractionError, Conflict):
    """The agent's phone cannot do this from the desktop (answer a SIP desk phone)."""

    code = "interactions.phone.unsupported"


class InvalidTransferTarget(InteractionError, InvalidInput):
    code = "interactions.transfer.invalid_target"

    def __init__(self, message: str) -> None:
        super().__init__(message, details={"field": "target"})


class TelephonyDraining(InteractionError, Unavailable):
    code = "interactions.draining"
