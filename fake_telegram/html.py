"""Telegram's HTML parse mode: tags to entities, with Telegram's own error texts."""

from __future__ import annotations

import html
import re
from typing import Final

from .constants import JSONDict
from .text import _byte_offset, _entities_error, _TextBuilder

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
