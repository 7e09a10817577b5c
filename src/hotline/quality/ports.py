"""What the quality services need from outside: their repository (implemented by
`hotline.store.quality_repo.SqlQuality`) and the survey sender (e-mail now; SMS and chat arrive
with their channels' issues, ADR 0213)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from hotline.quality.reviews import Review
from hotline.quality.surveys import SurveyDefinition

__all__ = ["QualityRepository", "SurveyMessage", "SurveySender"]


class QualityRepository(Protocol):
    async def review(self, tenant_id: str, review_id: str) -> Review | None: ...
    async def save_review(self, review: Review) -> None: ...
    async def reviews(
        self,
        tenant_id: str,
        *,
        states: Sequence[str] = (),
        supervisor_id: str | None = None,
        agents_of_team: Sequence[str] | None = None,
        limit: int = 200,
    ) -> list[Review]: ...
    async def team_agents(self, tenant_id: str, supervisor_id: str) -> list[str]: ...
    async def definition(self, tenant_id: str, name: str) -> SurveyDefinition | None: ...
    async def link_key(self, tenant_id: str, now: float) -> bytes: ...
    async def add_link(self, row: Mapping[str, Any]) -> None: ...
    async def link(self, link_id: str) -> dict[str, Any] | None: ...
    async def use_link(self, link_id: str, now: float) -> bool: ...
    async def segments(self, tenant_id: str, interaction_id: str) -> list[dict[str, Any]]: ...
    async def offered(
        self, tenant_id: str, interaction_id: str, agent_id: str | None, survey: str,
        channel: str, at: float, *, answered: bool = False,
    ) -> None: ...  # fmt: skip


class SurveyMessage(Protocol):
    """What a sender is asked to deliver: the link and the words around it, in the
    customer's language."""

    @property
    def address(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def url(self) -> str: ...


class SurveySender(Protocol):
    channel: str  # "email"

    async def send(self, tenant_id: str, message: SurveyMessage) -> None:
        """Hand the message over inside the caller's transaction (e-mail: a `mail.send` job
        committed with the link, sent after the commit, retried)."""
        ...
