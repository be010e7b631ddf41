"""Bot API limits and error descriptions the emulator validates against.

Public values (``MAX_*``, ``NOT_MODIFIED``, ``BLOCKED``...) are the exact limits and error
descriptions Telegram uses, so tests can assert on them.
"""

from __future__ import annotations

import re
from typing import Any, Final

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH: Final = 4096
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
MAX_DESCRIPTION_LENGTH: Final = 512
MAX_SHORT_DESCRIPTION_LENGTH: Final = 120
MAX_COMMANDS: Final = 100
MAX_CAPTION_LENGTH: Final = 1024
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024  # getFile refuses bigger files to bots

NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
CHAT_NOT_FOUND: Final = "Bad Request: chat not found"
BLOCKED: Final = "Forbidden: bot was blocked by the user"
CONFLICT_OTHER_POLL: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
CONFLICT_WEBHOOK: Final = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
CAPTION_TOO_LONG: Final = "Bad Request: message caption is too long"
NO_TEXT_TO_EDIT: Final = "Bad Request: there is no text in the message to edit"
FILE_TOO_BIG: Final = "Bad Request: file is too big"
INVALID_FILE_ID: Final = "Bad Request: invalid file_id"
WRONG_FILE: Final = "Bad Request: wrong file identifier/HTTP URL specified"
EMPTY_FILE: Final = "Bad Request: file must be non-empty"
QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)

# Update types Telegram delivers when allowed_updates was never set (or set to []).
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
