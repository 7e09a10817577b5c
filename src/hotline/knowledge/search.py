"""Search over a tenant's published articles (ADRs 0251, 0252): BM25 (bm25s) over the terms of
`knowledge.text`, typo tolerance for Latin words (rapidfuzz) and for Chinese (single
characters are terms too), and an idf-weighted confidence that says how much of the question
the best article covers — the bot's threshold and the assist box's ordering read it.

The index is kept per tenant in memory and changed one article at a time (`put`, `drop`): only
that article is cut into terms again; the BM25 matrix is rebuilt from the kept terms on the
next search, which for a knowledge base of a few thousand texts takes milliseconds.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from hotline.knowledge.text import Segmenter, SynonymFolder, has_han

__all__ = ["Hit", "IndexedText", "KnowledgeIndex", "TenantIndex"]

# Title and tags say what an article is about more surely than its body: their terms count
# this many times.
TITLE_WEIGHT = 2
# A Latin word the tenant's texts do not have is replaced by the closest one that scores at
# least this (rapidfuzz ratio, 0-100) and is at least this long.
TYPO_CUTOFF = 80.0
TYPO_MIN_LENGTH = 4


@dataclass(frozen=True, slots=True)
class IndexedText:
    """One language's text of one published article, as search sees it."""

    article_id: str
    language: str  # "zh" | "en"
    title: str
    body: str
    tags: tuple[str, ...] = ()
    audience: str = "public"
    category_id: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: str
    language: str
    title: str
    score: float
    confidence: float  # 0..1: the share of the question's weight the article covers
    snippet: str
    audience: str
    category_id: str | None


@dataclass(slots=True)
class _Entry:
    text: IndexedText
    terms: list[str]


@dataclass(slots=True)
class TenantIndex:
    segmenter: Segmenter
    folder: SynonymFolder = field(default_factory=lambda: SynonymFolder(()))
    entries: dict[tuple[str, str], _Entry] = field(default_factory=dict)
    _order: list[tuple[str, str]] = field(default_factory=list)
    _bm25: bm25s.BM25 | None = None
    _df: Counter[str] = field(default_factory=Counter)
    _surface: list[str] = field(default_factory=list)
    _stale: bool = True

    def terms_of(self, text: str) -> list[str]:
        return self.segmenter.terms(self.folder.fold(text))

    def put(self, text: IndexedText) -> None:
        title = " ".join([text.title, *text.tags])
        terms = self.terms_of(title) * TITLE_WEIGHT + self.terms_of(text.body)
        self.entries[(text.article_id, text.language)] = _Entry(text, terms)
        self._stale = True

    def drop(self, article_id: str) -> None:
        for key in [k for k in self.entries if k[0] == article_id]:
            del self.entries[key]
            self._stale = True

    def set_synonyms(self, groups: Iterable[Sequence[str]]) -> None:
        self.folder = SynonymFolder(groups)
        for entry in list(self.entries.values()):
            self.put(entry.text)

    def _rebuild(self) -> None:
        self._order = list(self.entries)
        corpus = [self.entries[k].terms for k in self._order]
        self._df = Counter(t for terms in corpus for t in set(terms))
        surface: set[str] = set()
        for key in self._order:
            text = self.entries[key].text
            for part in (text.title, text.body, *text.tags):
                surface.update(self.segmenter.latin_words(self.folder.fold(part)))
        self._surface = sorted(surface)
        if corpus:
            bm25 = bm25s.BM25()
            # An empty text would make bm25s index nothing for it: give it one inert term.
            bm25.index([terms or ["\x00"] for terms in corpus], show_progress=False)
            self._bm25 = bm25
        else:
            self._bm25 = None
        self._stale = False

    def _corrected(self, query: str) -> str:
        """The query with each unknown Latin word replaced by its nearest known one."""
        if not self._surface:
            return query
        words = self.segmenter.latin_words(query)
        fixes: dict[str, str] = {}
        for word in words:
            if len(word) < TYPO_MIN_LENGTH or self.segmenter.stem(word) in self._df:
                continue
            best = process.extractOne(
                word, self._surface, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
            )
            if best is not None:
                fixes[word] = str(best[0])
        if not fixes:
            return query
        return " ".join(fixes.get(w, w) for w in query.lower().split())

    def _idf(self, term: str) -> float:
        n = len(self._order)
        df = self._df.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(
        self,
        query: str,
        *,
        audiences: Collection[str] = ("public", "internal"),
        limit: int = 5,
        language: str | None = None,
    ) -> list[Hit]:
        if self._stale:
            self._rebuild()
        if self._bm25 is None:
            return []
        folded = self.folder.fold(query)
        if not has_han(folded):
            folded = self._corrected(folded)
        q_terms = self.segmenter.terms(folded)
        known = [t for t in q_terms if t in self._df]
        if not known:
            return []
        scores = np.asarray(self._bm25.get_scores(known), dtype=float)
        preferred = language or ("zh" if has_han(query) else "en")
        q_weight = {t: self._idf(t) for t in set(q_terms)}
        total = sum(q_weight.values()) or 1.0
        best: dict[str, tuple[float, _Entry]] = {}
        for i in np.argsort(-scores):
            score = float(scores[i])
            if score <= 0:
                break
            entry = self.entries[self._order[i]]
            if entry.text.audience not in audiences:
                continue
            article = entry.text.article_id
            kept = best.get(article)
            if kept is None:
                best[article] = (score, entry)
            elif kept[1].text.language != preferred and entry.text.language == preferred:
                # Same article, the question's language: show that text, keep the best score.
                best[article] = (kept[0], entry)
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:limit]
        hits = []
        for article, (score, entry) in ranked:
            doc_terms = set(entry.terms)
            for other in (self.entries.get((article, lang)) for lang in ("zh", "en")):
                if other is not None:
                    doc_terms |= set(other.terms)
            covered = sum(w for t, w in q_weight.items() if t in doc_terms)
            hits.append(
                Hit(
                    article_id=article,
                    language=entry.text.language,
                    title=entry.text.title,
                    score=round(score, 4),
                    confidence=round(covered / total, 4),
                    snippet=_snippet(entry.text.body),
                    audience=entry.text.audience,
                    category_id=entry.text.category_id,
                )
            )
        return hits


def _snippet(body: str, length: int = 120) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


class KnowledgeIndex:
    """Every tenant's index, created on first use; one `Segmenter` shared by all."""

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        self.segmenter = segmenter or Segmenter()
        self._tenants: dict[str, TenantIndex] = {}
        self._lock = threading.Lock()
        self.loaded: set[str] = set()

    def tenant(self, tenant_id: str) -> TenantIndex:
        with self._lock:
            index = self._tenants.get(tenant_id)
            if index is None:
                index = self._tenants[tenant_id] = TenantIndex(self.segmenter)
            return index

    def forget(self, tenant_id: str) -> None:
        with self._lock:
            self._tenants.pop(tenant_id, None)
            self.loaded.discard(tenant_id)
