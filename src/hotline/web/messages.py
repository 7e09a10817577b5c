"""Every UI message id: from templates (`_()`), ES modules (`t()`), the admin descriptors and
role names. The i18n test checks each has a zh-CN translation; `python -m hotline.web.messages`
lists the ids missing from the catalog (to add them to messages.po)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.extract import extract_from_file

from hotline.auth.errors import PASSWORD_CHANGE_MESSAGE
from hotline.auth.roles import Role
from hotline.crm.hints import HINT_TEMPLATES
from hotline.flows.errors import EXPRESSION_TEMPLATES, ISSUE_TEMPLATES, TYPE_WORDS
from hotline.history.errors import TRANSLATED as API_ERRORS
from hotline.knowledge.errors import TRANSLATED as KNOWLEDGE_ERRORS
from hotline.quality.errors import TRANSLATED as QUALITY_ERRORS
from hotline.tenants.errors import TRANSLATED as TENANT_ERRORS
from hotline.web.admin import ENTITIES
from hotline.web.error_text import MESSAGES as ERROR_MESSAGES
from hotline.web.i18n import Catalogs

__all__ = ["all_message_ids", "missing"]

_HERE = Path(__file__).parent


def _from_files() -> Iterator[str]:
    for path in sorted((_HERE / "templates").rglob("*.html")):
        for _, message, _, _ in extract_from_file(
            "jinja2.ext:babel_extract",
            path,
            keywords={"_": None, "gettext": None},
            options={"extensions": "jinja2.ext.i18n", "trimmed": "false"},
        ):
            if isinstance(message, str):
                yield message
    for path in sorted((_HERE / "static" / "js").rglob("*.js")):
        for _, message, _, _ in extract_from_file("javascript", path, keywords={"t": None}):
            if isinstance(message, str):
                yield message


def _from_descriptors() -> Iterator[str]:
    for descriptor in ENTITIES.values():
        yield descriptor["title"]
        for _, label in descriptor["columns"]:
            yield label
        for options in descriptor.get("column_options", {}).values():
            for _, label in options:
                yield label
        for _, label in descriptor.get("row_actions", []):
            yield label
        for field in descriptor["fields"]:
            yield field["label"]
            if field["name"] == "language":
                continue  # language names are shown in their own language
            for _, label in field.get("options", []):
                yield label


def all_message_ids() -> set[str]:
    ids = set(_from_files()) | set(_from_descriptors()) | {str(r) for r in Role}
    ids |= {"Page not found", "You may not open this page"}
    ids |= set(API_ERRORS)  # errors the API answers in the caller's language
    ids |= set(KNOWLEDGE_ERRORS)
    ids |= set(TENANT_ERRORS) | {PASSWORD_CHANGE_MESSAGE}
    ids |= set(ERROR_MESSAGES)
    ids |= set(ISSUE_TEMPLATES)  # a flow's issues, said in the editor's language
    ids |= set(TYPE_WORDS)  # the kinds of value those issues name
    ids |= set(EXPRESSION_TEMPLATES)  # the condition parser's reasons, said inside a hint's
    ids |= set(HINT_TEMPLATES)  # why a hint rule is refused
    ids |= set(QUALITY_ERRORS)  # surveys and reviews refused (the link page too)
    return ids


def missing(language: str = "zh-CN") -> set[str]:
    return all_message_ids() - Catalogs().translated(language)


if __name__ == "__main__":
    for message in sorted(missing()):
        sys.stdout.write(f'msgid "{message}"\nmsgstr ""\n\n')
