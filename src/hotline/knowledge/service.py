"""`KnowledgeService`: what an editor does to the knowledge base — write an article (each save is
a new version), publish or unpublish it, delete it, link it to others, sort it into a category,
and keep the tenant's synonyms. Repositories flush; the caller's unit of work commits. Every
change is an event the search index follows (ADR 0252)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.knowledge.errors import (
    ArticleInvalid,
    ArticleNotFound,
    CategoryInUse,
    CategoryNotFound,
)
from hotline.knowledge.events import (
    ArticleDeleted,
    ArticlePublished,
    ArticleSaved,
    ArticleUnpublished,
    ArticleUsed,
    SynonymsChanged,
)
from hotline.knowledge.model import (
    Article,
    ArticleAction,
    ArticleIn,
    ArticleStatus,
    ArticleVersion,
    CategoryIn,
    next_status,
)

__all__ = ["KnowledgeService", "KnowledgeStore"]


class KnowledgeStore(Protocol):
    async def article(self, tenant_id: str, article_id: str) -> Article | None: ...
    async def articles(
        self,
        tenant_id: str,
        *,
        status: str | None = None,
        audience: str | None = None,
        category_id: str | None = None,
        tag: str | None = None,
    ) -> list[Article]: ...
    async def add_article(self, row: Mapping[str, Any]) -> None: ...
    async def update_article(
        self, tenant_id: str, article_id: str, values: Mapping[str, Any]
    ) -> None: ...
    async def delete_article(self, tenant_id: str, article_id: str) -> None: ...
    async def add_version(self, row: Mapping[str, Any]) -> None: ...
    async def versions(self, tenant_id: str, article_id: str) -> list[ArticleVersion]: ...
    async def set_links(self, tenant_id: str, article_id: str, to_ids: Sequence[str]) -> None: ...
    async def existing_articles(self, tenant_id: str, ids: Sequence[str]) -> set[str]: ...
    async def categories(self, tenant_id: str) -> list[dict[str, Any]]: ...
    async def category(self, tenant_id: str, category_id: str) -> dict[str, Any] | None: ...
    async def add_category(self, row: Mapping[str, Any]) -> None: ...
    async def update_category(
        self, tenant_id: str, category_id: str, values: Mapping[str, Any]
    ) -> None: ...
    async def delete_category(self, tenant_id: str, category_id: str) -> None: ...
    async def count_in_category(self, tenant_id: str, category_id: str) -> int: ...
    async def synonyms(self, tenant_id: str) -> list[list[str]]: ...
    async def set_synonyms(self, tenant_id: str, groups: Sequence[Sequence[str]]) -> None: ...


class KnowledgeService:
    def __init__(
        self,
        store: KnowledgeStore,
        *,
        tenant_id: str,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
        user_id: str | None = None,
    ) -> None:
        self.store = store
        self.tenant_id = tenant_id
        self.emit = emit
        self.now = now
        self.user_id = user_id

    # -- articles -------------------------------------------------------------------------

    async def get(self, article_id: str) -> Article:
        article = await self.store.article(self.tenant_id, article_id)
        if article is None:
            raise ArticleNotFound(article_id)
        return article

    async def _check_refs(self, data: ArticleIn, article_id: str | None) -> None:
        if data.category_id and not await self.store.category(self.tenant_id, data.category_id):
            raise CategoryNotFound(data.category_id, field="category_id")
        if article_id is not None and article_id in data.links:
            raise ArticleInvalid("An article cannot link to itself.", "links", id=article_id)
        known = await self.store.existing_articles(self.tenant_id, data.links)
        missing = [i for i in data.links if i not in known]
        if missing:
            raise ArticleInvalid("No such article to link to.", "links", id=missing[0])

    def _texts(self, data: ArticleIn) -> dict[str, Any]:
        return {
            "title_zh": data.title_zh, "body_zh": data.body_zh,
            "title_en": data.title_en, "body_en": data.body_en,
        }  # fmt: skip

    async def _save_version(self, article_id: str, version: int, data: ArticleIn) -> None:
        await self.store.add_version(
            {
                "id": new_id(), "tenant_id": self.tenant_id, "article_id": article_id,
                "version": version, **self._texts(data),
                "saved_at": self.now(), "saved_by": self.user_id,
            }
        )  # fmt: skip

    async def create(self, data: ArticleIn) -> Article:
        await self._check_refs(data, None)
        at = self.now()
        article_id = new_id()
        await self.store.add_article(
            {
                "id": article_id, "tenant_id": self.tenant_id,
                "status": ArticleStatus.DRAFT.value, "audience": data.audience.value,
                "category_id": data.category_id, "tags": list(data.tags),
                "version": 1, "published_version": None, **self._texts(data),
                "created_at": at, "updated_at": at, "created_by": self.user_id,
                "updated_by": self.user_id,
            }
        )  # fmt: skip
        await self._save_version(article_id, 1, data)
        await self.store.set_links(self.tenant_id, article_id, data.links)
        self.emit(self._event(ArticleSaved, article_id=article_id, version=1))
        return await self.get(article_id)

    async def update(self, article_id: str, data: ArticleIn) -> Article:
        article = await self.get(article_id)
        await self._check_refs(data, article_id)
        version = article.version + 1
        await self.store.update_article(
            self.tenant_id, article_id,
            {
                "audience": data.audience.value, "category_id": data.category_id,
                "tags": list(data.tags), "version": version, **self._texts(data),
                "updated_at": self.now(), "updated_by": self.user_id,
            },
        )  # fmt: skip
        await self._save_version(article_id, version, data)
        await self.store.set_links(self.tenant_id, article_id, data.links)
        self.emit(self._event(ArticleSaved, article_id=article_id, version=version))
        return await self.get(article_id)

    async def publish(self, article_id: str) -> Article:
        article = await self.get(article_id)
        status = next_status(article.status, ArticleAction.PUBLISH)
        await self.store.update_article(
            self.tenant_id, article_id,
            {"status": status.value, "published_version": article.version,
             "updated_at": self.now(), "updated_by": self.user_id},
        )  # fmt: skip
        self.emit(self._event(ArticlePublished, article_id=article_id, version=article.version))
        return await self.get(article_id)

    async def unpublish(self, article_id: str) -> Article:
        article = await self.get(article_id)
        status = next_status(article.status, ArticleAction.UNPUBLISH)
        await self.store.update_article(
            self.tenant_id, article_id,
            {"status": status.value, "published_version": None,
             "updated_at": self.now(), "updated_by": self.user_id},
        )  # fmt: skip
        self.emit(self._event(ArticleUnpublished, article_id=article_id))
        return await self.get(article_id)

    async def delete(self, article_id: str) -> None:
        await self.get(article_id)
        await self.store.delete_article(self.tenant_id, article_id)
        self.emit(self._event(ArticleDeleted, article_id=article_id))

    async def versions(self, article_id: str) -> list[ArticleVersion]:
        await self.get(article_id)
        return await self.store.versions(self.tenant_id, article_id)

    async def used(self, article_id: str, how: str, language: str, interaction_id: str) -> None:
        """An agent inserted or sent the article on a contact (counted for reports)."""
        await self.get(article_id)
        self.emit(
            ArticleUsed(
                tenant_id=self.tenant_id, at=self.now(), interaction_id=interaction_id,
                article_id=article_id, how=how, language=language, user_id=self.user_id,
            )
        )  # fmt: skip

    # -- categories and synonyms ------------------------------------------------------------

    async def add_category(self, data: CategoryIn) -> dict[str, Any]:
        at = self.now()
        row = {"id": new_id(), "tenant_id": self.tenant_id, **data.model_dump(),
               "created_at": at, "updated_at": at}  # fmt: skip
        await self.store.add_category(row)
        return row

    async def update_category(self, category_id: str, data: CategoryIn) -> dict[str, Any]:
        if not await self.store.category(self.tenant_id, category_id):
            raise CategoryNotFound(category_id)
        await self.store.update_category(
            self.tenant_id, category_id, {**data.model_dump(), "updated_at": self.now()}
        )
        row = await self.store.category(self.tenant_id, category_id)
        assert row is not None
        return row

    async def delete_category(self, category_id: str) -> None:
        if not await self.store.category(self.tenant_id, category_id):
            raise CategoryNotFound(category_id)
        count = await self.store.count_in_category(self.tenant_id, category_id)
        if count:
            raise CategoryInUse(category_id, count)
        await self.store.delete_category(self.tenant_id, category_id)

    async def set_synonyms(self, groups: Sequence[Sequence[str]]) -> list[list[str]]:
        cleaned = [list(dict.fromkeys(g)) for g in groups]
        cleaned = [g for g in cleaned if len(g) >= 2]
        await self.store.set_synonyms(self.tenant_id, cleaned)
        self.emit(self._event(SynonymsChanged, groups=len(cleaned)))
        return cleaned

    def _event(self, cls: type[Any], **fields: Any) -> DomainEvent:
        event: DomainEvent = cls(
            tenant_id=self.tenant_id, at=self.now(), user_id=self.user_id, **fields
        )
        return event
