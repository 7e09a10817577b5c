"""What node handlers share: the step's scratch pad (`Run`) and the transitions they return.

A step copies the frozen `FlowState` into a `Run`, lets node handlers change it and collect
actions and events, then freezes it again; the step function stays pure. A handler answers
`enter(node, run)` and `resume(node, run, input)` with `Goto` (go to another node now), `Wait`
(ask for an action and wait for its answer) or `Finish` (end the flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from hotline.events import DomainEvent
from hotline.flows.actions import Action
from hotline.flows.errors import ExpressionEvalError, UnexpectedInput
from hotline.flows.evaluate import evaluate, evaluate_bool
from hotline.flows.events import DigitsCollectedEvent, ExpressionFailed, NodeEntered, VariableSet
from hotline.flows.expression import Expression, Value
from hotline.flows.hours import local_time_variables
from hotline.flows.inputs import FlowInput
from hotline.flows.prompts import PromptRef, resolve_prompts
from hotline.flows.schema import Flow, Prompt, _Node
from hotline.flows.state import MASK, EndReason, FlowState
from hotline.flows.variables import Scalar

if TYPE_CHECKING:
    from hotline.flows.interpreter import Program

__all__ = [
    "FAILED",
    "MAX_ENTRIES",
    "MAX_PATH",
    "Failed",
    "Finish",
    "Goto",
    "Handler",
    "Run",
    "Transition",
    "Wait",
]

MAX_ENTRIES = 100  # keys remembered for the screen pop
MAX_PATH = 200  # nodes remembered for the screen pop


@dataclass(frozen=True, slots=True)
class Goto:
    target: str


@dataclass(frozen=True, slots=True)
class Wait:
    action: Action
    phase: str = ""
    attempt: int = 0


@dataclass(frozen=True, slots=True)
class Finish:
    reason: EndReason
    action: Action | None = None
    detail: str = ""


Transition = Goto | Wait | Finish


class Failed:
    """An expression that failed (already reported); the handler takes the documented fallback."""


FAILED = Failed()


@dataclass
class Run:
    """One step's mutable copy of the state, plus what the step produces."""

    program: Program
    state: FlowState
    now: float
    node_id: str
    phase: str
    attempt: int
    variables: dict[str, Scalar]
    type_ahead: str
    entries: list[tuple[str, str]]
    sensitive: set[str]
    path: list[str]
    steps: int
    entered_at: float
    actions: list[Action] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    _time: Mapping[str, Value] | None = None

    @property
    def flow(self) -> Flow:
        return self.program.flow

    @property
    def language(self) -> str:
        value = self.variables.get("language")
        return value if isinstance(value, str) else self.flow.language

    def scope(self) -> Mapping[str, Value]:
        if self._time is None:
            self._time = local_time_variables(self.now, self.flow.timezone)
        return {**self.variables, **self._time}

    def emit(self, event_type: type[DomainEvent], **fields: Any) -> None:
        self.events.append(
            event_type(
                tenant_id=self.state.tenant_id,
                at=self.now,
                interaction_id=self.state.interaction_id,
                **fields,
            )
        )

    def enter(self, node_id: str, node: _Node, *, phase: str = "") -> None:
        """Make `node_id` the current node (a branch taken, or a return to a queue)."""
        self.node_id, self.phase, self.attempt = node_id, phase, 0
        self.steps += 1
        self.entered_at = self.now
        if len(self.path) < MAX_PATH:
            self.path.append(node_id)
        self.emit(
            NodeEntered, flow=self.flow.name, node=node_id, node_type=node.kind, title=node.title
        )

    def set(self, name: str, value: Scalar, *, sensitive: bool = False) -> None:
        self.variables[name] = value
        if sensitive:
            self.sensitive.add(name)
        shown = MASK if name in self.sensitive else value
        self.emit(VariableSet, node=self.node_id, name=name, value=shown)

    def update(self, name: str, value: Scalar) -> None:
        """`set`, but only when the value changes (no event for a no-op)."""
        if name not in self.variables or self.variables[name] != value:
            self.set(name, value)

    def keyed(self, digits: str, outcome: str, *, sensitive: bool = False) -> None:
        """Record keys the caller entered (event, and the screen pop's entries)."""
        shown = MASK if sensitive and digits else digits
        self.emit(
            DigitsCollectedEvent,
            node=self.node_id,
            digits=shown,
            outcome=outcome,
            attempt=self.attempt,
        )
        if outcome == "matched" and len(self.entries) < MAX_ENTRIES:
            self.entries.append((self.node_id, shown))

    def expression(self, source: str) -> Expression:
        return self.program.expression(source)

    def evaluate(self, field_name: str, source: str) -> Value | Failed:
        try:
            value = evaluate(self.expression(source), self.scope())
        except ExpressionEvalError as exc:
            self.emit(ExpressionFailed, node=self.node_id, field=field_name, message=exc.message)
            return FAILED
        return value

    def condition(self, field_name: str, source: str) -> bool:
        """A branch condition; one that fails is not taken (and reported)."""
        try:
            return evaluate_bool(self.expression(source), self.scope())
        except ExpressionEvalError as exc:
            self.emit(ExpressionFailed, node=self.node_id, field=field_name, message=exc.message)
            return False

    def scalar(self, field_name: str, value: Value) -> Scalar | Failed:
        if not isinstance(value, tuple):
            return value
        message = f"a list cannot be stored in a variable ({value!r})"
        self.emit(ExpressionFailed, node=self.node_id, field=field_name, message=message)
        return FAILED

    def prompts(self, prompts: tuple[Prompt, ...]) -> tuple[PromptRef, ...]:
        return resolve_prompts(
            prompts,
            language=self.language,
            default_language=self.flow.language,
            scope=self.scope(),
        )

    def take_type_ahead(self) -> str:
        keys, self.type_ahead = self.type_ahead, ""
        return keys


N = TypeVar("N")


class Handler(Generic[N]):
    """How one node type behaves. Subclasses override `enter` and, if they wait, `resume`."""

    def enter(self, node: N, run: Run) -> Transition:
        raise NotImplementedError

    def resume(self, node: N, run: Run, event: FlowInput) -> Transition:
        raise UnexpectedInput("flow", f"{run.node_id}/{run.phase}", type(event).__name__)
