"""The `bot` node (ADR 0256): a conversation with the knowledge base's bot until it hands off.

The node asks (`AskBot`) and the port answers with the bot's decision on the customer's message
(`BotAnswered`, decided by `knowledge.bot`); the node only keeps the conversation's state in
variables — `bot.failed_turns`, `bot.choices` (the article ids offered last, comma-joined),
`bot.turns`, `bot.question`, `bot.article` — says the reply, and takes `hand_off` when the bot
gives up or the customer asks for a person (`bot.hand_off_reason`). Every turn is a
`flow.bot_turn` event: the containment figures and the unanswered-questions list read them.
"""

from __future__ import annotations

from hotline.flows.actions import AskBot, Play
from hotline.flows.events import BotHandedOff, BotTurn
from hotline.flows.inputs import BotAnswered, CollectTimedOut, FlowInput, PlaybackDone
from hotline.flows.nodes.base import Goto, Handler, Run, Transition, Wait
from hotline.flows.nodes.keys import then
from hotline.flows.prompts import PromptRef
from hotline.flows.schema import BotNode

__all__ = ["BotHandler"]

HAND_OFF = "hand_off"


def _ask(node: BotNode, run: Run, prompts: tuple[PromptRef, ...]) -> Transition:
    failed = run.variables.get("bot.failed_turns")
    offered = run.variables.get("bot.choices")
    choices = tuple(c for c in str(offered or "").split(",") if c)
    return Wait(
        AskBot(
            prompts,
            language=run.language,
            timeout=node.timeout,
            answer_at=node.answer_at,
            offer_at=node.offer_at,
            hand_off_below=node.hand_off_below,
            max_failed_turns=node.max_failed_turns,
            failed_turns=failed if isinstance(failed, int) else 0,
            choices=choices,
            audience=node.audience,
        ),
        "asking",
    )


class BotHandler(Handler[BotNode]):
    def enter(self, node: BotNode, run: Run) -> Transition:
        run.update("bot.failed_turns", 0)
        run.update("bot.choices", "")
        run.update("bot.turns", 0)
        return _ask(node, run, run.prompts(node.prompt))

    def resume(self, node: BotNode, run: Run, event: FlowInput) -> Transition:
        if run.phase == "handing_off" and isinstance(event, PlaybackDone):
            return Goto(node.hand_off)
        if run.phase != "asking":
            return super().resume(node, run, event)
        if isinstance(event, CollectTimedOut):
            run.emit(BotTurn, node=run.node_id, question="", outcome="no_reply",
                     language=run.language)  # fmt: skip
            return then(node.no_reply, "no_reply")
        if not isinstance(event, BotAnswered):
            return super().resume(node, run, event)
        turns = run.variables.get("bot.turns")
        run.set("bot.turns", (turns if isinstance(turns, int) else 0) + 1)
        run.set("bot.question", event.question)
        run.emit(
            BotTurn,
            node=run.node_id,
            question=event.question,
            outcome=event.outcome,
            article_id=event.article_id or None,
            title=event.title or None,
            confidence=event.confidence,
            reason=event.reason or None,
            language=run.language,
        )
        run.update("bot.failed_turns", event.failed_turns)
        run.update("bot.choices", ",".join(event.choices))
        said = (PromptRef(run.language, text=event.reply),) if event.reply else ()
        if event.outcome == HAND_OFF:
            run.set("bot.hand_off_reason", event.reason or "requested")
            run.emit(BotHandedOff, node=run.node_id, reason=event.reason or "requested",
                     turns=run.variables["bot.turns"])  # fmt: skip
            if said:
                return Wait(Play(said), "handing_off")
            return Goto(node.hand_off)
        if event.outcome == "answer":
            run.set("bot.article", event.article_id)
            said = (*said, *run.prompts(node.again))
        return _ask(node, run, said)
