"""The user side: helpers that act as Telegram users and enqueue the resulting updates.

Each helper (``user_text``, ``press``, ``my_chat_member_kicked``...) produces the exact Bot API JSON Telegram would
deliver, and raises ``UsageError`` for what Telegram's UI would not let a user do.
"""

from __future__ import annotations

import copy
import mimetypes

from .constants import MAX_CAPTION_LENGTH, JSONDict
from .errors import UsageError
from .model import _inline_rows, _Pending, _Stored
from .updates import UpdateQueueMixin


class UserSideMixin(UpdateQueueMixin):
    """What users do: send messages, edit them, press buttons, block the bot."""

    def user_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Enqueue a text message from a user; a leading /command gets its bot_command entity."""
        content: JSONDict = {"text": text, **_command_entities(text)}
        return self._user_message(user_id, chat_id, chat_type, language_code, content)

    def user_sticker(self, user_id: int) -> int:
        """Enqueue a regular static sticker message in the user's private chat."""
        file_id = self._file_id("sticker")
        sticker = {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "set_name": "UraTestStickers",
            "file_size": 24_000,
        }
        return self._user_message(user_id, None, "private", "en", {"sticker": sticker})

    def user_photo(self, user_id: int, *, caption: str | None = None) -> int:
        """Enqueue a photo message (two sizes, as Telegram sends them) in a private chat."""
        file_id = self._file_id("photo")
        sizes = [
            {
                "file_id": f"{file_id}-{side}",
                "file_unique_id": f"U{file_id}-{side}",
                "width": side,
                "height": side,
                "file_size": side * 40,
            }
            for side in (90, 800)
        ]
        content: JSONDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(user_id, None, "private", "en", content)

    def user_voice(self, user_id: int, *, duration: int = 3) -> int:
        """Enqueue a voice message in the user's private chat."""
        file_id = self._file_id("voice")
        voice = {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": duration * 4_000,
        }
        return self._user_message(user_id, None, "private", "en", {"voice": voice})

    def user_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        *,
        language_code: str | None = "en",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> int:
        """Enqueue a document (a file sent as a file) in the user's private chat; the fake keeps
        its bytes, so the bot can getFile and download it. The MIME type defaults to a guess from
        the filename, as the client's. Returns the update_id."""
        if not filename or "/" in filename:
            raise UsageError(f"a file name without slashes, not {filename!r}")
        if not content:
            raise UsageError("Telegram's clients do not send empty files")
        if caption is not None and len(caption) > MAX_CAPTION_LENGTH:
            raise UsageError(f"a caption is at most {MAX_CAPTION_LENGTH} characters")
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        with self._lock:
            file = self._keep_file("document", bytes(content), filename, mime)
            document = {
                "file_id": file.file_id,
                "file_unique_id": file.unique_id,
                "file_name": filename,
                "mime_type": mime,
                "file_size": len(content),
            }
            body: JSONDict = {"document": document}
            if caption:
                body["caption"] = caption
            return self._user_message(user_id, None, "private", language_code, body)

    def user_edit(self, user_id: int, message_id: int, text: str) -> int:
        """Enqueue an edited_message for a text message this user sent in his private chat."""
        with self._lock:
            stored = self._existing(user_id, message_id)
            if stored.from_bot or "text" not in stored.data:
                raise UsageError(f"message {message_id} in chat {user_id} is not his text")
            stored.data.pop("entities", None)
            stored.data.update(text=text, edit_date=self._now(), **_command_entities(text))
            stored.edits += 1
            return self._enqueue({"edited_message": copy.deepcopy(stored.data)})

    def press(self, user_id: int, message_id: int, button: int) -> int:
        """Press the inline button with this 1-based index (row by row) on a bot message."""
        with self._lock:
            stored = self._existing(user_id, message_id)
            if not stored.from_bot:
                raise UsageError(f"message {message_id} in chat {user_id} is not the bot's")
            flat = [b for row in _inline_rows(stored.data) for b in row]
            if not 1 <= button <= len(flat):
                raise UsageError(
                    f"message {message_id} has {len(flat)} buttons, no button #{button}: "
                    f"{[b.get('text') for b in flat]}"
                )
            chosen = flat[button - 1]
            if "callback_data" not in chosen:
                raise UsageError(f"button #{button} ({chosen.get('text')!r}) has no callback")
            data = str(chosen["callback_data"])
            return self._callback(user_id, copy.deepcopy(stored.data), data)

    def forge_press(self, user_id: int, message_id: int, data: str) -> int:
        """A callback_query with arbitrary data, as a hostile or stale client could produce."""
        with self._lock:
            chat = self._ensure_chat(user_id, "private")
            stored = self._messages.get(user_id, {}).get(message_id)
            if stored is not None:
                message = copy.deepcopy(stored.data)
            else:
                message = {"chat": dict(chat), "message_id": message_id, "date": 0}
            return self._callback(user_id, message, data)

    def replay(self, update_id: int) -> int:
        """Redeliver an update as if its offset had never been confirmed."""
        with self._lock:
            if update_id not in self.updates_by_id:
                raise UsageError(f"no update {update_id} was ever created")
            update = copy.deepcopy(self.updates_by_id[update_id])
            self._pending.append(_Pending(update, replay=True))
        self._wake_pollers()
        return update_id

    def my_chat_member_kicked(self, user_id: int) -> int:
        """The user blocks the bot: sends fail with 403 and Telegram reports a 'kicked' update.

        Writing to the bot again restarts it (a 'member' update), as in Telegram.
        """
        with self._lock:
            self._ensure_chat(user_id, "private")
            self.blocked.add(user_id)
            return self._chat_member_update(user_id, "member", "kicked")

    # ------------------------------------------------------------------ internals

    def _existing(self, chat_id: int, message_id: int) -> _Stored:
        stored = self._messages.get(chat_id, {}).get(message_id)
        if stored is None:
            raise UsageError(f"no message {message_id} in chat {chat_id}")
        return stored

    def _user(self, user_id: int, language_code: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if language_code is not None:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    def _ensure_chat(self, chat_id: int, chat_type: str) -> JSONDict:
        if chat_id not in self.chats:
            if chat_type == "private":
                self.chats[chat_id] = {"id": chat_id, "first_name": "Test", "type": "private"}
            else:
                self.chats[chat_id] = {"id": chat_id, "title": "Test group", "type": chat_type}
        return self.chats[chat_id]

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str,
        language_code: str | None,
        content: JSONDict,
    ) -> int:
        chat = user_id if chat_id is None else chat_id
        if chat_type == "private" and chat != user_id:
            raise UsageError("a private chat's id is the user's id")
        if chat_type != "private" and chat_id is None:
            raise UsageError(f"a {chat_type} message needs an explicit chat_id")
        with self._lock:
            if chat_type == "private" and user_id in self.blocked:
                self.blocked.discard(user_id)  # writing to a blocked bot restarts it
                self._chat_member_update(user_id, "kicked", "member")
            message: JSONDict = {
                "message_id": self._next_id(chat),
                "from": self._user(user_id, language_code),
                "chat": dict(self._ensure_chat(chat, chat_type)),
                "date": self._now(),
                **copy.deepcopy(content),
            }
            self._messages.setdefault(chat, {})[message["message_id"]] = _Stored(
                message, from_bot=False
            )
            return self._enqueue({"message": copy.deepcopy(message)})

    def _callback(self, user_id: int, message: JSONDict, data: str) -> int:
        query_id = str(4_000_000_000_000_000_000 + next(self._ids))
        self._callback_ids.add(query_id)
        user = self.users.get(user_id) or self._user(user_id, "en")
        query = {
            "id": query_id,
            "from": dict(user),
            "message": message,
            "chat_instance": str(-(8_000_000_000_000_000_000 + user_id)),
            "data": data,
        }
        return self._enqueue({"callback_query": query})

    def _chat_member_update(self, user_id: int, old: str, new: str) -> int:
        user = self.users.get(user_id) or self._user(user_id, "en")
        new_member: JSONDict = {"user": self.bot_user, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: JSONDict = {"user": self.bot_user, "status": old}
        if old == "kicked":
            old_member["until_date"] = 0
        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": dict(self.chats[user_id]),
                    "from": dict(user),
                    "date": self._now(),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )


def _command_entities(text: str) -> JSONDict:
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return {}
    word = text.split(maxsplit=1)[0]
    length = len(word.encode("utf-16-le")) // 2  # Telegram counts UTF-16 code units
    return {"entities": [{"type": "bot_command", "offset": 0, "length": length}]}
