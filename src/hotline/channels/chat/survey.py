"""What the widget's end-of-chat survey needs from outside (ADR 0236): the centre's survey for
an ended chat, and the visitor's answers logged once. Implemented over the quality package's
link surveys (`hotline.server.chat_survey`), so chats are rated like every other contact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["SurveyDesk"]


class SurveyDesk(Protocol):
    async def offer(
        self, tenant_id: str, chat_id: str, language: str, survey: str
    ) -> dict[str, Any] | None:
        """The `survey` frame for the widget (title and questions in `language`, and whether
        it was answered already); None when the chat has nobody to rate."""
        ...

    async def answer(self, tenant_id: str, chat_id: str, answers: Mapping[str, Any]) -> None:
        """Log the answers, committed; raises a `HotlineError` naming the refused answer, or
        that the survey was answered already."""
        ...
