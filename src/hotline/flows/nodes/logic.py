"""Nodes that decide without the caller: condition, hours, set, lookup, emergency.

Only lookup waits (for the port's answer, bounded by its timeout) and emergency plays its
announcement when the tenant's switch is on; the rest move on within the same step.
"""

from __future__ import annotations

import re

from hotline.flows.actions import Lookup, Play
from hotline.flows.evaluate import render_value
from hotline.flows.events import ExpressionFailed
from hotline.flows.inputs import FlowInput, LookupCompleted, LookupFailed, PlaybackDone
from hotline.flows.nodes.base import Failed, Goto, Handler, Run, Transition, Wait
from hotline.flows.prompts import PromptRef
from hotline.flows.schema import ConditionNode, EmergencyNode, HoursNode, LookupNode, SetNode
from hotline.flows.variables import is_scalar
from hotline.hours import HoursStatus

__all__ = [
    "ConditionHandler",
    "EmergencyHandler",
    "HoursHandler",
    "LookupHandler",
    "SetHandler",
]

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
MAX_LOOKUP_FIELDS = 50


class ConditionHandler(Handler[ConditionNode]):
    def enter(self, node: ConditionNode, run: Run) -> Transition:
        for index, branch in enumerate(node.branches):
            if run.condition(f"branches.{index}.when", branch.when):
                return Goto(branch.next)
        return Goto(node.otherwise)


class HoursHandler(Handler[HoursNode]):
    def enter(self, node: HoursNode, run: Run) -> Transition:
        calendar = run.program.calendar(run.state.tenant_id, node.calendar)
        if calendar is None:
            message = f"no calendar {node.calendar!r} in the flow or the center; taking closed"
            run.emit(ExpressionFailed, node=run.node_id, field="calendar", message=message)
            return Goto(node.closed)
        status = calendar.status(run.now)
        if status is HoursStatus.OPEN:
            return Goto(node.open)
        if status is HoursStatus.HOLIDAY and node.holiday is not None:
            return Goto(node.holiday)
        return Goto(node.closed)


class SetHandler(Handler[SetNode]):
    def enter(self, node: SetNode, run: Run) -> Transition:
        for name, source in node.assign.items():
            field = f"assign.{name}"
            value = run.evaluate(field, source)
            if isinstance(value, Failed):
                continue
            scalar = run.scalar(field, value)
            if isinstance(scalar, Failed):
                continue
            if name == "language" and scalar not in run.flow.all_languages:
                message = f"language {scalar!r} is not one of {list(run.flow.all_languages)}"
                run.emit(ExpressionFailed, node=run.node_id, field=field, message=message)
                continue
            run.set(name, scalar)
        return Goto(node.next)


class LookupHandler(Handler[LookupNode]):
    def enter(self, node: LookupNode, run: Run) -> Transition:
        key = run.evaluate("key", node.key)
        if isinstance(key, Failed):
            return self.failed(node, run, "the key could not be computed")
        params: dict[str, str] = {}
        for name, source in node.params.items():
            value = run.evaluate(f"params.{name}", source)
            if not isinstance(value, Failed):
                params[name] = render_value(value)
        lookup = Lookup(node.source, render_value(key), node.timeout, node.url, params)
        return Wait(lookup, "lookup")

    def resume(self, node: LookupNode, run: Run, event: FlowInput) -> Transition:
        if isinstance(event, LookupCompleted):
            run.set(f"{node.store_as}.found", event.found)
            for name, value in sorted(event.data.items())[:MAX_LOOKUP_FIELDS]:
                # Data comes from outside: odd names and non-scalar values are left out.
                if _FIELD_NAME.match(name) and is_scalar(value) and name != "found":
                    run.set(f"{node.store_as}.{name}", value)
            return Goto(node.found if event.found else node.not_found)
        if isinstance(event, LookupFailed):
            return self.failed(node, run, event.reason)
        return super().resume(node, run, event)

    def failed(self, node: LookupNode, run: Run, reason: str) -> Transition:
        run.set(f"{node.store_as}.found", False)
        run.set(f"{node.store_as}.error", reason)
        return Goto(node.failed or node.not_found)


class EmergencyHandler(Handler[EmergencyNode]):
    def enter(self, node: EmergencyNode, run: Run) -> Transition:
        if run.variables.get("emergency.active") is not True:
            return Goto(node.next)
        message = run.variables.get("emergency.message")
        if isinstance(message, str) and message.strip():
            prompts: tuple[PromptRef, ...] = (PromptRef(run.language, message.strip()),)
        else:
            prompts = run.prompts(node.announcement)
        return Wait(Play(prompts, interruptible=False), "announce")

    def resume(self, node: EmergencyNode, run: Run, event: FlowInput) -> Transition:
        if isinstance(event, PlaybackDone):
            return Goto(node.reroute)
        return super().resume(node, run, event)
