"""The `sms` node: text the caller (the overflow step "we will text you a link"). The node
only asks, with a `sms.wanted` event in the log; the SMS channel's follower sends the
center's template to the number (docs/sms.md), so the caller never waits on a gateway."""

from __future__ import annotations

from hotline.flows.actions import Play
from hotline.flows.evaluate import render_value
from hotline.flows.events import SmsWanted
from hotline.flows.inputs import FlowInput, PlaybackDone
from hotline.flows.nodes.base import Failed, Handler, Run, Transition, Wait
from hotline.flows.nodes.keys import then
from hotline.flows.schema import SmsNode

__all__ = ["SmsHandler"]


class SmsHandler(Handler[SmsNode]):
    def enter(self, node: SmsNode, run: Run) -> Transition:
        to = run.evaluate("to", node.to)
        values: dict[str, str] = {}
        complete = not isinstance(to, Failed)
        for name, source in node.values.items():
            value = run.evaluate(f"values.{name}", source)
            if isinstance(value, Failed):
                complete = False
                break
            values[name] = render_value(value)
        number = render_value(to).strip() if not isinstance(to, Failed) else ""
        if complete and number:
            run.emit(
                SmsWanted, node=run.node_id, to=number, template=node.template,
                values=values, language=run.language,
            )  # fmt: skip
        if node.prompt:
            return Wait(Play(run.prompts(node.prompt)), "announce")
        return then(node.next)

    def resume(self, node: SmsNode, run: Run, event: FlowInput) -> Transition:
        if run.phase == "announce" and isinstance(event, PlaybackDone):
            return then(node.next)
        return super().resume(node, run, event)
