"""Text as spreadsheets deliver it: full-width forms (１３８，ＡＢＣ＠…), byte-order marks and
zero-width characters pasted in with the data, non-breaking spaces."""

from __future__ import annotations

import re

__all__ = ["cell_text", "fold", "normalize_header"]

# Full-width ASCII (U+FF01–FF5E) → ASCII; the ideographic space → space. CJK text is untouched:
# unlike NFKC this never rewrites a name's characters.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
# Invisible characters that ride along in copied cells: BOM, zero-width space/joiners, word
# joiner, soft hyphen; and no-break spaces, which are spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"))
_SPACES = {0x00A0: 0x20, 0x2007: 0x20, 0x202F: 0x20}
_TABLE = {**_WIDTH, **_INVISIBLE, **_SPACES}
# Full-width 。 and the Chinese list comma stay as they are (they separate, not spell, values).


def fold(text: str) -> str:
    """Half-width, without invisible characters, trimmed."""
    return text.translate(_TABLE).strip()


def cell_text(value: object) -> str:
    """A cell as text: integral floats without `.0` (Excel stores every number as a float)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


_HEADER_NOISE = re.compile(r"[\s*:：_\-.·（）()\[\]【】<>《》\"'“”‘’]+")
_HEADER_NOTE = re.compile(r"[（(【\[](必填|选填|可选|required|optional)[）)】\]]", re.IGNORECASE)


def normalize_header(text: str) -> str:
    """A header name reduced for matching: half-width, case-folded, without spaces, marks of
    required columns (`*`, `（必填）`) and punctuation."""
    text = fold(text)
    text = _HEADER_NOTE.sub("", text)
    return _HEADER_NOISE.sub("", text).casefold()
