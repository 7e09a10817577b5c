"""One turn of a knowledge-base bot (issue 23, the bot milestone's decision core): from the
visitor's message and the search hits, answer with an article, offer choices when unsure, ask
again, or hand off to a person — on request ("转人工", "operator"), when nothing in the
knowledge base comes near the question, or after N turns without an answer. Pure: the flow
interpreter's bot node calls it through `advisor.KnowledgeBot` with the shelf's hits and keeps
`BotState` in the flow's variables (ADR 0256); `bench/kb.py` measures it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from hotline.knowledge.search import Hit

__all__ = ["BotOutcome", "BotPolicy", "BotReply", "BotState", "HandOffReason", "bot_turn"]


class BotOutcome(StrEnum):
    ANSWER = "answer"  # one article answers
    OFFER = "offer"  # unsure: choices to pick from
    RETRY = "retry"  # ask the visitor to say it differently
    HAND_OFF = "hand_off"  # to a person, with the transcript


class HandOffReason(StrEnum):
    REQUESTED = "requested"  # 转人工
    LOW_CONFIDENCE = "low_confidence"  # nothing comes near the question
    FAILED_TURNS = "failed_turns"  # N turns without an answer


_HAND_OFF_WORDS = (
    r"转人工|人工客服|人工服务|找人工|真人|接人工|客服人员|"
    r"\b(operator|agent|human|real person|representative|talk to (a|someone))\b"
)


@dataclass(frozen=True, slots=True)
class BotPolicy:
    """Thresholds on `Hit.confidence` (the share of the question the article covers)."""

    answer_at: float = 0.5
    offer_at: float = 0.3
    hand_off_below: float = 0.15
    max_failed_turns: int = 2
    choices: int = 3
    hand_off_words: str = _HAND_OFF_WORDS


@dataclass(frozen=True, slots=True)
class BotState:
    failed_turns: int = 0


@dataclass(frozen=True, slots=True)
class BotReply:
    outcome: BotOutcome
    hits: tuple[Hit, ...] = ()
    reason: HandOffReason | None = None


def bot_turn(
    message: str, hits: Sequence[Hit], state: BotState, policy: BotPolicy = BotPolicy()
) -> tuple[BotReply, BotState]:
    if re.search(policy.hand_off_words, message, re.IGNORECASE):
        return BotReply(BotOutcome.HAND_OFF, reason=HandOffReason.REQUESTED), state
    best = hits[0].confidence if hits else 0.0
    if best >= policy.answer_at:
        return BotReply(BotOutcome.ANSWER, (hits[0],)), BotState()
    if best >= policy.offer_at:
        return BotReply(BotOutcome.OFFER, tuple(hits[: policy.choices])), state
    if best < policy.hand_off_below:
        return BotReply(BotOutcome.HAND_OFF, reason=HandOffReason.LOW_CONFIDENCE), state
    failed = replace(state, failed_turns=state.failed_turns + 1)
    if failed.failed_turns >= policy.max_failed_turns:
        return BotReply(BotOutcome.HAND_OFF, reason=HandOffReason.FAILED_TURNS), failed
    return BotReply(BotOutcome.RETRY), failed
