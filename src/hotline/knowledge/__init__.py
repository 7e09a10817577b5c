"""The knowledge base (知识库, docs/knowledge.md): articles in zh-CN and en with versions,
categories, tags, links, attachments and an audience; search for both languages (jieba, BM25,
synonyms, typo tolerance); suggestions for agents from the live conversation (agent assist)."""

from __future__ import annotations

from hotline.knowledge.assist import AssistQuery, assist_query
from hotline.knowledge.model import (
    Article,
    ArticleIn,
    ArticleStatus,
    ArticleVersion,
    Audience,
    CategoryIn,
    SynonymsIn,
)
from hotline.knowledge.search import Hit, IndexedText, KnowledgeIndex
from hotline.knowledge.service import KnowledgeService, KnowledgeStore
from hotline.knowledge.shelf import KnowledgeShelf, PublishedSource

__all__ = [
    "Article",
    "ArticleIn",
    "ArticleStatus",
    "ArticleVersion",
    "AssistQuery",
    "Audience",
    "CategoryIn",
    "Hit",
    "IndexedText",
    "KnowledgeIndex",
    "KnowledgeService",
    "KnowledgeShelf",
    "KnowledgeStore",
    "PublishedSource",
    "SynonymsIn",
    "assist_query",
]
