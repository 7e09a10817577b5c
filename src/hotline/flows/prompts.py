"""Turning a node's prompts into what the port plays: language choice and `{variable}` filling.

A prompt may carry a file (per language or for all) and TTS text per language. For the caller's
`language` the port gets the file for that language (else the common file) and the text for that
language (else the flow's default language, spoken in that language's voice). Text fills
`{name}` with a variable's value and `{name:digits}` with its characters spaced out, so zh TTS
reads a number digit by digit ("工单号 2 0 3 1 5", GLOSSARY); `{{` and `}}` are literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hotline.flows.evaluate import render_value
from hotline.flows.expression import Value
from hotline.flows.schema import Prompt

__all__ = ["PromptRef", "TemplateField", "fill_template", "resolve_prompts", "template_fields"]

_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_.]*)(?::([a-z]+))?\}")
FORMATS = frozenset({"digits"})


@dataclass(frozen=True, slots=True)
class PromptRef:
    """One thing to play: a file (relative to the prompts root) and/or text to speak.

    When both are given the port plays the file and speaks the text only if the file is gone.
    """

    language: str
    text: str | None = None
    file: str | None = None


@dataclass(frozen=True, slots=True)
class TemplateField:
    name: str
    format: str | None
    position: int


_UNMATCHED = "unmatched brace near column %(column)s (write {{ for a brace)"
_UNKNOWN_FORMAT = "unknown format '%(format)s' in %(placeholder)s (known: digits)"


def template_fields(
    text: str,
) -> tuple[list[TemplateField], list[tuple[str, dict[str, object]]]]:
    """The `{variable}` fields in `text` and problems with its braces or formats, each a
    template of `errors.PROMPT_TEMPLATES` and its values."""
    fields: list[TemplateField] = []
    problems: list[tuple[str, dict[str, object]]] = []
    last = 0
    for m in _FIELD.finditer(text):
        gap = text[last : m.start()]
        if "{" in gap or "}" in gap:
            problems.append((_UNMATCHED, {"column": last + 1}))
        last = m.end()
        if m.group(1) is None:
            continue
        fmt = m.group(2)
        if fmt is not None and fmt not in FORMATS:
            problems.append((_UNKNOWN_FORMAT, {"format": fmt, "placeholder": m.group(0)}))
        fields.append(TemplateField(m.group(1), fmt, m.start()))
    tail = text[last:]
    if "{" in tail or "}" in tail:
        problems.append((_UNMATCHED, {"column": last + 1}))
    return fields, problems


def _render(value: Value, fmt: str | None) -> str:
    text = render_value(value)
    if fmt == "digits":
        return " ".join(ch for ch in text if not ch.isspace())
    return text


def fill_template(text: str, scope: Mapping[str, Value]) -> str:
    def replace(m: re.Match[str]) -> str:
        if m.group(0) == "{{":
            return "{"
        if m.group(0) == "}}":
            return "}"
        return _render(scope.get(m.group(1)), m.group(2))

    return _FIELD.sub(replace, text)


def resolve_prompts(
    prompts: Iterable[Prompt],
    *,
    language: str,
    default_language: str,
    scope: Mapping[str, Value],
) -> tuple[PromptRef, ...]:
    """What to play for `language`; prompts with nothing for it (or the default) are skipped."""
    refs: list[PromptRef] = []
    for prompt in prompts:
        # A pinned prompt ("For English, press 9" inside a zh menu) ignores the caller's language.
        wanted = prompt.language or language
        texts = prompt.texts(default_language)
        file = prompt.files.get(wanted) or prompt.file
        if wanted in texts:
            spoken_in, text = wanted, texts[wanted]
        elif default_language in texts and prompt.language is None:
            spoken_in, text = default_language, texts[default_language]
        else:
            spoken_in, text = wanted, None
        if text is None and file is None:
            # Only a file for another language: better that than silence.
            if not prompt.files:
                continue
            spoken_in, file = next(iter(prompt.files.items()))
        filled = None if text is None else fill_template(text, scope)
        refs.append(PromptRef(language=spoken_in, text=filled, file=file))
    return tuple(refs)
