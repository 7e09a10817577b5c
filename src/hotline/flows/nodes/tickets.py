"""The ticket nodes: `ticket` opens a ticket about the contact and reads its number digit by
digit; `ticket_status` reads the status of the ticket whose number the caller entered.

Both wait for the port (the ticket service behind interactions/), then play what they say and
record its text as `flow.prompt_spoken`, so the contact's timeline keeps what the caller was
told. Their variables are `ticket.id`, `ticket.number` (digits, as text), `ticket.status`,
`ticket.status_text` and, after a failure, `ticket.error`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hotline.flows.actions import FindTicket, OpenTicket, Play
from hotline.flows.evaluate import render_value
from hotline.flows.events import PromptSpoken
from hotline.flows.inputs import FlowInput, PlaybackDone, TicketFailed, TicketFound, TicketOpened
from hotline.flows.nodes.base import Failed, Goto, Handler, Run, Transition, Wait
from hotline.flows.nodes.keys import then
from hotline.flows.prompts import PromptRef, fill_template
from hotline.flows.schema import Prompt, TicketNode, TicketStatusNode
from hotline.flows.ticket_speech import TICKET_OPENED, TICKET_STATUS, builtin_prompt

__all__ = ["TICKET_NUMBER", "TicketHandler", "TicketStatusHandler"]

TICKET_NUMBER = re.compile(r"^[1-9][0-9]{4,11}$")  # what the numbering gives: 5 to 12 digits


def _say(run: Run, prompts: tuple[Prompt, ...], builtin: Mapping[str, str], phase: str) -> Wait:
    refs: tuple[PromptRef, ...] = (
        run.prompts(prompts) if prompts else builtin_prompt(builtin, run.language, run.scope())
    )
    for ref in refs:
        if ref.text:
            run.emit(PromptSpoken, node=run.node_id, language=ref.language, text=ref.text)
    return Wait(Play(refs, interruptible=False), phase)


def _remember(run: Run, event: TicketOpened | TicketFound) -> None:
    run.set("ticket.id", event.ticket_id)
    run.set("ticket.number", str(event.number))
    run.set("ticket.status", event.status)
    run.set("ticket.status_text", event.status_text)


class TicketHandler(Handler[TicketNode]):
    def enter(self, node: TicketNode, run: Run) -> Transition:
        scope = run.scope()
        request = OpenTicket(
            department=node.department,
            subject=fill_template(node.subject, scope).strip() or node.subject,
            description=fill_template(node.description, scope),
            priority=node.priority,
            category=node.category,
            language=run.language,
        )
        return Wait(request, "open")

    def resume(self, node: TicketNode, run: Run, event: FlowInput) -> Transition:
        if run.phase == "open" and isinstance(event, TicketOpened):
            _remember(run, event)
            return _say(run, node.prompt, TICKET_OPENED, "announce")
        if run.phase == "open" and isinstance(event, TicketFailed):
            run.set("ticket.error", event.reason)
            return then(node.error, detail=f"ticket: {event.reason}")
        if run.phase == "announce" and isinstance(event, PlaybackDone):
            return then(node.next)
        return super().resume(node, run, event)


class TicketStatusHandler(Handler[TicketStatusNode]):
    def enter(self, node: TicketStatusNode, run: Run) -> Transition:
        value = run.evaluate("number", node.number)
        entry = "" if isinstance(value, Failed) else render_value(value)
        digits = "".join(entry.split())
        if not TICKET_NUMBER.match(digits):
            run.set("ticket.error", "invalid")
            return Goto(node.invalid or node.not_found)
        return Wait(FindTicket(int(digits), run.language), "find")

    def resume(self, node: TicketStatusNode, run: Run, event: FlowInput) -> Transition:
        if run.phase == "find" and isinstance(event, TicketFound):
            if not event.found:
                run.set("ticket.error", "not_found")
                return Goto(node.not_found)
            _remember(run, event)
            return _say(run, node.prompt, TICKET_STATUS, "announce")
        if run.phase == "find" and isinstance(event, TicketFailed):
            run.set("ticket.error", event.reason)
            return Goto(node.error or node.not_found)
        if run.phase == "announce" and isinstance(event, PlaybackDone):
            return then(node.found)
        return super().resume(node, run, event)
