"""ACD: agent state, queues, skills, strategies, overflow, EWT, the router (pure logic).

`Router` is the entry point; everything it takes and returns is exported here. The contract
with call control (`interactions/`) is described in `docs/routing.md`.
"""

from hotline.routing.agent_state import AgentState, WorkPhase
from hotline.routing.agents import MAX_PROFICIENCY, MIN_PROFICIENCY, AgentProfile
from hotline.routing.capacity import Blend, Channel
from hotline.routing.decisions import (
    Announce,
    CancelOffer,
    Decision,
    DialCallback,
    Exited,
    ExitReason,
    Offer,
    OfferCallback,
    OfferEnd,
    Overflow,
    Rejected,
    RejectReason,
)
from hotline.routing.destinations import Destination, DestinationKind
from hotline.routing.errors import (
    AgentLoggedIn,
    AgentNotFree,
    CallbackRefused,
    DispositionMissing,
    DuplicateInteraction,
    IllegalAgentTransition,
    InvalidRoutingConfig,
    InvalidRoutingInput,
    NotWaiting,
    OfferNotPending,
    QueueNotEmpty,
    RoutingError,
    UnknownAgent,
    UnknownInteraction,
    UnknownQueue,
)
from hotline.routing.overflow import OverflowAction, OverflowStep
from hotline.routing.personal import PERSONAL_QUEUE, is_personal, personal_skill
from hotline.routing.queues import QueueConfig, ScoreWeights, ServiceLevelTarget, Strategy
from hotline.routing.router import Router, RouterSettings
from hotline.routing.skills import Requirement, SkillRequirement
from hotline.routing.snapshots import (
    AgentFacts,
    AgentSnapshot,
    LiveWork,
    QueueSnapshot,
    ReconcileSnapshot,
    WaitingFacts,
    WaitingSnapshot,
    WorkSnapshot,
)

__all__ = [
    "MAX_PROFICIENCY",
    "MIN_PROFICIENCY",
    "PERSONAL_QUEUE",
    "AgentFacts",
    "AgentLoggedIn",
    "AgentNotFree",
    "AgentProfile",
    "AgentSnapshot",
    "AgentState",
    "Announce",
    "Blend",
    "CallbackRefused",
    "CancelOffer",
    "Channel",
    "Decision",
    "Destination",
    "DestinationKind",
    "DialCallback",
    "DispositionMissing",
    "DuplicateInteraction",
    "ExitReason",
    "Exited",
    "IllegalAgentTransition",
    "InvalidRoutingConfig",
    "InvalidRoutingInput",
    "LiveWork",
    "NotWaiting",
    "Offer",
    "OfferCallback",
    "OfferEnd",
    "OfferNotPending",
    "Overflow",
    "OverflowAction",
    "OverflowStep",
    "QueueConfig",
    "QueueNotEmpty",
    "QueueSnapshot",
    "ReconcileSnapshot",
    "RejectReason",
    "Rejected",
    "Requirement",
    "Router",
    "RouterSettings",
    "RoutingError",
    "ScoreWeights",
    "ServiceLevelTarget",
    "SkillRequirement",
    "Strategy",
    "UnknownAgent",
    "UnknownInteraction",
    "UnknownQueue",
    "WaitingFacts",
    "WaitingSnapshot",
    "WorkPhase",
    "WorkSnapshot",
    "is_personal",
    "personal_skill",
]
