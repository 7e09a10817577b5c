"""UI languages: zh-CN (default for a new tenant) and en.

Message ids are the English text; `locale/zh_CN/LC_MESSAGES/messages.po` holds the Chinese.
Catalogs are read once with Babel when the app is built; templates use `_()` and the ES modules
fetch the same catalog as JSON from `/i18n/<lang>.json`. A test extracts every message id from
templates and scripts and fails on any without a Chinese translation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

__all__ = ["LANGUAGES", "Catalogs", "best_language"]

LANGUAGES = ("zh-CN", "en")
_LOCALE_DIR = Path(__file__).parent / "locale"


def _locale_name(language: str) -> str:
    return language.replace("-", "_")


def best_language(*candidates: str | None) -> str:
    for c in candidates:
        if not c:
            continue
        for lang in LANGUAGES:
            if c.lower() == lang.lower() or c.lower().split("-")[0] == lang.lower().split("-")[0]:
                return lang
    return LANGUAGES[0]


class Catalogs:
    def __init__(self, locale_dir: Path = _LOCALE_DIR) -> None:
        self._messages: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        for lang in LANGUAGES:
            po = locale_dir / _locale_name(lang) / "LC_MESSAGES" / "messages.po"
            if po.is_file():
                with po.open("rb") as f:
                    catalog = read_po(f, locale=_locale_name(lang))
                for message in catalog:
                    if message.id and message.string and isinstance(message.id, str):
                        self._messages[lang][message.id] = str(message.string)

    def gettext(self, language: str, message: str, /, **params: Any) -> str:
        text = self._messages.get(language, {}).get(message, message)
        return text % params if params else text

    def as_dict(self, language: str) -> dict[str, str]:
        return dict(self._messages.get(language, {}))

    def translated(self, language: str) -> set[str]:
        return set(self._messages.get(language, {}))
