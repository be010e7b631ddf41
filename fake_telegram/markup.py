"""Validation of ``reply_markup``: inline keyboards of callback and URL buttons.

Rejects what Telegram rejects (empty labels, oversized callback data, text-only inline buttons...)
with Telegram's own error descriptions. Other markups (reply keyboards, force reply) and other
button kinds are not emulated, since Ura never sends them, and fail loudly.
"""

from __future__ import annotations

from typing import Any

from .constants import MAX_CALLBACK_DATA_BYTES, JSONDict
from .errors import ApiError, _bad


def _parse_markup(raw: Any) -> list[list[JSONDict]]:
    """Validate reply_markup and return its inline keyboard rows ([] when there is none)."""
    if raw is None or raw == "":
        return []
    if not isinstance(raw, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in raw:
        raise _bad(f"only inline keyboards are emulated, got {sorted(raw)}")
    rows = raw["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    parsed: list[list[JSONDict]] = []
    for row in rows:
        buttons = [_parse_button(button) for button in row]
        if buttons:
            parsed.append(buttons)
    return parsed


def _parse_button(button: Any) -> JSONDict:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    kinds = set(button) - {"text"}
    if not kinds:
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
            "inline keyboard",
        )
    if kinds - {"callback_data", "url"}:
        raise _bad(f"inline buttons other than callback_data and url are not emulated: {kinds}")
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
    return dict(button)
