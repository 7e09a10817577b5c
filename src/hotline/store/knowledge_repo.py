"""The knowledge base in the database (`hotline.knowledge.KnowledgeStore`), and what the search
index loads: a tenant's published texts (each article's published version) and synonyms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.ids import new_id
from hotline.knowledge.model import Article, ArticleStatus, ArticleVersion
from hotline.knowledge.search import IndexedText
from hotline.store.knowledge_tables import (
    kb_article_versions,
    kb_articles,
    kb_attachments,
    kb_categories,
    kb_links,
    kb_synonyms,
)

__all__ = ["SqlKnowledge", "SqlPublishedSource"]


class SqlKnowledge:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # -- articles -------------------------------------------------------------------------

    async def _links(self, tenant_id: str, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if not ids:
            return out
        q = (
            select(kb_links.c.from_id, kb_links.c.to_id)
            .where(kb_links.c.tenant_id == tenant_id, kb_links.c.from_id.in_(list(ids)))
            .order_by(kb_links.c.from_id, kb_links.c.position)
        )
        for from_id, to_id in await self.conn.execute(q):
            out.setdefault(str(from_id), []).append(str(to_id))
        return out

    async def article(self, tenant_id: str, article_id: str) -> Article | None:
        a = kb_articles
        q = select(a).where(a.c.tenant_id == tenant_id, a.c.id == article_id)
        row = (await self.conn.execute(q)).mappings().first()
        if row is None:
            return None
        links = await self._links(tenant_id, [article_id])
        return Article.of(dict(row), links.get(article_id, ()))

    async def articles(
        self,
        tenant_id: str,
        *,
        status: str | None = None,
        audience: str | None = None,
        category_id: str | None = None,
        tag: str | None = None,
    ) -> list[Article]:
        a = kb_articles
        q = select(a).where(a.c.tenant_id == tenant_id)
        if status:
            q = q.where(a.c.status == status)
        if audience:
            q = q.where(a.c.audience == audience)
        if category_id:
            q = q.where(a.c.category_id == category_id)
        rows = [dict(r) for r in (await self.conn.execute(q.order_by(a.c.created_at))).mappings()]
        if tag:
            rows = [r for r in rows if tag in (r["tags"] or ())]
        links = await self._links(tenant_id, [str(r["id"]) for r in rows])
        return [Article.of(r, links.get(str(r["id"]), ())) for r in rows]

    async def add_article(self, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(kb_articles).values(**row))

    async def update_article(
        self, tenant_id: str, article_id: str, values: Mapping[str, Any]
    ) -> None:
        a = kb_articles
        await self.conn.execute(
            update(a).where(a.c.tenant_id == tenant_id, a.c.id == article_id).values(**values)
        )

    async def delete_article(self, tenant_id: str, article_id: str) -> None:
        # Children first: SQLite enforces the foreign keys only when told to.
        for table, column in (
            (kb_links, kb_links.c.from_id),
            (kb_links, kb_links.c.to_id),
            (kb_article_versions, kb_article_versions.c.article_id),
            (kb_attachments, kb_attachments.c.article_id),
        ):
            await self.conn.execute(
                delete(table).where(table.c.tenant_id == tenant_id, column == article_id)
            )
        a = kb_articles
        await self.conn.execute(delete(a).where(a.c.tenant_id == tenant_id, a.c.id == article_id))

    async def add_version(self, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(kb_article_versions).values(**row))

    async def versions(self, tenant_id: str, article_id: str) -> list[ArticleVersion]:
        v = kb_article_versions
        q = (
            select(v)
            .where(v.c.tenant_id == tenant_id, v.c.article_id == article_id)
            .order_by(v.c.version.desc())
        )
        return [ArticleVersion.of(dict(r)) for r in (await self.conn.execute(q)).mappings()]

    async def set_links(self, tenant_id: str, article_id: str, to_ids: Sequence[str]) -> None:
        k = kb_links
        await self.conn.execute(
            delete(k).where(k.c.tenant_id == tenant_id, k.c.from_id == article_id)
        )
        if to_ids:
            await self.conn.execute(
                insert(kb_links),
                [
                    {"tenant_id": tenant_id, "from_id": article_id, "to_id": to, "position": i}
                    for i, to in enumerate(to_ids)
                ],
            )

    async def existing_articles(self, tenant_id: str, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        a = kb_articles
        q = select(a.c.id).where(a.c.tenant_id == tenant_id, a.c.id.in_(list(ids)))
        return {str(i) for (i,) in await self.conn.execute(q)}

    async def titles(self, tenant_id: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Id, titles, status and audience of the named articles (for showing links)."""
        if not ids:
            return {}
        a = kb_articles
        q = select(a.c.id, a.c.title_zh, a.c.title_en, a.c.status, a.c.audience).where(
            a.c.tenant_id == tenant_id, a.c.id.in_(list(ids))
        )
        return {str(r["id"]): dict(r) for r in (await self.conn.execute(q)).mappings()}

    # -- categories -----------------------------------------------------------------------

    async def categories(self, tenant_id: str) -> list[dict[str, Any]]:
        c = kb_categories
        q = select(c).where(c.c.tenant_id == tenant_id).order_by(c.c.position, c.c.name_zh)
        return [dict(r) for r in (await self.conn.execute(q)).mappings()]

    async def category(self, tenant_id: str, category_id: str) -> dict[str, Any] | None:
        c = kb_categories
        q = select(c).where(c.c.tenant_id == tenant_id, c.c.id == category_id)
        row = (await self.conn.execute(q)).mappings().first()
        return None if row is None else dict(row)

    async def add_category(self, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(kb_categories).values(**row))

    async def update_category(
        self, tenant_id: str, category_id: str, values: Mapping[str, Any]
    ) -> None:
        c = kb_categories
        await self.conn.execute(
            update(c).where(c.c.tenant_id == tenant_id, c.c.id == category_id).values(**values)
        )

    async def delete_category(self, tenant_id: str, category_id: str) -> None:
        c = kb_categories
        await self.conn.execute(delete(c).where(c.c.tenant_id == tenant_id, c.c.id == category_id))

    async def count_in_category(self, tenant_id: str, category_id: str) -> int:
        a = kb_articles
        q = select(func.count()).where(a.c.tenant_id == tenant_id, a.c.category_id == category_id)
        return int((await self.conn.execute(q)).scalar_one())

    # -- synonyms -------------------------------------------------------------------------

    async def synonyms(self, tenant_id: str) -> list[list[str]]:
        s = kb_synonyms
        q = select(s.c.terms).where(s.c.tenant_id == tenant_id).order_by(s.c.position)
        return [list(t) for (t,) in await self.conn.execute(q)]

    async def set_synonyms(self, tenant_id: str, groups: Sequence[Sequence[str]]) -> None:
        await self.conn.execute(delete(kb_synonyms).where(kb_synonyms.c.tenant_id == tenant_id))
        if groups:
            await self.conn.execute(
                insert(kb_synonyms),
                [
                    {"id": new_id(), "tenant_id": tenant_id, "terms": list(g), "position": i}
                    for i, g in enumerate(groups)
                ],
            )

    # -- attachments ----------------------------------------------------------------------

    async def add_attachment(self, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(kb_attachments).values(**row))

    async def attachments(self, tenant_id: str, article_id: str) -> list[dict[str, Any]]:
        t = kb_attachments
        q = (
            select(t)
            .where(t.c.tenant_id == tenant_id, t.c.article_id == article_id)
            .order_by(t.c.created_at, t.c.id)
        )
        return [dict(r) for r in (await self.conn.execute(q)).mappings()]

    async def attachment(self, tenant_id: str, attachment_id: str) -> dict[str, Any] | None:
        t = kb_attachments
        q = select(t).where(t.c.tenant_id == tenant_id, t.c.id == attachment_id)
        row = (await self.conn.execute(q)).mappings().first()
        return None if row is None else dict(row)

    async def delete_attachment(self, tenant_id: str, attachment_id: str) -> None:
        t = kb_attachments
        await self.conn.execute(
            delete(t).where(t.c.tenant_id == tenant_id, t.c.id == attachment_id)
        )

    # -- what the index reads ---------------------------------------------------------------

    async def published_texts(
        self, tenant_id: str, article_id: str | None = None
    ) -> list[IndexedText]:
        """The published version's texts of every live article (or of one)."""
        a, v = kb_articles, kb_article_versions
        q = (
            select(
                a.c.id,
                a.c.audience,
                a.c.category_id,
                a.c.tags,
                v.c.title_zh,
                v.c.body_zh,
                v.c.title_en,
                v.c.body_en,
            )
            .join(v, (v.c.article_id == a.c.id) & (v.c.version == a.c.published_version))
            .where(a.c.tenant_id == tenant_id, a.c.status == ArticleStatus.PUBLISHED.value)
        )
        if article_id is not None:
            q = q.where(a.c.id == article_id)
        out: list[IndexedText] = []
        for r in (await self.conn.execute(q)).mappings():
            for lang in ("zh", "en"):
                title, body = r[f"title_{lang}"], r[f"body_{lang}"]
                if title:
                    out.append(
                        IndexedText(
                            article_id=str(r["id"]), language=lang, title=str(title),
                            body=str(body), tags=tuple(r["tags"] or ()),
                            audience=str(r["audience"]), category_id=r["category_id"],
                        )
                    )  # fmt: skip
        return out


class SqlPublishedSource:
    """`hotline.knowledge.PublishedSource` on its own short connections (the index loads outside
    any request's unit of work)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def published_texts(
        self, tenant_id: str, article_id: str | None = None
    ) -> list[IndexedText]:
        async with self.engine.connect() as conn:
            return await SqlKnowledge(conn).published_texts(tenant_id, article_id)

    async def synonyms(self, tenant_id: str) -> list[list[str]]:
        async with self.engine.connect() as conn:
            return await SqlKnowledge(conn).synonyms(tenant_id)
