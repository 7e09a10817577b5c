"""Errors the router raises, each with a stable dotted `code` clients can rely on.

Business outcomes (queue full, closed, max wait) are not errors: the router returns them as
decisions. These errors mean the caller asked for something that cannot be: an unknown agent, an
illegal agent transition, an answer for an offer that is no longer ringing.

    RoutingError
    ├── UnknownAgent, UnknownQueue, UnknownInteraction        (NotFound)
    ├── DuplicateInteraction, QueueNotEmpty, AgentLoggedIn,
    │   OfferNotPending, NotWaiting, CallbackRefused          (Conflict)
    ├── IllegalAgentTransition                                (IllegalTransition)
    └── InvalidRoutingInput                                   (InvalidInput)
        └── InvalidRoutingConfig
"""

from __future__ import annotations

from typing import Any

from hotline.errors import Conflict, HotlineError, IllegalTransition, InvalidInput, NotFound

__all__ = [
    "AgentLoggedIn",
    "AgentNotFree",
    "CallbackRefused",
    "DispositionMissing",
    "DuplicateInteraction",
    "IllegalAgentTransition",
    "InvalidRoutingConfig",
    "InvalidRoutingInput",
    "NotWaiting",
    "OfferNotPending",
    "QueueNotEmpty",
    "RoutingError",
    "UnknownAgent",
    "UnknownInteraction",
    "UnknownQueue",
]


class RoutingError(HotlineError):
    """Base of every error `hotline.routing` raises."""

    code = "routing.error"


class UnknownAgent(RoutingError, NotFound):
    code = "routing.agent.unknown"

    def __init__(self, agent_id: str) -> None:
        super().__init__(f"agent {agent_id!r} is not configured", details={"agent_id": agent_id})


class UnknownQueue(RoutingError, NotFound):
    code = "routing.queue.unknown"

    def __init__(self, queue_id: str) -> None:
        super().__init__(f"queue {queue_id!r} is not configured", details={"queue_id": queue_id})


class UnknownInteraction(RoutingError, NotFound):
    code = "routing.interaction.unknown"

    def __init__(self, work_id: str, what: str = "known to the router") -> None:
        super().__init__(
            f"interaction {work_id!r} is not {what}",
            details={"work_id": work_id},
        )


class DuplicateInteraction(RoutingError, Conflict):
    code = "routing.interaction.duplicate"

    def __init__(self, work_id: str) -> None:
        super().__init__(
            f"interaction {work_id!r} is already queued or being handled",
            details={"work_id": work_id},
        )


class NotWaiting(RoutingError, Conflict):
    """The interaction exists but is not in the state the operation needs (e.g. already ringing)."""

    code = "routing.interaction.not_waiting"


class QueueNotEmpty(RoutingError, Conflict):
    code = "routing.queue.not_empty"

    def __init__(self, queue_id: str, waiting: int) -> None:
        super().__init__(
            f"queue {queue_id!r} still has {waiting} waiting interaction(s)",
            details={"queue_id": queue_id, "waiting": waiting},
        )


class AgentLoggedIn(RoutingError, Conflict):
    code = "routing.agent.logged_in"

    def __init__(self, agent_id: str) -> None:
        super().__init__(
            f"agent {agent_id!r} must be logged out first", details={"agent_id": agent_id}
        )


class AgentNotFree(RoutingError, Conflict):
    """The agent cannot be reserved for a call of its own now (logged out, or holding work)."""

    code = "routing.agent.not_free"

    def __init__(self, agent_id: str, state: str) -> None:
        super().__init__(
            f"agent {agent_id!r} is {state} and cannot start a call now",
            details={"agent_id": agent_id, "state": state},
        )


class OfferNotPending(RoutingError, Conflict):
    """An answer or rejection arrived for an offer that is not ringing (late, or never made)."""

    code = "routing.offer.not_pending"

    def __init__(self, work_id: str, agent_id: str) -> None:
        super().__init__(
            f"no offer of interaction {work_id!r} is ringing agent {agent_id!r}",
            details={"work_id": work_id, "agent_id": agent_id},
        )


class IllegalAgentTransition(RoutingError, IllegalTransition):
    """The agent state table has no row for (state, event)."""

    code = "routing.agent.illegal_transition"


class DispositionMissing(RoutingError, Conflict):
    """After-call work of a queue that requires a disposition cannot end without one."""

    code = "routing.wrap_up.disposition_required"

    def __init__(self, agent_id: str, work_id: str, queue_id: str) -> None:
        super().__init__(
            f"queue {queue_id!r} needs a disposition before agent {agent_id!r} may end "
            "after-call work",
            details={"agent_id": agent_id, "work_id": work_id, "queue_id": queue_id},
        )


class CallbackRefused(RoutingError, Conflict):
    """The queue takes no callbacks, or the interaction cannot become one now."""

    code = "routing.callback.refused"


class InvalidRoutingInput(RoutingError, InvalidInput):
    """An argument is out of range; `details["field"]` names it."""

    code = "routing.input.invalid"

    def __init__(self, message: str, *, field: str, **details: Any) -> None:
        super().__init__(message, details={"field": field, **details})


class InvalidRoutingConfig(InvalidRoutingInput):
    """A queue or agent definition is malformed; `details["field"]` names the culprit."""

    code = "routing.config.invalid"
