"""Telegram's MarkdownV2 and legacy Markdown parse modes: markup to entities."""

from __future__ import annotations

import re
from typing import Final

from .constants import JSONDict
from .text import _byte_offset, _entities_error, _TextBuilder

_MDV2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES: Final = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
}


def _scan_code(text: str, i: int, fence: str, out: _TextBuilder) -> int:
    """Copy code content up to the closing fence (only ` and \\ may be escaped); -1 if none."""
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.add(text[i + 1])
            i += 2
        elif text.startswith(fence, i):
            return i
        else:
            out.add(text[i])
            i += 1
    return -1


def _parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    """Parse MarkdownV2, including Telegram's infamous reserved-character rule."""
    out = _TextBuilder()
    opened: dict[str, tuple[int, int]] = {}
    link: tuple[int, int] | None = None
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text):
                raise _entities_error(
                    "Character '\\' is reserved and must be escaped with the preceding '\\'"
                )
            out.add(text[i + 1])
            i += 2
            continue
        if char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            body = i + len(fence)
            language = ""
            if fence == "```":
                newline = text.find("\n", body)
                first_line = text[body:newline] if newline >= 0 else ""
                if first_line and not re.search(r"[\s`]", first_line):
                    language, body = first_line, newline + 1
            start = out.pos
            close = _scan_code(text, body, fence, out)
            if close < 0:
                kind = "Pre" if fence == "```" else "Code"
                raise _entities_error(
                    f"Can't find end of {kind} entity at byte offset {_byte_offset(text, i)}"
                )
            if fence == "`":
                out.entity("code", start)
            elif language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre", start)
            i = close + len(fence)
            continue
        if char == "[" and link is None:
            link = (out.pos, i)
            i += 1
            continue
        if char == "]" and link is not None:
            if not text.startswith("(", i + 1):
                raise _entities_error(
                    f"Can't find end of TextUrl entity at byte offset {_byte_offset(text, link[1])}"
                )
            j = i + 2
            url: list[str] = []
            while j < len(text) and text[j] != ")":
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                url.append(text[j])
                j += 1
            if j >= len(text):
                raise _entities_error(
                    f"Can't find end of TextUrl entity at byte offset {_byte_offset(text, link[1])}"
                )
            out.entity("text_link", link[0], url="".join(url))
            link = None
            i = j + 1
            continue
        if char == ">" and (i == 0 or text[i - 1] == "\n"):
            opened.setdefault("blockquote", (out.pos, i))
            i += 1
            continue
        if char == "\n" and "blockquote" in opened and not text.startswith(">", i + 1):
            out.entity("blockquote", opened.pop("blockquote")[0])
        kind = ""
        width = 1
        if text.startswith("__", i):
            kind, width = "underline", 2
        elif text.startswith("||", i):
            kind, width = "spoiler", 2
        elif char in "*_~":
            kind = {"*": "bold", "_": "italic", "~": "strikethrough"}[char]
        if kind:
            if kind in opened:
                out.entity(kind, opened.pop(kind)[0])
            else:
                opened[kind] = (out.pos, i)
            i += width
            continue
        if char in _MDV2_RESERVED:
            raise _entities_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.add(char)
        i += 1
    if "blockquote" in opened:
        out.entity("blockquote", opened.pop("blockquote")[0])
    if link is not None:
        raise _entities_error(
            f"Can't find end of TextUrl entity at byte offset {_byte_offset(text, link[1])}"
        )
    if opened:
        kind, (_, index) = min(opened.items(), key=lambda item: item[1][1])
        raise _entities_error(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset "
            f"{_byte_offset(text, index)}"
        )
    return out.result()


def _parse_markdown_legacy(text: str) -> tuple[str, list[JSONDict]]:
    """Parse legacy Markdown: flat *bold*, _italic_, `code`, ```pre``` and [text](url)."""
    out = _TextBuilder()
    pairs = {"*": "bold", "_": "italic", "`": "code"}
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        fence = "```" if text.startswith("```", i) else char
        if fence == "```" or char in pairs:
            close = text.find(fence, i + len(fence))
            if close < 0:
                raise _entities_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(text[i + len(fence) : close])
            out.entity("pre" if fence == "```" else pairs[char], start)
            i = close + len(fence)
            continue
        if char == "[":
            close = text.find("]", i + 1)
            url_end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or not text.startswith("(", close + 1) or url_end < 0:
                raise _entities_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : url_end])
            i = url_end + 1
            continue
        out.add(char)
        i += 1
    return out.result()
