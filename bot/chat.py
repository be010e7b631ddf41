"""`ura chat`: the real Application and handlers, served through the in-process Bot API.

Buttons print as `[1] Label`; `#1` presses one. With piped input it reads one line at a
time and prints every bot message, so a session can be scripted.
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.config import Settings
from bot.db.update_log import UpdateLog
from bot.runner import Runtime
from fake_telegram import BotApiEmulator, EmulatorRequest, SentMessage

CHAT_TOKEN = "1000:local-chat"
INTRO = "Chatting with Ura locally. Type a message, /start, or #N to press button N. Ctrl-D quits."


class Transcript:
    """Prints what the bot sent or edited since the last look."""

    def __init__(self, emulator: BotApiEmulator, chat_id: int, out: TextIO) -> None:
        self._emu, self._chat_id, self._out = emulator, chat_id, out
        self._seen: dict[int, int] = {}

    def flush(self) -> None:
        """Print new messages, and messages edited since they were printed."""
        for message in self._emu.bot_messages(self._chat_id):
            if self._seen.get(message.message_id) == message.edits:
                continue
            edited = message.message_id in self._seen
            self._seen[message.message_id] = message.edits
            self._out.write(render(message, edited=edited) + "\n")
        self._out.flush()

    def last_with_buttons(self) -> SentMessage | None:
        """The newest bot message that has buttons: `#N` presses one of its buttons."""
        with_buttons = [m for m in self._emu.bot_messages(self._chat_id) if m.buttons]
        return with_buttons[-1] if with_buttons else None


def render(message: SentMessage, *, edited: bool = False) -> str:
    """A bot message as terminal text, buttons numbered across rows."""
    head = "ura (edited):" if edited else "ura:"
    lines = [head, *("  " + line for line in message.summary.splitlines())]
    number = 0
    for row in message.buttons:
        cells = []
        for label, _data in row:
            number += 1
            cells.append(f"[{number}] {label}")
        lines.append("  " + "   ".join(cells))
    return "\n".join(lines)


async def _read_line(stdin: TextIO, interactive: bool, out: TextIO) -> str | None:
    if interactive:
        out.write("> ")
        out.flush()
    line = await asyncio.to_thread(stdin.readline)
    return line if line else None


async def run_chat(
    settings: Settings, *, lang: str, user_id: int, stdin: TextIO, out: TextIO
) -> None:
    """The chat loop: read a line, turn it into an update, let the bot handle it, print."""
    emulator = BotApiEmulator()
    runtime = await Runtime.start(settings, token=CHAT_TOKEN, request=EmulatorRequest(emulator))
    # Telegram's update ids only grow; continue after the last one this database handled.
    emulator.continue_after(await UpdateLog(runtime.deps.engine).last_id())
    transcript = Transcript(emulator, user_id, out)
    interactive = stdin.isatty()
    if interactive:
        out.write(INTRO + "\n")
    try:
        while (line := await _read_line(stdin, interactive, out)) is not None:
            text = line.strip()
            if not text:
                continue
            if not interactive:
                out.write(f"> {text}\n")
            if text.startswith("#") and text[1:].isdigit():
                target = transcript.last_with_buttons()
                if target is None or not 1 <= int(text[1:]) <= len(target.labels()):
                    out.write("(no such button)\n")
                    continue
                emulator.press(user_id, target.message_id, int(text[1:]))
            else:
                emulator.user_text(user_id, text, language_code=lang)
            while await runtime.poller.poll_once(timeout=0):
                pass
            transcript.flush()
    finally:
        await runtime.stop()
