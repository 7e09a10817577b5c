"""The bot's figures (ADR 0259), from the log's `flow.bot_turn` and `flow.bot_handed_off`
records: how many conversations the bot kept to the end (containment, 机器人独立解决率), why it
handed off, and the questions it could not answer — the list that feeds new articles. Pure:
the store reads the records, the API shows the result.

Definitions: a *bot conversation* is a contact in which the customer asked the bot at least one
question; it is *contained* when it has no hand-off. A question is *unanswered* when the bot
asked to say it again or handed off because nothing came near it (`low_confidence`,
`failed_turns`); the same words (case, spaces and punctuation aside) count once, with a count.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["BotFigures", "BotRecord", "UnansweredQuestion", "bot_figures"]

TURN = "flow.bot_turn"
HANDED_OFF = "flow.bot_handed_off"
UNANSWERED_REASONS = frozenset({"low_confidence", "failed_turns"})
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class BotRecord:
    type: str
    interaction_id: str | None
    at: float
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    question: str  # as last asked
    count: int
    last_at: float
    language: str


@dataclass(frozen=True, slots=True)
class BotFigures:
    conversations: int
    contained: int
    handed_off: int
    questions: int
    answered: int
    hand_off_reasons: tuple[tuple[str, int], ...]
    unanswered: tuple[UnansweredQuestion, ...]

    @property
    def containment_rate(self) -> float | None:
        return None if not self.conversations else self.contained / self.conversations

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "contained": self.contained,
            "handed_off": self.handed_off,
            "containment_rate": self.containment_rate,
            "questions": self.questions,
            "answered": self.answered,
            "hand_off_reasons": [{"reason": r, "count": n} for r, n in self.hand_off_reasons],
            "unanswered": [
                {"question": u.question, "count": u.count, "last_at": u.last_at,
                 "language": u.language}
                for u in self.unanswered
            ],
        }  # fmt: skip


def _key(question: str) -> str:
    return _NOISE.sub("", question.lower())


def bot_figures(records: Iterable[BotRecord], *, unanswered_limit: int = 50) -> BotFigures:
    asked: set[str] = set()
    handed: dict[str, str] = {}  # contact → its (first) hand-off reason
    questions = answered = 0
    unanswered: dict[str, list[Any]] = {}  # key → [question, count, last_at, language]
    for record in records:
        contact = record.interaction_id or ""
        payload = record.payload
        if record.type == HANDED_OFF:
            handed.setdefault(contact, str(payload.get("reason") or "requested"))
            continue
        if record.type != TURN:
            continue
        question = str(payload.get("question") or "").strip()
        if not question:
            continue
        asked.add(contact)
        questions += 1
        outcome, reason = payload.get("outcome"), payload.get("reason")
        if outcome == "answer":
            answered += 1
        if outcome == "retry" or (outcome == "hand_off" and reason in UNANSWERED_REASONS):
            key = _key(question) or question
            kept = unanswered.setdefault(key, [question, 0, record.at, "zh-CN"])
            kept[1] += 1
            if record.at >= kept[2]:
                kept[0], kept[2] = question, record.at
            kept[3] = str(payload.get("language") or "zh-CN")
    handed_in = {c: r for c, r in handed.items() if c in asked}
    reasons = Counter(handed_in.values())
    ranked = sorted(unanswered.values(), key=lambda u: (-u[1], -u[2]))[:unanswered_limit]
    return BotFigures(
        conversations=len(asked),
        contained=len(asked) - len(handed_in),
        handed_off=len(handed_in),
        questions=questions,
        answered=answered,
        hand_off_reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        unanswered=tuple(UnansweredQuestion(q, n, at, lang) for q, n, at, lang in ranked),
    )
