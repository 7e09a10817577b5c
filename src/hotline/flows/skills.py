"""A flow's extra skill requirements: `售后` (the skill at any proficiency) or `english>=5`.

The flow schema rejects anything else with the node and field, so a typo cannot turn into a
silently weaker requirement; interactions/ turns the checked strings into the router's
{skill: minimum proficiency}.
"""

from __future__ import annotations

from collections.abc import Iterable

from hotline.routing.agents import MAX_PROFICIENCY, MIN_PROFICIENCY

__all__ = ["parse_skill", "parse_skills"]


def parse_skill(text: str) -> tuple[str, int]:
    """`售后` → ("售后", 1); `english>=5` → ("english", 5); ValueError says what is wrong."""
    name, sep, level = text.partition(">=")
    name = name.strip()
    if not name or any(c in name for c in "<>="):
        raise ValueError(f"a skill is `name` or `name>=level`, not {text!r}")
    if not sep:
        return name, MIN_PROFICIENCY
    level = level.strip()
    low, high = MIN_PROFICIENCY, MAX_PROFICIENCY
    if not level.isascii() or not level.isdigit() or not low <= int(level) <= high:
        raise ValueError(f"the minimum proficiency in {text!r} must be a whole number {low}–{high}")
    return name, int(level)


def parse_skills(texts: Iterable[str]) -> dict[str, int]:
    """Each skill with its highest minimum (a skill named twice keeps the stricter one)."""
    out: dict[str, int] = {}
    for text in texts:
        name, level = parse_skill(text)
        out[name] = max(out.get(name, 0), level)
    return out
