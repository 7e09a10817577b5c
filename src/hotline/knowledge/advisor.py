"""`KnowledgeBot`: the flow's bot node asks it about each customer message (ADR 0256). It
searches the tenant's published articles (the shelf), lets the pure `bot_turn` decide, and
writes the reply in the customer's language. A reply that is the number of a choice offered on
the turn before ("2") answers with that article.
"""

from __future__ import annotations

import re

from hotline.flows.actions import AskBot
from hotline.flows.inputs import BotAnswered
from hotline.knowledge.bot import BotOutcome, BotPolicy, BotState, bot_turn
from hotline.knowledge.botsay import answer_text, hand_off_text, offer_text, retry_text
from hotline.knowledge.shelf import KnowledgeShelf

__all__ = ["KnowledgeBot"]

_CHOICE = re.compile(r"^\s*([1-9])\s*[.。]?\s*$")


def _lang(language: str) -> str:
    return "zh" if language.startswith("zh") else "en"


class KnowledgeBot:
    def __init__(self, shelf: KnowledgeShelf) -> None:
        self.shelf = shelf

    async def consult(self, tenant_id: str, question: str, request: AskBot) -> BotAnswered:
        picked = _CHOICE.match(question)
        if picked and request.choices:
            index = int(picked.group(1)) - 1
            if index < len(request.choices):
                article = request.choices[index]
                return await self._answer(tenant_id, question, request, article, None)
        audiences = ("public",) if request.audience == "public" else ("public", "internal")
        hits = await self.shelf.search(tenant_id, question, audiences=audiences, limit=5)
        policy = BotPolicy(
            answer_at=request.answer_at,
            offer_at=request.offer_at,
            hand_off_below=request.hand_off_below,
            max_failed_turns=request.max_failed_turns,
        )
        reply, state = bot_turn(question, hits, BotState(request.failed_turns), policy)
        language = request.language
        best = hits[0].confidence if hits else 0.0
        if reply.outcome is BotOutcome.ANSWER:
            hit = reply.hits[0]
            answered = await self._answer(
                tenant_id, question, request, hit.article_id, hit.language
            )
            return BotAnswered(
                question, "answer", answered.reply, article_id=answered.article_id,
                title=answered.title, confidence=best,
            )  # fmt: skip
        if reply.outcome is BotOutcome.OFFER:
            return BotAnswered(
                question,
                "offer",
                offer_text(language, [h.title for h in reply.hits]),
                confidence=best,
                choices=tuple(h.article_id for h in reply.hits),
                failed_turns=state.failed_turns,
            )
        if reply.outcome is BotOutcome.RETRY:
            return BotAnswered(
                question, "retry", retry_text(language), confidence=best,
                failed_turns=state.failed_turns,
            )  # fmt: skip
        reason = reply.reason.value if reply.reason is not None else "requested"
        return BotAnswered(
            question, "hand_off", hand_off_text(language, reason), reason=reason,
            confidence=best, failed_turns=state.failed_turns,
        )  # fmt: skip

    async def _answer(
        self,
        tenant_id: str,
        question: str,
        request: AskBot,
        article_id: str,
        language: str | None,
    ) -> BotAnswered:
        """The article's text, in the language it was found in (else the customer's)."""
        wanted = language or _lang(request.language)
        text = await self.shelf.text(tenant_id, article_id, wanted)
        if text is None:  # unpublished since it was offered
            return BotAnswered(question, "retry", retry_text(request.language))
        return BotAnswered(
            question,
            "answer",
            answer_text(text.title, text.body),
            article_id=article_id,
            title=text.title,
            confidence=1.0,
        )
