"""The flow interpreter: a pure step function over a validated flow (DESIGN §3.1, ADR 0040).

    program = Program(flow, version=3, content_hash=h)      # once per published version
    result = program.start(tenant_id=t, variables={"caller.number": "138…"}, now=now)
    result = program.step(result.state, DigitsCollected("2"), now=later)

Each call returns a `StepResult`: the new `FlowState`, the actions to perform (the last one is
what the flow now waits for) and the `flow.*` events for the interaction's timeline. Nothing
here reads the clock, sleeps, or touches a socket; `now` comes in with every input. Nodes that
need no caller input (condition, set, hours) are passed through within one step; a step that
wanders through more than `MAX_HOPS` of them ends the flow with `EndReason.ERROR` (the
validator refuses such loops before publishing; this is the guard for what slips through).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hotline.events import DomainEvent
from hotline.flows.actions import Action, Hangup, LeaveQueue
from hotline.flows.errors import FlowInvalid, FlowVersionConflict, UnexpectedInput
from hotline.flows.events import FlowEnded, FlowStarted
from hotline.flows.expression import Expression, parse_expression
from hotline.flows.hours import CalendarSource, compile_calendar
from hotline.flows.inputs import ACCEPTS, FlowInput, HungUp, QueueOutcome
from hotline.flows.nodes import HANDLERS, Finish, Goto, Run, Transition, Wait
from hotline.flows.nodes.base import MAX_PATH
from hotline.flows.schema import CallbackNode, Flow, QueueNode
from hotline.flows.state import Awaiting, EndReason, FlowState
from hotline.flows.validate import validate_flow
from hotline.flows.variables import Scalar, is_scalar
from hotline.hours import BusinessCalendar

__all__ = ["MAX_HOPS", "MAX_PATH", "Program", "StepResult"]

MAX_HOPS = 100


@dataclass(frozen=True, slots=True)
class StepResult:
    state: FlowState
    actions: tuple[Action, ...]
    events: tuple[DomainEvent, ...]

    @property
    def waiting_on(self) -> Action | None:
        """The action whose answer the flow needs next (None once it has ended)."""
        if self.actions and self.actions[-1].awaits is not Awaiting.NOTHING:
            return self.actions[-1]
        return None

    @property
    def ended(self) -> bool:
        return self.state.ended is not None


class Program:
    """A validated flow, ready to run any number of calls. Immutable after construction."""

    def __init__(
        self,
        flow: Flow,
        *,
        version: int | None = None,
        content_hash: str | None = None,
        calendars: CalendarSource | None = None,
    ) -> None:
        issues = validate_flow(flow)
        if issues:
            raise FlowInvalid(issues, name=flow.name)
        self.flow = flow
        self.version = version
        self.content_hash = content_hash
        self.calendars = calendars
        self._inline = {
            name: compile_calendar(calendar, flow.timezone)
            for name, calendar in flow.calendars.items()
        }
        self._expressions: dict[str, Expression] = {}
        for node in flow.nodes.values():
            for source in node.expression_fields().values():
                self._expressions[source] = parse_expression(source)

    def expression(self, source: str) -> Expression:
        return self._expressions[source]

    def calendar(self, tenant_id: str, name: str) -> BusinessCalendar | None:
        """The hours node's calendar: the center's calendar of that name (what the admin
        edits, and what the queues ask), else the flow file's own — the default that makes a
        flow work in a center without one, and offline."""
        if self.calendars is not None:
            center = self.calendars.calendar(tenant_id, name)
            if center is not None:
                return center
        return self._inline.get(name)

    def initial_variables(self, given: Mapping[str, Scalar]) -> dict[str, Scalar]:
        variables: dict[str, Scalar] = {
            name: spec.default for name, spec in self.flow.variables.items()
        }
        variables.update(
            {
                "flow.name": self.flow.name,
                "flow.version": self.version,
                "channel": "voice",
                "language": self.flow.language,
                "emergency.active": False,
            }
        )
        for name, value in given.items():
            if not is_scalar(value):
                raise ValueError(f"variable {name!r} must be a scalar, not {value!r}")
            variables[name] = value
        if variables["language"] not in self.flow.all_languages:
            variables["language"] = self.flow.language
        return variables

    def start(
        self,
        *,
        tenant_id: str,
        now: float,
        variables: Mapping[str, Scalar] | None = None,
        interaction_id: str | None = None,
    ) -> StepResult:
        """Begin a call at the start node; `variables` seeds `caller.number`, `channel` …"""
        state = FlowState(
            flow=self.flow.name,
            version=self.version,
            content_hash=self.content_hash,
            tenant_id=tenant_id,
            interaction_id=interaction_id,
            node=self.flow.start,
            variables=self.initial_variables(variables or {}),
            started_at=now,
            node_entered_at=now,
        )
        run = self._run(state, now)
        run.emit(
            FlowStarted,
            flow=self.flow.name,
            version=self.version,
            content_hash=self.content_hash,
            start=self.flow.start,
            language=run.language,
        )
        return self._drive(run, Goto(self.flow.start), state)

    def step(self, state: FlowState, event: FlowInput, now: float) -> StepResult:
        """Feed one input (the answer to the action the state waits on) and go on."""
        if state.ended is not None:
            raise UnexpectedInput("flow", f"ended:{state.ended.value}", type(event).__name__)
        if state.flow != self.flow.name or (
            state.content_hash and self.content_hash and state.content_hash != self.content_hash
        ):
            raise FlowVersionConflict(
                f"the call runs {state.flow} v{state.version}; this program is "
                f"{self.flow.name} v{self.version}"
            )
        run = self._run(state, now)
        transition: Transition
        if isinstance(event, HungUp):
            transition = Finish(EndReason.CALLER_HUNG_UP)
        elif (
            isinstance(event, QueueOutcome)
            and state.awaiting is not Awaiting.QUEUE
            and state.variables.get("queue.waiting") is True
        ):
            transition = self._back_in_line(run, event)
        elif not isinstance(event, ACCEPTS[state.awaiting]):
            raise UnexpectedInput("flow", state.awaiting.value, type(event).__name__)
        else:
            node = self.flow.nodes[state.node]
            transition = HANDLERS[node.type].resume(node, run, event)
        return self._drive(run, transition, state)

    def _run(self, state: FlowState, now: float) -> Run:
        return Run(
            program=self,
            state=state,
            now=now,
            node_id=state.node,
            phase=state.phase,
            attempt=state.attempt,
            variables=dict(state.variables),
            type_ahead=state.type_ahead,
            entries=list(state.entries),
            sensitive=set(state.sensitive),
            path=list(state.path),
            steps=state.steps,
            entered_at=state.node_entered_at,
        )

    def _back_in_line(self, run: Run, event: QueueOutcome) -> Transition:
        """The queue the caller still waits in has news while the flow is elsewhere (a
        callback offer): return to the queue node that put the caller in line."""
        node_id = run.variables.get("queue.node")
        node = self.flow.nodes.get(node_id) if isinstance(node_id, str) else None
        if not isinstance(node, QueueNode) or not isinstance(node_id, str):
            raise UnexpectedInput("flow", "not in a queue", type(event).__name__)
        run.enter(node_id, node, phase="waiting")
        return HANDLERS[node.type].resume(node, run, event)

    def _leave_line_if_moving_on(self, run: Run, action: Action | None) -> None:
        """Withdraw the caller from the line when the flow goes anywhere but its queue node or
        that queue's callback offer (a declined offer that leads to voicemail, say)."""
        if run.variables.get("queue.waiting") is not True:
            return
        queue = run.variables.get("queue.name")
        node = self.flow.nodes.get(run.node_id)
        staying = isinstance(node, QueueNode | CallbackNode) and node.queue == queue
        if staying and not isinstance(action, Hangup):
            return
        run.actions.append(LeaveQueue(str(queue)))
        run.set("queue.waiting", False)

    def _drive(self, run: Run, transition: Transition, before: FlowState) -> StepResult:
        hops = 0
        awaiting, ended = Awaiting.NOTHING, None
        while True:
            if isinstance(transition, Goto):
                hops += 1
                node = self.flow.nodes.get(transition.target)
                if hops > MAX_HOPS or node is None:
                    detail = (
                        f"more than {MAX_HOPS} nodes without waiting"
                        if node is not None
                        else f"no node {transition.target!r}"
                    )
                    transition = Finish(EndReason.ERROR, Hangup("unavailable"), detail)
                    continue
                run.enter(transition.target, node)
                transition = HANDLERS[node.type].enter(node, run)
            elif isinstance(transition, Wait):
                self._leave_line_if_moving_on(run, transition.action)
                run.actions.append(transition.action)
                awaiting = transition.action.awaits
                run.phase, run.attempt = transition.phase, transition.attempt
                break
            else:
                if transition.reason is not EndReason.CALLER_HUNG_UP:
                    # A caller who hangs up abandons the line; interactions/ reports that.
                    self._leave_line_if_moving_on(run, transition.action)
                if transition.action is not None:
                    run.actions.append(transition.action)
                ended = transition.reason
                run.emit(
                    FlowEnded,
                    flow=self.flow.name,
                    node=run.node_id,
                    reason=transition.reason.value,
                    detail=transition.detail,
                )
                break
        state = FlowState(
            flow=before.flow,
            version=before.version,
            content_hash=before.content_hash,
            tenant_id=before.tenant_id,
            interaction_id=before.interaction_id,
            node=run.node_id,
            phase=run.phase if ended is None else "",
            attempt=run.attempt if ended is None else 0,
            awaiting=awaiting,
            variables=run.variables,
            sensitive=frozenset(run.sensitive),
            type_ahead=run.type_ahead,
            path=tuple(run.path),
            entries=tuple(run.entries),
            started_at=before.started_at,
            node_entered_at=run.entered_at,
            steps=run.steps,
            ended=ended,
        )
        return StepResult(state, tuple(run.actions), tuple(run.events))
