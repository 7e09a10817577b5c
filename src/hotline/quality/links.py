"""Link surveys (ADR 0213): a signed, single-use, expiring link sent to the customer for one
agent segment of a contact, a small page that asks the survey's questions, and the answers
logged as `flow.survey_answered` records of that segment — the same records the IVR writes, so
the contact, the CSAT figures, the response rates and the forced reviews treat both alike."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hotline.events import DomainEvent
from hotline.flows.events import SurveyAnswered
from hotline.ids import new_id
from hotline.quality.errors import QualityInvalid, SurveyLinkRefused, SurveyNotFound
from hotline.quality.events import SurveyLinkSent
from hotline.quality.ports import QualityRepository, SurveySender
from hotline.quality.surveys import (
    DEFAULT_SURVEY,
    QuestionKind,
    SurveyDefinition,
    normalise_answer,
)
from hotline.quality.tokens import read_token, sign_token

__all__ = ["LinkSurveys", "OpenLink", "SentLink", "link_text"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Message:
    address: str
    subject: str
    body: str
    url: str


@dataclass(frozen=True, slots=True)
class SentLink:
    link_id: str
    token: str
    url: str
    agent_id: str | None
    work_id: str | None
    expires_at: float


@dataclass(frozen=True, slots=True)
class OpenLink:
    link: dict[str, Any]
    survey: SurveyDefinition
    language: str


def link_text(language: str, title: str, url: str, hours: float) -> tuple[str, str]:
    """The e-mail's subject and body in the customer's language."""
    days = max(1, round(hours / 24))
    if language.lower().startswith("zh"):
        return (
            f"{title}",
            f"您好！感谢您联系我们。请花一分钟告诉我们本次服务的感受：\n\n{url}\n\n"
            f"链接 {days} 天内有效，只能提交一次。",
        )
    return (
        f"{title}",
        f"Hello, thank you for contacting us. Please tell us in a minute how we did:\n\n{url}\n\n"
        f"The link works for {days} day(s) and can be answered once.",
    )


class LinkSurveys:
    def __init__(
        self,
        repo: QualityRepository,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
        *,
        public_url: str,
        link_hours: float,
    ) -> None:
        self.repo = repo
        self.emit = emit
        self.now = now
        self.public_url = public_url.rstrip("/")
        self.link_hours = link_hours

    async def definition(self, tenant_id: str, name: str) -> SurveyDefinition:
        found = await self.repo.definition(tenant_id, name)
        if found is None and name == DEFAULT_SURVEY.name:
            return DEFAULT_SURVEY
        if found is None:
            raise SurveyNotFound(name)
        return found

    async def send(
        self,
        tenant_id: str,
        sender: SurveySender,
        *,
        interaction_id: str,
        address: str,
        language: str,
        survey: str = DEFAULT_SURVEY.name,
        work_id: str | None = None,
    ) -> SentLink:
        """Send a link rating one agent segment of the contact: `work_id`'s, else the last
        answered one (the agent the customer spoke to last)."""
        address = address.strip()
        if not _EMAIL.match(address):
            raise QualityInvalid("quality.link.email_invalid", "address", value=address)
        definition = await self.definition(tenant_id, survey)
        sent = await self.issue(
            tenant_id, definition, interaction_id=interaction_id, language=language,
            channel=sender.channel, address=address, work_id=work_id,
        )  # fmt: skip
        language = "en" if language.lower().startswith("en") else "zh-CN"
        subject, body = link_text(language, definition.title(language), sent.url, self.link_hours)
        await sender.send(tenant_id, Message(address, subject, body, sent.url))
        return sent

    async def issue(
        self,
        tenant_id: str,
        definition: SurveyDefinition,
        *,
        interaction_id: str,
        language: str,
        channel: str,
        address: str = "",
        work_id: str | None = None,
        link_id: str | None = None,
    ) -> SentLink:
        """Write a single-use link for one agent segment of the contact (`work_id`'s, else the
        last answered one) and log the offer; the caller hands it to the customer."""
        segments = await self.repo.segments(tenant_id, interaction_id)
        if work_id is not None:
            segments = [s for s in segments if s["work_id"] == work_id]
        if not segments:
            raise QualityInvalid("quality.link.contact_unknown", "interaction_id")
        segment = segments[-1]
        now = self.now()
        link_id = link_id or new_id(now)
        expires_at = float(int(now + self.link_hours * 3600.0))
        token = await self.token(tenant_id, link_id, expires_at)
        language = "en" if language.lower().startswith("en") else "zh-CN"
        await self.repo.add_link({
            "id": link_id, "tenant_id": tenant_id, "interaction_id": interaction_id,
            "agent_id": segment["agent_id"], "work_id": segment["work_id"],
            "survey": definition.name, "channel": channel, "address": address,
            "language": language, "created_at": now, "expires_at": expires_at,
        })  # fmt: skip
        await self.repo.offered(
            tenant_id, interaction_id, segment["agent_id"], definition.name, channel, now
        )
        self.emit(
            SurveyLinkSent(
                tenant_id=tenant_id, at=now, interaction_id=interaction_id,
                agent_id=segment["agent_id"], link_id=link_id, survey=definition.name,
                channel=channel, expires_at=expires_at, work_id=segment["work_id"],
            )
        )  # fmt: skip
        return SentLink(
            link_id, token, f"{self.public_url}/s/{token}", segment["agent_id"],
            segment["work_id"], expires_at,
        )  # fmt: skip

    async def token(self, tenant_id: str, link_id: str, expires_at: float) -> str:
        """The signed token of a link (the same every time it is asked for)."""
        key = await self.repo.link_key(tenant_id, self.now())
        return sign_token(key, link_id, expires_at)

    async def open(self, token: str) -> OpenLink:
        """The link's survey to show; refused when forged, expired or answered already."""
        link_id = token.split(".", 1)[0]
        link = await self.repo.link(link_id) if link_id.isalnum() else None
        if link is None:
            raise SurveyLinkRefused("quality.link.forged")
        key = await self.repo.link_key(str(link["tenant_id"]), self.now())
        read_token(key, token, self.now())
        if link["answered_at"] is not None:
            raise SurveyLinkRefused("quality.link.used")
        survey = await self.definition(str(link["tenant_id"]), str(link["survey"]))
        return OpenLink(link, survey, str(link["language"]))

    async def answer(self, token: str, answers: Mapping[str, Any]) -> OpenLink:
        """Check every answer, then mark the link used and log the answers; nothing is written
        when one answer is refused, and a second use is refused."""
        opened = await self.open(token)
        link, survey = opened.link, opened.survey
        unknown = set(answers) - {q.key for q in survey.questions}
        if unknown:
            raise QualityInvalid(
                "quality.survey.question_unknown", sorted(unknown)[0], value=sorted(unknown)[0]
            )
        values: list[tuple[Any, int | str | None]] = []
        for question in survey.questions:
            try:
                values.append((question, normalise_answer(question, answers.get(question.key))))
            except ValueError as wrong:
                code = (
                    "quality.survey.answer_missing"
                    if str(wrong) == "missing"
                    else "quality.survey.answer_invalid"
                )
                raise QualityInvalid(code, question.key) from None
        now = self.now()
        if not await self.repo.use_link(str(link["id"]), now):
            raise SurveyLinkRefused("quality.link.used")
        tenant = str(link["tenant_id"])
        for question, value in values:
            if value is None:
                continue
            text = str(value) if question.kind is QuestionKind.TEXT else None
            self.emit(
                SurveyAnswered(
                    tenant_id=tenant, at=now, interaction_id=str(link["interaction_id"]),
                    agent_id=link["agent_id"], node=f"link:{link['id']}",
                    rating=0 if text is not None else int(value), scale=question.top,
                    work_id=link["work_id"], survey=survey.name, question=question.key,
                    kind=question.kind.value, text=text, channel=str(link["channel"]),
                )
            )  # fmt: skip
        return opened
