"""The shipped example knowledge base as a `PublishedSource` (no database) for bot tests."""

from __future__ import annotations

from hotline.knowledge.search import IndexedText
from hotline.knowledge.seed import load_seed


class SeedSource:
    def __init__(self) -> None:
        self.seed = load_seed()

    async def published_texts(
        self, tenant_id: str, article_id: str | None = None
    ) -> list[IndexedText]:
        return [
            text
            for article in self.seed.articles
            for text in article.texts()
            if article_id is None or text.article_id == article_id
        ]

    async def synonyms(self, tenant_id: str) -> list[list[str]]:
        return self.seed.synonyms
