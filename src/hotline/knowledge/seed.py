"""The shipped example knowledge base (`data/seed.yaml`): a bank with a mobile and broadband arm.
The demo seeds it and `bench/kb.py` measures search on it."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from hotline.knowledge.model import ArticleIn, Audience, CategoryIn
from hotline.knowledge.search import IndexedText
from hotline.knowledge.service import KnowledgeService

__all__ = ["SeedArticle", "SeedSet", "load_seed", "seed_knowledge"]


@dataclass(frozen=True, slots=True)
class SeedArticle:
    key: str
    category: str
    audience: str
    tags: tuple[str, ...]
    links: tuple[str, ...]
    title_zh: str
    body_zh: str
    title_en: str
    body_en: str

    def texts(self) -> list[IndexedText]:
        return [
            IndexedText(self.key, "zh", self.title_zh, self.body_zh, self.tags, self.audience,
                        self.category),
            IndexedText(self.key, "en", self.title_en, self.body_en, self.tags, self.audience,
                        self.category),
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class SeedSet:
    categories: list[dict[str, str]]
    synonyms: list[list[str]]
    articles: list[SeedArticle]


def _unwrap(text: str, joiner: str) -> str:
    """The YAML's wrapped lines as one paragraph (Chinese joins without a space)."""
    return joiner.join(line.strip() for line in text.strip().splitlines())


def load_seed() -> SeedSet:
    text = resources.files("hotline.knowledge").joinpath("data/seed.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    articles = [
        SeedArticle(
            key=a["key"],
            category=a["category"],
            audience=a["audience"],
            tags=tuple(a.get("tags") or ()),
            links=tuple(a.get("links") or ()),
            title_zh=a["zh"]["title"],
            body_zh=_unwrap(a["zh"]["body"], ""),
            title_en=a["en"]["title"],
            body_en=_unwrap(a["en"]["body"], " "),
        )
        for a in data["articles"]
    ]
    return SeedSet(
        categories=list(data["categories"]),
        synonyms=[list(g) for g in data.get("synonyms") or ()],
        articles=articles,
    )


async def seed_knowledge(service: KnowledgeService, seed: SeedSet | None = None) -> dict[str, str]:
    """Write the example knowledge base into the service's tenant, every article published;
    answers article key → id."""
    seed = seed or load_seed()
    categories: dict[str, str] = {}
    for position, c in enumerate(seed.categories):
        row = await service.add_category(
            CategoryIn(name_zh=c["zh"], name_en=c["en"], position=position)
        )
        categories[c["key"]] = str(row["id"])
    ids: dict[str, str] = {}
    for a in seed.articles:
        made = await service.create(
            ArticleIn(
                title_zh=a.title_zh, body_zh=a.body_zh, title_en=a.title_en, body_en=a.body_en,
                category_id=categories[a.category], audience=Audience(a.audience),
                tags=list(a.tags),
            )
        )  # fmt: skip
        ids[a.key] = made.id
    for a in seed.articles:
        # Links once every article exists; part of the first version, not a second one.
        await service.store.set_links(service.tenant_id, ids[a.key], [ids[k] for k in a.links])
        await service.publish(ids[a.key])
    await service.set_synonyms(seed.synonyms)
    return ids
