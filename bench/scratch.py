"""What several benchmarks share: a throwaway database, and learners with an announcement
queued for them (as the dispatcher finds them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Date, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import Settings
from bot.db import migrate
from bot.db.models import Timestamp, User
from bot.db.rhythm_models import Rhythm
from bot.db.staff_models import Announcement, OutboxMessage
from bot.runner import Runtime
from fake_telegram import BotApiEmulator, EmulatorRequest
from tests.databases import fresh_database

CHUNK = 20_000
ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[str]:
    """The URL of a new empty database ("sqlite" in `folder`, or "postgres"), dropped after:
    the tests' own throwaway databases."""
    async with fresh_database(kind, folder) as url:
        yield url


async def learners(conn: AsyncConnection, count: int) -> None:
    """Learners 1…count, in English, with no quiet hours (so they are reachable any time)."""
    for start in range(1, count + 1, CHUNK):
        ids = range(start, min(start + CHUNK, count + 1))
        await conn.execute(insert(User), [{"id": n, "chat_id": n, "locale": "en"} for n in ids])
        zone = {"timezone": "Europe/Belgrade", "quiet_start": 0, "quiet_end": 0}
        await conn.execute(insert(Rhythm), [{"user_id": n, **zone} for n in ids])


async def announce(conn: AsyncConnection, *, leave_out: int | None = None) -> None:
    """One announcement queued for every learner, in one INSERT … SELECT."""
    now = datetime.now(UTC)
    texts = {"en": "Hello"}
    await conn.execute(
        insert(Announcement),
        [{"id": 1, "created_by": 0, "texts": texts, "segment": {}, "status": "queued"}],
    )
    rows = select(
        User.id, literal("announcement"), literal(1), literal(now.date(), Date),
        literal("queued"), literal(0), literal(now, Timestamp),
    ).where(User.id != (leave_out or 0))  # fmt: skip
    columns = ["user_id", "kind", "item_id", "day", "status", "attempts", "available_at"]
    await conn.execute(insert(OutboxMessage).from_select(columns, rows))


def telegram_knowing(count: int) -> BotApiEmulator:
    """A fake Bot API where learners 1…count have a private chat with the bot (so it may
    write to them), without an update waiting from any of them."""
    api = BotApiEmulator()
    for n in range(1, count + 1):
        api._ensure_chat(n, "private")
    return api


async def in_process(url: str, api: BotApiEmulator, token: str = "1:BENCH") -> Runtime:
    """The real `Runtime` on a migrated database at `url`, talking to `api` in this process."""
    await asyncio.to_thread(migrate.upgrade, url)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        DATABASE_URL=url,
        URA_LESSONS_DIR=ROOT / "lessons",
        URA_PSEUDONYM_KEY="bench",
    )
    return await Runtime.start(settings, token=token, request=EmulatorRequest(api))
