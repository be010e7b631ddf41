"""The parameters each emulated method accepts, and their decoding.

Over HTTP every value is a string (PTB JSON-encodes everything that is not already one), so each
parameter is decoded by its known type; uploaded files arrive as ``Upload`` either way. A
parameter the emulator does not know, and any ``parse_mode`` (Ura sends plain text; no parse mode
is rendered), fails loudly.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Final

from .constants import JSONDict
from .errors import _bad

# The parameters of each emulated method; anything else is rejected as not emulated.
_METHOD_PARAMS: Final = {
    "getMe": frozenset(),
    "getUpdates": frozenset({"offset", "limit", "timeout", "allowed_updates"}),
    "setMyCommands": frozenset({"commands", "scope", "language_code"}),
    "deleteMyCommands": frozenset({"scope", "language_code"}),
    "setMyDescription": frozenset({"description", "language_code"}),
    "setMyShortDescription": frozenset({"short_description", "language_code"}),
    "sendMessage": frozenset({"chat_id", "text", "reply_markup", "disable_notification"}),
    "sendPhoto": frozenset({"chat_id", "photo", "caption", "reply_markup"}),
    "sendDocument": frozenset({"chat_id", "document", "caption", "reply_markup"}),
    "editMessageText": frozenset({"chat_id", "message_id", "text", "reply_markup"}),
    "answerCallbackQuery": frozenset({"callback_query_id", "text"}),
    "getFile": frozenset({"file_id"}),
    "setWebhook": frozenset({"url", "secret_token", "allowed_updates", "max_connections"}),
    "deleteWebhook": frozenset({"drop_pending_updates"}),
    "getWebhookInfo": frozenset(),
}
_STR_PARAMS: Final = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "language_code",
        "description",
        "short_description",
        "file_id",
        "url",
        "secret_token",
    }
)
_NUMBER_PARAMS: Final = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"}
)
_JSON_PARAMS: Final = frozenset({"reply_markup", "commands", "scope", "allowed_updates"})
# photo and document arrive as an ``Upload`` (a multipart part) or a file_id string, as they are.


def _decode(method: str, params: JSONDict) -> JSONDict:
    """Decode the parameters of a call to an emulated ``method``, rejecting unknown ones."""
    if params.get("parse_mode") not in (None, ""):
        raise _bad(f"parse modes are not emulated ({method} with parse_mode)")
    unknown = sorted(set(params) - _METHOD_PARAMS[method] - {"parse_mode"})
    if unknown:
        raise _bad(f"parameters {', '.join(unknown)} of {method} are not emulated")
    return {name: _normalize(name, value) for name, value in params.items() if name != "parse_mode"}


def _normalize(name: str, value: Any) -> Any:
    """Decode one parameter whatever way it arrived (typed in-process, string over HTTP)."""
    if name in _STR_PARAMS:
        return value if isinstance(value, str) else str(value)
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {name} JSON object") from None
    if name in _NUMBER_PARAMS:
        with contextlib.suppress(ValueError):
            return int(value)
        with contextlib.suppress(ValueError):
            number = float(value)
            return int(number) if number.is_integer() else number
    return value


def _required_int(params: JSONDict, name: str) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"{name} must be an integer")
    return value
