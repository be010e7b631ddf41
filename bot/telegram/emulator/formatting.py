"""Formatted text: HTML, MarkdownV2 and legacy Markdown turned into plain text plus entities.

``format_text`` mirrors what Telegram stores for a sent text, including its parse errors (with
UTF-8 byte offsets) and entity offsets measured in UTF-16 code units.
"""

from __future__ import annotations

import html
import re
from typing import Any, Final

from .constants import JSONDict
from .errors import ApiError


def _utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports markup errors at UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def _entities_error(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {message}")


class _TextBuilder:
    """Accumulates plain text and entities while a formatted text is parsed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSONDict] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += _utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> tuple[str, list[JSONDict]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE: Final = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")
_HTML_ATTR_RE: Final = re.compile(
    r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
_HTML_NAMED: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram's HTML subset, rejecting what Telegram rejects (the bot's bugs)."""
    out = _TextBuilder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match:
                name = match.group(1)
                if name.startswith("#"):
                    number = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
                    out.add(chr(number) if 0 < number < 0x110000 else "\ufffd")
                else:
                    out.add(_HTML_NAMED[name])
                i = match.end()
            else:
                out.add("&")
                i += 1
            continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        end = text.find(">", i)
        if end < 0:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
        inner = text[i + 1 : end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise _entities_error(
                    f'Unexpected end tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            tag, start, attrs = stack.pop()
            if name and name != tag:
                raise _entities_error(
                    f"Unmatched end tag at byte offset {_byte_offset(text, i)}, expected "
                    f'"</{tag}>", found "</{name}>"'
                )
            _close_html_tag(out, stack, tag, start, attrs)
        else:
            match = re.match(r"([A-Za-z][A-Za-z0-9-]*)(.*)\Z", inner, re.S)
            name = match.group(1).lower() if match else inner.strip()
            if not match or name not in _HTML_TAGS:
                raise _entities_error(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            attrs = {
                attr.group(1).lower(): html.unescape(
                    attr.group(2) or attr.group(3) or attr.group(4) or ""
                )
                for attr in _HTML_ATTR_RE.finditer(match.group(2))
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _entities_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(text, i)}"
                )
            stack.append((name, out.pos, attrs))
        i = end + 1
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_tag(
    out: _TextBuilder,
    stack: list[tuple[str, int, dict[str, str]]],
    tag: str,
    start: int,
    attrs: dict[str, str],
) -> None:
    """Emit the entity for a closed tag; <pre><code class="language-x"> becomes one pre."""
    kind = _HTML_TAGS[tag]
    if kind == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
            return
    if kind == "pre" and attrs.get("language"):
        out.entity("pre", start, language=attrs["language"])
    elif kind == "text_link":
        if attrs.get("href"):
            out.entity("text_link", start, url=attrs["href"])
    elif kind == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
    elif kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        out.entity(kind, start)


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
