"""Message records: the public ``SentMessage`` snapshot and the server's internal records.

``_Stored`` is one message as the server keeps it (its current Bot API JSON plus bookkeeping),
``_Pending`` one queued update; ``_snapshot`` turns a ``_Stored`` into what a user would see.
``Upload`` is a file the bot uploads with a call, ``_File`` a file the server holds (its bytes,
for getFile and downloads).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .constants import JSONDict
from .errors import UsageError


@dataclass(frozen=True)
class SentMessage:
    """A snapshot of one bot message as the user currently sees it (after edits)."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[list[tuple[str, str]]]  # (label, callback_data or url), row by row
    edits: int = 0
    photo: bytes | None = field(default=None, repr=False)  # the uploaded picture
    document: tuple[str, bytes] | None = field(default=None, repr=False)  # (filename, content)
    caption: str | None = None  # of a photo or document; ``text`` is "" for those

    @property
    def summary(self) -> str:
        """One line for a transcript: the text, ``[picture] caption`` or ``[file name] caption``."""
        if self.photo is not None:
            head = "[picture]"
        elif self.document is not None:
            head = f"[file {self.document[0]}]"
        else:
            return self.text
        return f"{head} {self.caption}" if self.caption else head

    def labels(self) -> list[str]:
        """Inline button labels flattened row by row, for compact assertions."""
        return [label for row in self.buttons for label, _ in row]

    def find_button(self, label_substring: str) -> int:
        """1-based index of the button with this exact label, else the first containing it."""
        labels = self.labels()
        for index, label in enumerate(labels, start=1):
            if label == label_substring:
                return index
        for index, label in enumerate(labels, start=1):
            if label_substring in label:
                return index
        raise UsageError(
            f"no button containing {label_substring!r} on message {self.message_id}: {labels}"
        )


@dataclass
class _Stored:
    """Server-side state of one message; ``data`` is its current Bot API JSON."""

    data: JSONDict
    from_bot: bool
    edits: int = 0
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None


@dataclass(frozen=True)
class Upload:
    """A file uploaded with a call (a multipart part); ``calls`` shows it without its bytes."""

    filename: str
    content: bytes = field(repr=False)
    mime_type: str = "application/octet-stream"


@dataclass
class _File:
    """A file the server holds; ``path`` is set by the first getFile, as Telegram does."""

    file_id: str
    kind: str  # "photo" or "document"
    content: bytes = field(repr=False)
    name: str | None = None  # a document's file_name
    mime_type: str | None = None
    path: str | None = None

    @property
    def unique_id(self) -> str:
        return f"U{self.file_id}"


@dataclass
class _Pending:
    """A queued update; replays survive offset confirmation until delivered once."""

    update: JSONDict
    replay: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((key for key in self.update if key != "update_id"), "")


def _inline_rows(message: JSONDict) -> list[list[JSONDict]]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or []
    return [list(row) for row in rows]


def _snapshot(chat_id: int, message_id: int, stored: _Stored) -> SentMessage:
    buttons = [
        [(str(b.get("text", "")), str(b.get("callback_data", b.get("url", "")))) for b in row]
        for row in _inline_rows(stored.data)
    ]
    return SentMessage(
        chat_id=chat_id,
        message_id=message_id,
        text=str(stored.data.get("text", "")),
        buttons=buttons,
        edits=stored.edits,
        photo=stored.photo,
        document=stored.document,
        caption=stored.data.get("caption"),
    )
