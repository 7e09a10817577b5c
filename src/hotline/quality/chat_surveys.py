"""The end-of-chat survey (ADR 0236): when a web chat ends, the widget asks the centre's
survey in the visitor's language and the visitor answers once. It is a link survey without
the e-mail: one single-use link per chat, whose id is the chat's own id, so asking again (a
reload, a second tab) shows the same survey and a second answer is refused; the answers are
the `flow.survey_answered` records of the rated agent segment that every link and IVR answer
writes, so CSAT figures and forced reviews treat chats alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotline.quality.errors import QualityInvalid, SurveyLinkRefused
from hotline.quality.links import LinkSurveys
from hotline.quality.surveys import SurveyDefinition

__all__ = ["CHAT_CHANNEL", "ChatSurvey", "ChatSurveys", "survey_frame"]

CHAT_CHANNEL = "chat"


@dataclass(frozen=True, slots=True)
class ChatSurvey:
    survey: SurveyDefinition
    language: str
    answered: bool


def survey_frame(found: ChatSurvey) -> dict[str, Any]:
    """What the widget draws: the title and each question in the visitor's language."""
    language = found.language
    return {
        "type": "survey",
        "answered": found.answered,
        "title": found.survey.title(language),
        "questions": [
            {
                "key": q.key, "kind": q.kind.value, "text": q.text(language),
                "bottom": q.bottom, "top": q.top, "required": q.required,
            }
            for q in found.survey.questions
        ],
    }  # fmt: skip


class ChatSurveys:
    def __init__(self, links: LinkSurveys) -> None:
        self.links = links

    async def offer(
        self, tenant_id: str, chat_id: str, language: str, survey: str
    ) -> ChatSurvey | None:
        """The chat's survey, its link written the first time it is asked for; None when no
        agent answered the chat (there is no segment to rate)."""
        repo = self.links.repo
        link = await repo.link(chat_id)
        if link is not None and link["tenant_id"] == tenant_id:
            definition = await self.links.definition(tenant_id, str(link["survey"]))
            return ChatSurvey(definition, language, link["answered_at"] is not None)
        if link is not None:  # another centre's id: never shown
            return None
        definition = await self.links.definition(tenant_id, survey)
        try:
            await self.links.issue(
                tenant_id, definition, interaction_id=chat_id, language=language,
                channel=CHAT_CHANNEL, link_id=chat_id,
            )  # fmt: skip
        except QualityInvalid:  # no agent segment: nobody to rate
            return None
        return ChatSurvey(definition, language, answered=False)

    async def answer(self, tenant_id: str, chat_id: str, answers: Mapping[str, Any]) -> None:
        """Log the visitor's answers once; a second answer, or one before the survey was
        offered, is refused (`quality.link.used`, `quality.link.forged`)."""
        link = await self.links.repo.link(chat_id)
        if link is None or link["tenant_id"] != tenant_id:
            raise SurveyLinkRefused("quality.link.forged")
        token = await self.links.token(tenant_id, chat_id, float(link["expires_at"]))
        await self.links.answer(token, answers)
