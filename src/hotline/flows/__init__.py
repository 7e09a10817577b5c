"""Flows: versioned IVR / bot graphs and the pure interpreter that runs them.

The public surface other packages use (interactions/, the CLI, the API):

- documents: `Flow` (pydantic), `read_document` / `read_flow_file` / `parse_flow`,
  `check_flow` / `validate_flow` / `ensure_valid` (every `FlowIssue` names node and field);
- running: `Program(flow, version=…, content_hash=…)` with `.start(...)` and `.step(...)`
  (pure), `FlowState`, the inputs and actions, and `run_flow(flow, port, variables, clock)`
  which drives a `Program` through an `InteractionPort`;
- versions: `FlowService` over a `FlowRepository` (publish, rollback, versions, the version a
  new call gets), `InMemoryFlowRepository`, `ProgramCache`, `content_hash`;
- the tenant's emergency switch: `EmergencyService` over an `EmergencySwitchStore`.
"""

from __future__ import annotations

from hotline.flows.actions import (
    Action,
    AwaitAgentLeft,
    Collect,
    Enqueue,
    Hangup,
    Lookup,
    NotifyVoicemail,
    Play,
    PromptRef,
    QueueAnnouncements,
    RecordVoicemail,
    RequestCallback,
    Transfer,
)
from hotline.flows.driver import run_flow
from hotline.flows.emergency import (
    EmergencyService,
    EmergencyState,
    EmergencySwitchStore,
    InMemoryEmergencySwitchStore,
)
from hotline.flows.errors import (
    CallerHungUp,
    ExpressionEvalError,
    ExpressionSyntaxError,
    FlowError,
    FlowInvalid,
    FlowIssue,
    FlowNotFound,
    FlowSyntaxError,
    FlowVersionConflict,
    FlowVersionNotFound,
    IssueCode,
    NothingToRollBack,
    PortUnsupported,
    UnexpectedInput,
)
from hotline.flows.inputs import (
    ACCEPTS as ACCEPTED_INPUTS,
)
from hotline.flows.inputs import (
    AgentLeft,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    FlowInput,
    HungUp,
    LookupCompleted,
    LookupFailed,
    PlaybackDone,
    QueueOutcome,
    QueueResult,
    RecordingDone,
    TransferOutcome,
)
from hotline.flows.interpreter import Program, StepResult
from hotline.flows.loader import parse_flow, read_document, read_flow_file
from hotline.flows.port import InteractionPort
from hotline.flows.repository import ActivePointer, FlowRepository, InMemoryFlowRepository
from hotline.flows.schema import Flow
from hotline.flows.service import FlowService, VersionInfo
from hotline.flows.state import Awaiting, EndReason, FlowState
from hotline.flows.validate import FlowCheck, check_flow, ensure_valid, validate_flow
from hotline.flows.versioning import FlowVersion, ProgramCache, content_hash

__all__ = [
    "ACCEPTED_INPUTS",
    "Action",
    "ActivePointer",
    "AgentLeft",
    "AwaitAgentLeft",
    "Awaiting",
    "CallbackOutcome",
    "CallerHungUp",
    "Collect",
    "CollectTimedOut",
    "DigitsCollected",
    "EmergencyService",
    "EmergencyState",
    "EmergencySwitchStore",
    "EndReason",
    "Enqueue",
    "ExpressionEvalError",
    "ExpressionSyntaxError",
    "Flow",
    "FlowCheck",
    "FlowError",
    "FlowInput",
    "FlowInvalid",
    "FlowIssue",
    "FlowNotFound",
    "FlowRepository",
    "FlowService",
    "FlowState",
    "FlowSyntaxError",
    "FlowVersion",
    "FlowVersionConflict",
    "FlowVersionNotFound",
    "Hangup",
    "HungUp",
    "InMemoryEmergencySwitchStore",
    "InMemoryFlowRepository",
    "InteractionPort",
    "IssueCode",
    "Lookup",
    "LookupCompleted",
    "LookupFailed",
    "NothingToRollBack",
    "NotifyVoicemail",
    "Play",
    "PlaybackDone",
    "PortUnsupported",
    "Program",
    "ProgramCache",
    "PromptRef",
    "QueueAnnouncements",
    "QueueOutcome",
    "QueueResult",
    "RecordVoicemail",
    "RecordingDone",
    "RequestCallback",
    "StepResult",
    "Transfer",
    "TransferOutcome",
    "UnexpectedInput",
    "VersionInfo",
    "check_flow",
    "content_hash",
    "ensure_valid",
    "parse_flow",
    "read_document",
    "read_flow_file",
    "run_flow",
    "validate_flow",
]
