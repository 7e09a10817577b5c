"""Words of a knowledge-base text, the same for articles and questions (ADR 0251): Chinese runs
are cut by jieba's search mode and also kept as single characters (a mistyped character still
leaves its neighbours to match); Latin words are lower-cased, stemmed by Snowball's English
stemmer and stripped of stop words. Per-tenant synonyms are folded to their group's first term
before either.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import snowballstemmer

if TYPE_CHECKING:
    import jieba

__all__ = ["Segmenter", "SynonymFolder", "has_han"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_RUNS = re.compile(
    r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
)

# Words that say nothing about what the question is about. Questions are full of them ("how do
# I", "怎么办"); articles have them too, and BM25's IDF alone leaves them a little weight.
_EN_STOP = frozenset(
    (  # noqa: SIM905 - a word list reads better as words
        "a am an and are as at be been but by can could do does did for from has have how i i'm if "
        "in into is it it's its me my of on or our so that the their them then there these this "
        "to up us was we were what when where which who why will with would you your yours"
    ).split()
)
_ZH_STOP = frozenset(
    (  # noqa: SIM905 - a word list reads better as words
        "的 了 吗 呢 吧 啊 呀 么 我 我的 你 你们 您 他 她 它 是 在 有 和 "
        "与 及 或 就 都 也 还 要 想 能 可以 怎么 怎么办 怎样 如何 什么 "
        "为什么 哪 哪里 哪儿 多少 一个 一下 这个 那个 请 请问 需要 会 "
        "把 被 给 对 让 着 过 个 之 其 该 将 以 为 于 并 等 中 后 前 上 下"
    ).split()
)


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


class SynonymFolder:
    """Replaces every term of a synonym group by the group's first term (`[话费, 电话费, 手机费]`
    → 话费), longest terms first, so articles and questions meet on one word."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self.to: dict[str, str] = {}
        for group in groups:
            terms = [t.strip().lower() for t in group if t.strip()]
            for term in terms[1:]:
                if term != terms[0]:
                    self.to.setdefault(term, terms[0])
        self._pattern = self._compile(sorted(self.to, key=len, reverse=True))

    @staticmethod
    def _compile(terms: list[str]) -> re.Pattern[str] | None:
        if not terms:
            return None
        # Latin terms match whole words only; Chinese terms anywhere.
        parts = [re.escape(t) if has_han(t) else rf"\b{re.escape(t)}\b" for t in terms]
        return re.compile("|".join(parts))

    def fold(self, text: str) -> str:
        lowered = text.lower()
        if self._pattern is None:
            return lowered
        return self._pattern.sub(lambda m: self.to[m.group(0)], lowered)


class Segmenter:
    """Cuts text into index terms. Holds one jieba tokenizer, built on first use (loading its
    dictionary takes about a second) and shared by threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stemmer = snowballstemmer.stemmer("english")

    @cached_property
    def _jieba(self) -> jieba.Tokenizer:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        return tokenizer

    def warm(self) -> None:
        with self._lock:
            _ = self._jieba

    def terms(self, text: str) -> list[str]:
        out: list[str] = []
        for han, other in _RUNS.findall(text.lower()):
            if han:
                out.extend(self._han_terms(han))
            elif other:
                out.extend(self._latin_terms(other))
        return out

    def _han_terms(self, run: str) -> list[str]:
        with self._lock:
            words = self._jieba.lcut_for_search(run)
        terms = [w for w in words if w.strip() and w not in _ZH_STOP]
        # Single characters too: a typo (挂矢 for 挂失) or a word jieba cut differently still
        # shares characters with the article.
        terms.extend(ch for ch in run if ch not in _ZH_STOP)
        return terms

    def _latin_terms(self, run: str) -> list[str]:
        words = [w for w in _LATIN.findall(run) if w not in _EN_STOP]
        return [str(s) for s in self._stemmer.stemWords(words)]

    def latin_words(self, text: str) -> list[str]:
        """The query's Latin words before stemming (typo correction compares these)."""
        return [w for w in _LATIN.findall(text.lower()) if w not in _EN_STOP]

    def stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))
