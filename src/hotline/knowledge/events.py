"""Knowledge-base events: each change of an article, its status or the tenant's synonyms is an
event (DESIGN §3.3); the search index follows them, article by article (ADR 0252)."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = [
    "ARTICLE_EVENT_TYPES",
    "ArticleDeleted",
    "ArticlePublished",
    "ArticleSaved",
    "ArticleUnpublished",
    "ArticleUsed",
    "SynonymsChanged",
]


@domain_event("knowledge.article_saved")
class ArticleSaved(DomainEvent):
    article_id: str
    version: int
    user_id: str | None = None


@domain_event("knowledge.article_published")
class ArticlePublished(DomainEvent):
    article_id: str
    version: int
    user_id: str | None = None


@domain_event("knowledge.article_unpublished")
class ArticleUnpublished(DomainEvent):
    article_id: str
    user_id: str | None = None


@domain_event("knowledge.article_deleted")
class ArticleDeleted(DomainEvent):
    article_id: str
    user_id: str | None = None


@domain_event("knowledge.synonyms_changed")
class SynonymsChanged(DomainEvent):
    groups: int
    user_id: str | None = None


@domain_event("knowledge.article_used")
class ArticleUsed(DomainEvent):
    """An agent inserted a suggested article into a reply or sent it (agent assist)."""

    article_id: str
    how: str  # "insert" | "send"
    language: str
    user_id: str | None = None


# What changes the index: a published text appears, changes, or goes.
ARTICLE_EVENT_TYPES = frozenset(
    {
        ArticlePublished.type,
        ArticleUnpublished.type,
        ArticleDeleted.type,
        SynonymsChanged.type,
        ArticleSaved.type,
    }
)
