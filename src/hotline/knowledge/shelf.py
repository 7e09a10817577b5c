"""`KnowledgeShelf`: every tenant's search index, loaded on the tenant's first search and kept in
step with the log — each `knowledge.*` event re-reads only the article it names (ADR 0252).
Searches, the agent-assist box, the public help page and the bot all ask it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Sequence
from typing import Protocol

from hotline.bus import EventBus
from hotline.events import EventRecord
from hotline.knowledge.events import ARTICLE_EVENT_TYPES, SynonymsChanged
from hotline.knowledge.search import Hit, IndexedText, KnowledgeIndex

__all__ = ["KnowledgeShelf", "PublishedSource"]

log = logging.getLogger(__name__)


class PublishedSource(Protocol):
    """Where the index reads published texts from (the store implements it)."""

    async def published_texts(
        self, tenant_id: str, article_id: str | None = None
    ) -> list[IndexedText]: ...

    async def synonyms(self, tenant_id: str) -> list[list[str]]: ...


class KnowledgeShelf:
    def __init__(
        self, source: PublishedSource, bus: EventBus | None, index: KnowledgeIndex | None = None
    ) -> None:
        self.source = source
        self.bus = bus
        self.index = index or KnowledgeIndex()
        self._loading: dict[str, asyncio.Lock] = {}
        self._task: asyncio.Task[None] | None = None
        self._warming: asyncio.Task[None] | None = None
        self.applied = 0  # events applied (tests wait on it)

    async def start(self) -> None:
        if self.bus is not None:
            self._task = asyncio.create_task(self._follow(self.bus), name="knowledge-shelf")
        # The dictionary is loaded in the background at start, not by the first question: a
        # caller talking to the voice bot would otherwise wait seconds in silence.
        self._warming = asyncio.create_task(self.warm(), name="knowledge-warm")

    async def stop(self) -> None:
        if self._warming is not None:
            self._warming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._warming  # a thread already loading finishes on its own
            self._warming = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def warm(self) -> None:
        """Load the Chinese dictionary off the event loop (about a second)."""
        await asyncio.to_thread(self.index.segmenter.warm)

    async def _ensure(self, tenant_id: str) -> None:
        if tenant_id in self.index.loaded:
            return
        lock = self._loading.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            if tenant_id in self.index.loaded:
                return
            texts = await self.source.published_texts(tenant_id)
            groups = await self.source.synonyms(tenant_id)
            await asyncio.to_thread(self._fill, tenant_id, texts, groups)
            self.index.loaded.add(tenant_id)

    def _fill(
        self, tenant_id: str, texts: Sequence[IndexedText], groups: Sequence[Sequence[str]]
    ) -> None:
        tenant = self.index.tenant(tenant_id)
        tenant.set_synonyms(groups)
        for text in texts:
            tenant.put(text)
        tenant.search("")  # build the matrix here, off the loop

    async def search(
        self,
        tenant_id: str,
        query: str,
        *,
        audiences: Collection[str] = ("public", "internal"),
        limit: int = 5,
        language: str | None = None,
    ) -> list[Hit]:
        await self._ensure(tenant_id)
        return self.index.tenant(tenant_id).search(
            query, audiences=audiences, limit=limit, language=language
        )

    async def text(self, tenant_id: str, article_id: str, language: str) -> IndexedText | None:
        """A published article's text in `language` ("zh" | "en"), else in the other one."""
        await self._ensure(tenant_id)
        entries = self.index.tenant(tenant_id).entries
        for lang in (language, "en" if language == "zh" else "zh"):
            entry = entries.get((article_id, lang))
            if entry is not None:
                return entry.text
        return None

    async def apply(self, record: EventRecord) -> None:
        """Bring one tenant's index up to date with one knowledge event."""
        tenant_id = record.tenant_id
        if tenant_id not in self.index.loaded:
            return  # loaded whole, from the database, on its first search
        tenant = self.index.tenant(tenant_id)
        if record.type == SynonymsChanged.type:
            groups = await self.source.synonyms(tenant_id)
            await asyncio.to_thread(tenant.set_synonyms, groups)
        else:
            article_id = str(record.payload.get("article_id"))
            texts = await self.source.published_texts(tenant_id, article_id)
            tenant.drop(article_id)
            for text in texts:
                tenant.put(text)
        self.applied += 1

    async def _follow(self, bus: EventBus) -> None:
        sub = bus.subscribe(types=ARTICLE_EVENT_TYPES, cluster=True)
        async for record in sub:
            try:
                await self.apply(record)
            except Exception:
                log.exception("knowledge index: applying %s failed", record.type)
                # Start the tenant over from the database on its next search.
                self.index.forget(record.tenant_id)
