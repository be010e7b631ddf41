"""Shared pieces of formatted-text parsing: UTF-16 offsets and an entity-collecting builder."""

from __future__ import annotations

from typing import Any

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
