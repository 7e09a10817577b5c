"""The end-of-chat survey's rules (ADR 0236): one link per chat, named by the chat's id; the
questions in the visitor's language; nobody to rate, no survey; answers logged once as the
rated segment's `flow.survey_answered` records; a second answer refused, nothing written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from hotline.events import DomainEvent
from hotline.flows.events import SurveyAnswered
from hotline.quality.chat_surveys import ChatSurveys, survey_frame
from hotline.quality.errors import QualityInvalid, SurveyLinkRefused
from hotline.quality.links import LinkSurveys
from hotline.quality.reviews import Review
from hotline.quality.surveys import SurveyDefinition

CHAT, OTHER = "01CHAT000000000000000000AA", "01CHAT000000000000000000BB"


class InMemoryQuality:
    """The parts of the quality repository link surveys use, kept in dictionaries."""

    def __init__(self) -> None:
        self.links: dict[str, dict[str, Any]] = {}
        self.offers: list[tuple[str, str | None, str]] = []
        self.segment_rows: dict[str, list[dict[str, Any]]] = {
            CHAT: [
                {"agent_id": "a1", "work_id": "w1", "answered_at": 1.0, "queue_id": "q"},
                {"agent_id": "a2", "work_id": "w2", "answered_at": 2.0, "queue_id": "q"},
            ]
        }

    async def review(self, tenant_id: str, review_id: str) -> Review | None:
        return None

    async def save_review(self, review: Review) -> None:
        raise AssertionError("no reviews here")

    async def reviews(
        self, tenant_id: str, *, states: Sequence[str] = (), supervisor_id: str | None = None,
        agents_of_team: Sequence[str] | None = None, limit: int = 200,
    ) -> list[Review]:  # fmt: skip
        return []

    async def team_agents(self, tenant_id: str, supervisor_id: str) -> list[str]:
        return []

    async def definition(self, tenant_id: str, name: str) -> SurveyDefinition | None:
        return None  # the default survey only

    async def link_key(self, tenant_id: str, now: float) -> bytes:
        return tenant_id.encode().ljust(32, b"k")

    async def add_link(self, row: Mapping[str, Any]) -> None:
        assert row["id"] not in self.links
        self.links[row["id"]] = {**row, "answered_at": None}

    async def link(self, link_id: str) -> dict[str, Any] | None:
        return self.links.get(link_id)

    async def use_link(self, link_id: str, now: float) -> bool:
        if self.links[link_id]["answered_at"] is not None:
            return False
        self.links[link_id]["answered_at"] = now
        return True

    async def segments(self, tenant_id: str, interaction_id: str) -> list[dict[str, Any]]:
        return self.segment_rows.get(interaction_id, [])

    async def offered(
        self, tenant_id: str, interaction_id: str, agent_id: str | None, survey: str,
        channel: str, at: float, *, answered: bool = False,
    ) -> None:  # fmt: skip
        self.offers.append((interaction_id, agent_id, channel))


def surveys() -> tuple[ChatSurveys, InMemoryQuality, list[DomainEvent]]:
    repo, events = InMemoryQuality(), []
    links = LinkSurveys(repo, events.append, lambda: 1000.0, public_url="http://x", link_hours=72)
    return ChatSurveys(links), repo, events


async def test_the_survey_is_asked_in_the_visitors_language_once_per_chat() -> None:
    chat, repo, events = surveys()
    found = await chat.offer("t1", CHAT, "en", "default")
    assert found is not None
    assert not found.answered
    frame = survey_frame(found)
    assert frame["title"] == "How did we do?"
    assert frame["questions"][0] == {
        "key": "rating", "kind": "scale", "text": "Rate this service from 1 to 5",
        "bottom": 1, "top": 5, "required": True,
    }  # fmt: skip
    again = await chat.offer("t1", CHAT, "zh-CN", "default")  # a reload: the same link
    assert again is not None
    assert survey_frame(again)["title"] == "服务满意度调查"
    assert list(repo.links) == [CHAT]
    assert repo.links[CHAT]["channel"] == "chat"
    assert repo.offers == [(CHAT, "a2", "chat")]  # the last agent's segment is rated
    assert [e.type for e in events] == ["quality.survey_link_sent"]


async def test_a_chat_nobody_answered_has_no_survey_and_another_centre_sees_none() -> None:
    chat, repo, _ = surveys()
    assert await chat.offer("t1", OTHER, "en", "default") is None
    assert not repo.links
    await chat.offer("t1", CHAT, "en", "default")
    assert await chat.offer("t2", CHAT, "en", "default") is None
    with pytest.raises(SurveyLinkRefused):
        await chat.answer("t2", CHAT, {"rating": 1, "solved": 1})


async def test_answers_are_logged_once_for_the_rated_segment() -> None:
    chat, repo, events = surveys()
    with pytest.raises(SurveyLinkRefused):  # not offered yet
        await chat.answer("t1", CHAT, {"rating": 5})
    await chat.offer("t1", CHAT, "zh-CN", "default")
    with pytest.raises(QualityInvalid) as missing:
        await chat.answer("t1", CHAT, {"rating": "2"})
    assert missing.value.details["field"] == "solved"
    with pytest.raises(QualityInvalid) as wrong:
        await chat.answer("t1", CHAT, {"rating": "9", "solved": "2"})
    assert wrong.value.details["field"] == "rating"
    assert repo.links[CHAT]["answered_at"] is None  # nothing written when one is refused
    await chat.answer("t1", CHAT, {"rating": "2", "solved": "1", "comment": "太慢了"})
    answered = [e for e in events if isinstance(e, SurveyAnswered)]
    assert [(e.question, e.rating, e.agent_id, e.work_id, e.channel) for e in answered] == [
        ("rating", 2, "a2", "w2", "chat"),
        ("solved", 1, "a2", "w2", "chat"),
        ("comment", 0, "a2", "w2", "chat"),
    ]
    with pytest.raises(SurveyLinkRefused) as used:
        await chat.answer("t1", CHAT, {"rating": "5", "solved": "2"})
    assert used.value.code == "quality.link.used"
    found = await chat.offer("t1", CHAT, "en", "default")
    assert found is not None
    assert found.answered
