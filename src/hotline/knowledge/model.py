"""The knowledge base's things (知识库, docs/knowledge.md): articles with a zh-CN and an en text,
saved as numbered versions, in a category, with tags, links to other articles, attachments and
an audience (internal: agents only; public: the tenant's help page too). An article's status
moves by the table `TRANSITIONS`; what search and the help page show is its published version,
so an editor can work on the next version while the last one stays live.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from hotline.knowledge.errors import ArticleTransitionRefused

__all__ = [
    "LANGUAGES",
    "TRANSITIONS",
    "Article",
    "ArticleAction",
    "ArticleIn",
    "ArticleStatus",
    "ArticleVersion",
    "Audience",
    "CategoryIn",
    "SynonymsIn",
    "next_status",
]

LANGUAGES = ("zh", "en")


class Audience(StrEnum):
    PUBLIC = "public"  # 公开: agents, the bot and the public help page
    INTERNAL = "internal"  # 内部: agents only


class ArticleStatus(StrEnum):
    DRAFT = "draft"  # 草稿: never published
    PUBLISHED = "published"  # 已发布
    UNPUBLISHED = "unpublished"  # 已下线


class ArticleAction(StrEnum):
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"


TRANSITIONS: dict[tuple[ArticleStatus, ArticleAction], ArticleStatus] = {
    (ArticleStatus.DRAFT, ArticleAction.PUBLISH): ArticleStatus.PUBLISHED,
    # Publishing a published article puts its newest version live.
    (ArticleStatus.PUBLISHED, ArticleAction.PUBLISH): ArticleStatus.PUBLISHED,
    (ArticleStatus.PUBLISHED, ArticleAction.UNPUBLISH): ArticleStatus.UNPUBLISHED,
    (ArticleStatus.UNPUBLISHED, ArticleAction.PUBLISH): ArticleStatus.PUBLISHED,
}


def next_status(status: ArticleStatus, action: ArticleAction) -> ArticleStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise ArticleTransitionRefused(status, action) from None


Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=26)]


class ArticleIn(BaseModel):
    """An article as the editor sends it: at least one language with a title and a body."""

    model_config = ConfigDict(extra="forbid")
    title_zh: Title = ""
    body_zh: Body = ""
    title_en: Title = ""
    body_en: Body = ""
    category_id: Id | None = None
    audience: Audience = Audience.INTERNAL
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    links: list[Id] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _one_language(self) -> ArticleIn:
        # Sentences of the UI catalog (web/error_text.py says them in the user's language).
        for lang in LANGUAGES:
            title, body = getattr(self, f"title_{lang}"), getattr(self, f"body_{lang}")
            if bool(title) != bool(body):
                raise PydanticCustomError(
                    "article_language_incomplete",
                    "A language of the article needs both its title and its text ({missing})",
                    {"missing": f"body_{lang}" if title else f"title_{lang}"},
                )
        if not (self.title_zh or self.title_en):
            raise PydanticCustomError(
                "article_no_text", "An article needs its title and text in Chinese or in English"
            )
        self.tags = list(dict.fromkeys(self.tags))
        self.links = list(dict.fromkeys(self.links))
        return self


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name_zh: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    position: int = Field(0, ge=0, le=10_000)


SynonymTerm = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class SynonymsIn(BaseModel):
    """The tenant's synonym groups: each group's first term is the one the others mean."""

    model_config = ConfigDict(extra="forbid")
    groups: list[Annotated[list[SynonymTerm], Field(min_length=2, max_length=20)]] = Field(
        default_factory=list, max_length=500
    )


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    article_id: str
    version: int
    title_zh: str
    body_zh: str
    title_en: str
    body_en: str
    saved_at: float
    saved_by: str | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> ArticleVersion:
        return cls(
            article_id=str(row["article_id"]), version=int(row["version"]),
            title_zh=str(row["title_zh"]), body_zh=str(row["body_zh"]),
            title_en=str(row["title_en"]), body_en=str(row["body_en"]),
            saved_at=float(row["saved_at"]), saved_by=row.get("saved_by"),
        )  # fmt: skip

    def text(self, lang: str) -> tuple[str, str]:
        return getattr(self, f"title_{lang}"), getattr(self, f"body_{lang}")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    tenant_id: str
    status: ArticleStatus
    audience: Audience
    category_id: str | None
    tags: tuple[str, ...]
    version: int  # the newest saved version
    published_version: int | None
    title_zh: str
    body_zh: str
    title_en: str
    body_en: str
    created_at: float
    updated_at: float
    links: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: Mapping[str, Any], links: Sequence[str] = ()) -> Article:
        pv = row.get("published_version")
        return cls(
            id=str(row["id"]), tenant_id=str(row["tenant_id"]),
            status=ArticleStatus(row["status"]), audience=Audience(row["audience"]),
            category_id=row.get("category_id"), tags=tuple(row.get("tags") or ()),
            version=int(row["version"]), published_version=None if pv is None else int(pv),
            title_zh=str(row["title_zh"]), body_zh=str(row["body_zh"]),
            title_en=str(row["title_en"]), body_en=str(row["body_en"]),
            created_at=float(row["created_at"]), updated_at=float(row["updated_at"]),
            links=tuple(links),
        )  # fmt: skip

    @property
    def live(self) -> bool:
        return self.status is ArticleStatus.PUBLISHED and self.published_version is not None

    def title(self, lang: str) -> str:
        """The title in `lang`, else in the other language."""
        own = self.title_zh if lang.startswith("zh") else self.title_en
        return own or self.title_zh or self.title_en
