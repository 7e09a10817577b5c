"""A mail's HTML made safe for the agent's page with nh3 (the Ammonia sanitizer, ADR 0242):
an allow-list of text tags; no script, style, form, frame or image (a remote image is a read
receipt and a tracker; inline images stay attachments), no event handler or style attribute,
links only to http, https and mailto, opened with no referrer."""

from __future__ import annotations

import html as html_lib
import re

import nh3

__all__ = ["ALLOWED_TAGS", "safe_html", "text_of_html"]

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl",
        "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li", "ol", "p",
        "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
}
# Removed with everything inside them, not just their tags.
_DROP_CONTENT = {"script", "style", "head", "title", "template", "noscript", "iframe", "object"}
_BLANKS = re.compile(r"\n{3,}")
_BREAKS = re.compile(r"(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6])\s*/?>")


def safe_html(source: str) -> str:
    """The HTML with only the allowed tags and attributes left."""
    return nh3.clean(
        source,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        clean_content_tags=set(_DROP_CONTENT),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def text_of_html(source: str) -> str:
    """Plain text of an HTML body (when a mail has no text part): line breaks kept where the
    blocks ended, tags and hidden content dropped."""
    marked = _BREAKS.sub("\n", source)
    bare = nh3.clean(marked, tags=set(), clean_content_tags=set(_DROP_CONTENT))
    text = html_lib.unescape(bare)
    return _BLANKS.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()
