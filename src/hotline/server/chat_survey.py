"""The widget's end-of-chat survey over the quality package (ADR 0236): each call one unit of
work, committed, so the link, the offer and the answers are written whole or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.clock import Clock
from hotline.config import QualitySettings
from hotline.quality.chat_surveys import ChatSurveys, survey_frame
from hotline.quality.links import LinkSurveys
from hotline.store.quality_repo import SqlQuality
from hotline.store.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["ChatSurveyDesk"]


class ChatSurveyDesk:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, settings: QualitySettings) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings

    def _surveys(self, uow: UnitOfWork) -> ChatSurveys:
        links = LinkSurveys(
            SqlQuality(uow.conn), uow.emit, self._clock.now,
            public_url=self._settings.public_url, link_hours=self._settings.link_hours,
        )  # fmt: skip
        return ChatSurveys(links)

    async def offer(
        self, tenant_id: str, chat_id: str, language: str, survey: str
    ) -> dict[str, Any] | None:
        async with self._uow() as uow:
            found = await self._surveys(uow).offer(tenant_id, chat_id, language, survey)
            await uow.commit()
        return None if found is None else survey_frame(found)

    async def answer(self, tenant_id: str, chat_id: str, answers: Mapping[str, Any]) -> None:
        async with self._uow() as uow:
            await self._surveys(uow).answer(tenant_id, chat_id, answers)
            await uow.commit()
