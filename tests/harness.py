"""Drive the real Application through the in-process Bot API, the way a user would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.deps import Content
from bot.runner import Runtime
from fake_telegram import BotApiEmulator, EmulatorRequest, SentMessage

TOKEN = "123456:TEST-TOKEN"
ROOT = Path(__file__).resolve().parent.parent


def settings_for(database_url: str, lessons_dir: Path, **extra: Any) -> Settings:
    """Settings for a test, ignoring any `.env` of the developer; `extra` adds or overrides
    settings by their environment names (e.g. `URA_ADMIN_IDS="1,2"`)."""
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "URA_LESSONS_DIR": lessons_dir,
        "URA_REFERRALS_DIR": ROOT / "referrals",
        "URA_PSEUDONYM_KEY": "test-pseudonym-key",
        "URA_CATALOG_CHECK_SECONDS": 0,
        "URA_DIRECTORY_CHECK_SECONDS": 0,
    }
    return Settings(_env_file=None, **{**values, **extra})  # type: ignore[call-arg]


class Harness:
    """One bot process (restartable) and the Telegram it talks to."""

    def __init__(
        self,
        database_url: str,
        *,
        lessons_dir: Path,
        content: Content | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self._database_url, self._lessons_dir = database_url, lessons_dir
        self.settings = settings_for(database_url, lessons_dir, **(extra or {}))
        self.api = BotApiEmulator()
        self._content = content
        self._runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        assert self._runtime is not None, "harness not started"
        return self._runtime

    async def start(self) -> None:
        """Start a bot process against the same Telegram and database."""
        self._runtime = await Runtime.start(
            self.settings, token=TOKEN, request=EmulatorRequest(self.api), content=self._content
        )

    async def stop(self) -> None:
        """Stop the bot process; Telegram (the emulator) keeps what was not confirmed."""
        if self._runtime is not None:
            await self._runtime.stop()
            self._runtime = None
        assert self.api.errors == [], self.api.errors

    async def restart(self) -> None:
        """A new process: nothing kept in memory survives, only the database."""
        await self.stop()
        await self.start()

    async def reconfigure(self, **extra: Any) -> None:
        """Restart with other settings (the test defaults plus `extra`), same database."""
        await self.stop()
        self.settings = settings_for(self._database_url, self._lessons_dir, **extra)
        await self.start()

    async def pump(self) -> int:
        """Handle every pending update, confirming each; returns how many."""
        handled = 0
        while count := await self.runtime.poller.poll_once(timeout=0):
            handled += count
        return handled

    async def say(self, user_id: int, text: str, *, lang: str | None = "en") -> SentMessage:
        """The user sends text (or a command); returns the bot's newest message."""
        self.api.user_text(user_id, text, language_code=lang)
        await self.pump()
        return self.api.last(user_id)

    async def press(
        self, user_id: int, button: str | int, *, message: SentMessage | None = None
    ) -> SentMessage:
        """Press a button (by 1-based index or label fragment) on a message (default: newest
        message with buttons); returns the bot's new message, or the pressed one as edited."""
        target = message or self.last_with_buttons(user_id)
        index = button if isinstance(button, int) else target.find_button(button)
        count = len(self.api.bot_messages(user_id))
        self.api.press(user_id, target.message_id, index)
        await self.pump()
        messages = self.api.bot_messages(user_id)
        if len(messages) > count:
            return messages[-1]
        return next(m for m in messages if m.message_id == target.message_id)

    def last_with_buttons(self, user_id: int) -> SentMessage:
        """The newest bot message in this chat that has buttons."""
        messages = [m for m in self.api.bot_messages(user_id) if m.buttons]
        assert messages, "the bot sent no message with buttons"
        return messages[-1]
