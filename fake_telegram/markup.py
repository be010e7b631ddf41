"""Validation of ``reply_markup``: inline keyboards, reply keyboards and their removal.

Rejects what Telegram rejects (empty labels, oversized callback data, text-only inline buttons...)
with Telegram's own error descriptions.
"""

from __future__ import annotations

import json
from typing import Any

from .constants import _INLINE_BUTTON_KINDS, MAX_CALLBACK_DATA_BYTES, JSONDict
from .errors import ApiError, _bad


def _parse_markup(raw: Any) -> tuple[list[list[JSONDict]], list[list[str]] | None]:
    """Validate reply_markup: (inline rows, reply keyboard labels; [] removes, None untouched)."""
    if raw is None or raw == "":
        return [], None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise _bad("can't parse reply keyboard markup JSON object") from None
    if not isinstance(raw, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return _parse_inline_keyboard(raw["inline_keyboard"]), None
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        labels = [
            [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
            for row in rows
            if row
        ]
        return [], labels
    if raw.get("remove_keyboard"):
        return [], []
    if raw.get("force_reply"):
        return [], None
    raise _bad('can\'t find field "inline_keyboard"')


def _parse_inline_keyboard(rows: Any) -> list[list[JSONDict]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    parsed: list[list[JSONDict]] = []
    for row in rows:
        buttons: list[JSONDict] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in button]
            if not kinds:
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed "
                    "in the inline keyboard",
                )
            if not button["text"].strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not url or any(c.isspace() for c in url):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            buttons.append(dict(button))
        if buttons:
            parsed.append(buttons)
    return parsed
