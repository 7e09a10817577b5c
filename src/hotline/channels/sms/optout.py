"""Opt-out words: a customer who texts one of them (退订, STOP, TD, UNSUBSCRIBE …) is put on
the center's opt-out list, which sending refuses; a resume word (START) takes them off.
A message counts only when it is the word alone (case, spaces and end punctuation aside), so
"please don't stop the service" is a message, not an opt-out."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import StrEnum

__all__ = ["DEFAULT_OPT_OUT_WORDS", "DEFAULT_RESUME_WORDS", "Keyword", "classify", "normalise"]

DEFAULT_OPT_OUT_WORDS = ("退订", "STOP", "TD", "UNSUBSCRIBE", "T", "取消订阅")
DEFAULT_RESUME_WORDS = ("START", "订阅")

_STRIP = " \t\r\n.!。！,，;；"


class Keyword(StrEnum):
    NONE = "none"
    OPT_OUT = "opt_out"
    RESUME = "resume"


def normalise(text: str) -> str:
    """Full-width letters to ASCII (NFKC), upper case, spaces and end punctuation off."""
    return unicodedata.normalize("NFKC", text).strip(_STRIP).upper()


def classify(
    text: str,
    opt_out_words: Iterable[str] = DEFAULT_OPT_OUT_WORDS,
    resume_words: Iterable[str] = DEFAULT_RESUME_WORDS,
) -> Keyword:
    said = normalise(text)
    if said in {normalise(w) for w in opt_out_words}:
        return Keyword.OPT_OUT
    if said in {normalise(w) for w in resume_words}:
        return Keyword.RESUME
    return Keyword.NONE
