"""Formatted text: HTML, MarkdownV2 and legacy Markdown turned into plain text plus entities.

``format_text`` mirrors what Telegram stores for a sent text, including its parse errors (with
UTF-8 byte offsets) and entity offsets measured in UTF-16 code units.
"""

from __future__ import annotations

from .constants import JSONDict
from .errors import ApiError
from .html import _parse_html
from .markdown import _parse_markdown_legacy, _parse_markdown_v2
from .text import _utf16_len


def format_text(
    text: str, parse_mode: str | None = None, entities: list[JSONDict] | None = None
) -> tuple[str, list[JSONDict]]:
    """Turn a sent text into what Telegram stores: plain text, entities, outer whitespace cut."""
    if entities is not None:
        plain, found = text, [dict(e) for e in entities]
    elif not parse_mode:
        plain, found = text, []
    elif parse_mode.lower() == "html":
        plain, found = _parse_html(text)
    elif parse_mode.lower() == "markdownv2":
        plain, found = _parse_markdown_v2(text)
    elif parse_mode.lower() == "markdown":
        plain, found = _parse_markdown_legacy(text)
    else:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    stripped = plain.strip()
    if stripped == plain:
        return plain, found
    lead = _utf16_len(plain) - _utf16_len(plain.lstrip())
    total = _utf16_len(stripped)
    kept: list[JSONDict] = []
    for entity in found:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept
