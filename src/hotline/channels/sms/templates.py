"""SMS templates of a center: a name, a text per language (zh-CN, en) with `{field}` holes.
Rendering refuses a template that names a field not given, rather than texting a customer
"{link}"."""

from __future__ import annotations

import string
from collections.abc import Mapping

from hotline.channels.sms.errors import SmsInvalid

__all__ = ["LANGUAGES", "fields_of", "render"]

LANGUAGES = ("zh-CN", "en")


def fields_of(text: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as e:
        raise SmsInvalid("sms.template.invalid", "text", reason=str(e)) from None
    names: set[str] = set()
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise SmsInvalid("sms.template.invalid", "text", name=field)
        names.add(field)
    return names


def render(
    templates: Mapping[str, Mapping[str, str]],
    name: str,
    language: str,
    values: Mapping[str, str],
) -> str:
    """The template's text in `language` (else the other language) with `values` filled in."""
    texts = templates.get(name)
    if not texts:
        raise SmsInvalid("sms.template.unknown", "template", name=name)
    text = texts.get(language) or next((texts[lang] for lang in LANGUAGES if texts.get(lang)), "")
    if not text:
        raise SmsInvalid("sms.template.unknown", "template", name=name)
    missing = fields_of(text) - set(values)
    if missing:
        raise SmsInvalid("sms.template.invalid", "values", missing=sorted(missing))
    return text.format_map(dict(values))
