"""Knowledge-base errors: a stable code each and a message that is a catalog id (English text,
the UI catalog has the Chinese), so the API answers in the caller's language (ADR 0122)."""

from __future__ import annotations

from typing import Any

from hotline.errors import Conflict, IllegalTransition, InvalidInput, NotFound

__all__ = [
    "TRANSLATED",
    "ArticleInvalid",
    "ArticleNotFound",
    "ArticleTransitionRefused",
    "AttachmentRefused",
    "CategoryInUse",
    "CategoryNotFound",
]


_TRANSITION = "This article cannot do that in its present state."
TRANSLATED = (
    "No such article.",
    "No such article category.",
    "This category still has articles.",
    "An article cannot link to itself.",
    "No such article to link to.",
    "The file is empty.",
    "The file is too large.",
    "This type of file is not accepted.",
    _TRANSITION,
)
"""Messages the API sends in the caller's language: the UI catalog must translate them."""


class ArticleNotFound(NotFound):
    code = "knowledge.article.not_found"

    def __init__(self, ident: str) -> None:
        super().__init__("No such article.", details={"id": ident})


class CategoryNotFound(NotFound):
    code = "knowledge.category.not_found"

    def __init__(self, ident: str, field: str | None = None) -> None:
        details: dict[str, Any] = {"id": ident}
        if field:
            details["field"] = field
        super().__init__("No such article category.", details=details)


class CategoryInUse(Conflict):
    code = "knowledge.category.in_use"

    def __init__(self, ident: str, articles: int) -> None:
        super().__init__(
            "This category still has articles.", details={"id": ident, "articles": articles}
        )


class ArticleInvalid(InvalidInput):
    """An article is refused; `field` names the form field, the message says why."""

    code = "knowledge.article.invalid"

    def __init__(self, message: str, field: str, **details: Any) -> None:
        super().__init__(message, details={"field": field, **details})


class ArticleTransitionRefused(IllegalTransition):
    code = "knowledge.article.transition"

    def __init__(self, status: str, action: str) -> None:
        super().__init__("article", status, action, code=self.code)
        self.message = _TRANSITION


class AttachmentRefused(InvalidInput):
    code = "knowledge.attachment.refused"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, details={"field": "file", **details})
