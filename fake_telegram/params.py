"""Decoding of Bot API call parameters, whether they arrive typed (in-process) or as strings.

Over HTTP every value is a string (PTB JSON-encodes everything that is not already one), so the
dispatcher and the HTTP front end decode each parameter by its known type.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Final

from .constants import JSONDict
from .errors import _bad

# Parameter types. Over HTTP every value arrives as a string (PTB JSON-encodes everything that is
# not already a string), so the dispatcher needs to know which names to decode and how.
_STR_PARAMS: Final = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "language_code",
        "description",
        "short_description",
        "name",
        "action",
        "inline_message_id",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "custom_emoji_id",
    }
)
_INT_PARAMS: Final = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "message_thread_id",
        "reply_to_message_id",
        "max_connections",
        "until_date",
        "direct_messages_topic_id",
    }
)
_BOOL_PARAMS: Final = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
        "revoke_messages",
        "for_channels",
    }
)
_JSON_PARAMS: Final = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "media",
        "rights",
        "message_ids",
    }
)


def _normalize(name: str, value: Any) -> Any:
    """Decode one parameter whatever way it arrived (typed in-process, string over HTTP)."""
    if name in _STR_PARAMS:
        if isinstance(value, str | dict | list):
            return value
        return str(value).lower() if isinstance(value, bool) else str(value)
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {name} JSON object") from None
    if name in _INT_PARAMS:
        with contextlib.suppress(ValueError):
            return int(value)
        with contextlib.suppress(ValueError):
            number = float(value)
            return int(number) if number.is_integer() else number
        return value
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    return value


def _decode_form_value(name: str, value: str) -> Any:
    """Form values of parameters the emulator does not know: decode obvious JSON only."""
    if name in _STR_PARAMS | _INT_PARAMS | _BOOL_PARAMS | _JSON_PARAMS:
        return value
    if value in ("true", "false"):
        return value == "true"
    if value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _required_int(params: JSONDict, name: str) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"{name} must be an integer")
    return value
