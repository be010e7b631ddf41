"""SQL statements and transactions per lesson press, counted in-process on the engine
(`python bench/presses.py --statements`): the same learners and lessons as bench/presses.py,
with the Bot API emulator in the same process, so only the database's share is counted."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.scratch import database, in_process
from fake_telegram import BotApiEmulator

TOKEN = "123456:STATEMENTS"


async def statements(kind: str, learners: int, rounds: int = 10) -> str:
    """SQL statements and transactions per lesson press, counted in-process on the engine:
    `learners` press "Next" at once, `rounds` times (one alone shows no group commit)."""
    from sqlalchemy import event

    from bot.db.engine import ONE_READ

    with tempfile.TemporaryDirectory() as tmp:
        async with database(kind, Path(tmp)) as url:
            api = BotApiEmulator()
            runtime = await in_process(url, api, TOKEN)
            counted: list[str] = []
            chats = range(1, learners + 1)

            def note(sql: str) -> None:
                """One statement, by its verb (BEGIN on SQLite is the transaction's own)."""
                if os.environ.get("BENCH_SQL"):
                    print(sql[:150].replace("\n", " "))
                verb = sql.split()[0].upper()
                if verb != "BEGIN":
                    counted.append(verb)

            def opened(conn: Any) -> str:
                """A transaction, or a statement alone, which begins none (`statement_alone`)."""
                options = conn.get_execution_options()
                alone = options.get(ONE_READ) or options.get("isolation_level") == "AUTOCOMMIT"
                return "(check)" if alone else "(transaction)"

            async def step(label: str | None) -> None:
                for chat in chats:
                    message = [m for m in api.bot_messages(chat) if m.buttons][-1]
                    api.press(chat, message.message_id, message.find_button(label) if label else 1)
                while await runtime.poller.poll_once(0):
                    pass

            try:
                for chat in chats:
                    api.user_text(chat, "/start")
                await runtime.poller.poll_once(0)
                for label in ("English", "Fatherhood", "1."):  # to the first card, uncounted
                    await step(label)
                sync = runtime.deps.engine.sync_engine
                event.listen(sync, "before_cursor_execute", lambda *a: note(a[2]))
                event.listen(sync, "begin", lambda conn: counted.append(opened(conn)))
                cpu = time.process_time()
                for _ in range(rounds):
                    await step(None)
                cpu = time.process_time() - cpu
            finally:
                await runtime.stop()
    presses = rounds * learners
    begins, checks = counted.count("(transaction)"), counted.count("(check)")
    verbs = sorted(set(counted) - {"(transaction)", "(check)"})
    return (
        f"{kind:8} {learners:2} at once: {(len(counted) - begins - checks) / presses:5.1f} "
        f"statements per press in {begins / presses:4.1f} transactions"
        f" + {checks / presses:3.1f} statements alone "
        f"[{', '.join(f'{k} {counted.count(k) / presses:.1f}' for k in verbs)}]; "
        f"CPU {cpu / presses * 1000:.2f} ms/press in one process with the Bot API"
    )
