"""Errors of the interaction orchestrator, each with a stable dotted code (DESIGN §3.5).

    InteractionError
    ├── UnknownTenant, InteractionNotFound, AgentNotLoggedIn        (NotFound)
    ├── AgentBusy, NothingToDo                                       (Conflict)
    ├── PhoneUnsupported, PhoneNotConnected                          (Conflict)
    ├── NotSupervising                                               (Conflict)
    ├── InvalidTransferTarget                                        (InvalidInput)
    ├── TelephonyDraining                                            (Unavailable)
    └── DeskError: the agent desktop's refusals (`desk.*`)
        ├── DeskNotLoggedIn, DispositionRequired, NoExtension         (Conflict)
        ├── NotAnAgent                                               (PermissionDenied)
        └── DeskUnavailable                                          (Unavailable)

Router and call-control errors (`routing.*`, `calls.*`) pass through unchanged.
"""

from __future__ import annotations

from hotline.errors import (
    Conflict,
    HotlineError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unavailable,
)

__all__ = [
    "AgentBusy",
    "AgentNotLoggedIn",
    "DeskError",
    "DeskNotLoggedIn",
    "DeskUnavailable",
    "DispositionRequired",
    "InteractionError",
    "InteractionNotFound",
    "InvalidTransferTarget",
    "NoExtension",
    "NotAnAgent",
    "NotSupervising",
    "NothingToDo",
    "PhoneNotConnected",
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


class PhoneNotConnected(InteractionError, Conflict):
    """A browser phone is asked for while its WebRTC session is not connected (log in after
    the page's phone is up)."""

    code = "interactions.phone.not_connected"


class NotSupervising(InteractionError, Conflict):
    code = "interactions.supervision.none"


class InvalidTransferTarget(InteractionError, InvalidInput):
    code = "interactions.transfer.invalid_target"

    def __init__(self, message: str) -> None:
        super().__init__(message, details={"field": "target"})


class TelephonyDraining(InteractionError, Unavailable):
    code = "interactions.draining"


class DeskError(InteractionError):
    code = "desk.error"


class DeskNotLoggedIn(DeskError, Conflict):
    """The desk asks for something that needs the agent logged in at a phone (签入)."""

    code = "desk.not_logged_in"

    def __init__(self, agent_id: str) -> None:
        super().__init__(f"agent {agent_id} is not logged in", details={"agent_id": agent_id})


class DispositionRequired(DeskError, Conflict):
    """The queue wants a disposition before after-call work may end."""

    code = "desk.disposition.required"


class NoExtension(DeskError, Conflict):
    """A SIP phone is asked for but the user has no extension."""

    code = "desk.phone.no_extension"


class NotAnAgent(DeskError, PermissionDenied):
    code = "desk.not_an_agent"


class DeskUnavailable(DeskError, Unavailable):
    """This process runs no telephony (an API-only process)."""

    code = "desk.unavailable"
