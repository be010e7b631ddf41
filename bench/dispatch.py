"""What the dispatcher sustains: against a Bot API that enforces Telegram's flood control,
and against one that does not.

A fake Bot API server on loopback (`fake_telegram` over real HTTP) that, like Telegram,
allows about 30 messages a second overall and one a second to one chat, answering 429 with
`retry_after` beyond that. The dispatcher (`bot.delivery.sender`, the one `ura run` uses,
with its SQLite outbox) drains queued messages through PTB's HTTP client:

1. at its configured rate (25 a second) against the limited server: the rate it sustains as
   a share of the configured one (goal >= 95%), and the 429s it met (goal 0);
2. as fast as it can against an unlimited server: its ceiling (goal >= 300 a second),
   against a baseline of bare `send_message` calls to the same server in the same run.

Results are appended to bench/RESULTS.md with the command.

    .venv/bin/python bench/dispatch.py [--limited 500] [--unlimited 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bench.record import record  # noqa: E402
from bench.scratch import announce, learners, telegram_knowing  # noqa: E402
from bot import paths  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.engine import make_engine, make_sessionmaker  # noqa: E402
from bot.db.uow import UnitOfWork  # noqa: E402
from bot.delivery.sender import Sender  # noqa: E402
from bot.handlers.send import markup  # noqa: E402
from bot.i18n.catalogs import Catalogs  # noqa: E402
from bot.views import reminders  # noqa: E402
from bot.views.reply import Reply  # noqa: E402
from fake_telegram import BotApiEmulator, close_http, serve_http  # noqa: E402
from fake_telegram.limits import FloodControl  # noqa: E402

TOKEN = "123456:bench"


async def seed(url: str, count: int) -> None:
    """Learners with no quiet hours, and one queued announcement for each."""
    await asyncio.to_thread(migrate.upgrade, url, "head")
    engine = make_engine(url)
    async with engine.begin() as conn:
        await learners(conn, count)
        await announce(conn)
    await engine.dispose()


async def drain(url: str, bot: Bot, rate: float) -> tuple[float, int]:
    """(seconds, messages sent) for the dispatcher to empty the outbox."""
    engine = make_engine(url)
    catalogs = Catalogs(paths.locale_dir())

    async def send(chat: int, reply: Reply, silent: bool) -> object:
        return await bot.send_message(
            chat, reply.text, reply_markup=markup(reply), disable_notification=silent
        )

    sender = Sender(
        lambda: UnitOfWork(make_sessionmaker(engine)),
        send,
        lambda due: reminders.compose(due, catalogs.get("en")),
        rate=rate,
        idle_seconds=1,
    )
    sent = 0
    started = time.perf_counter()
    while taken := await sender.drain_once():
        sent += taken
    spent = time.perf_counter() - started
    await engine.dispose()
    return spent, sent


async def run(folder: Path, learners: int, limited: bool, rate: float) -> tuple[float, int, int]:
    """(seconds, sent, 429s) for one drain against a fresh server and outbox."""
    url = f"sqlite+aiosqlite:///{folder / ('limited' if limited else 'open')}.db"
    await seed(url, learners)
    emulator = telegram_knowing(learners)
    emulator.flood = FloodControl() if limited else None
    server, port = await serve_http(emulator)
    request = HTTPXRequest(connection_pool_size=8)
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await bot.initialize()
    try:
        spent, sent = await drain(url, bot, rate)
        refused = emulator.flood.refused if emulator.flood else 0
    finally:
        await bot.shutdown()
        await close_http(server)
    return spent, sent, refused


async def bare(count: int) -> float:
    """Seconds for `count` plain send_message calls to an unlimited server: the baseline."""
    emulator = BotApiEmulator()
    emulator.user_text(1, "/start")
    server, port = await serve_http(emulator)
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot")
    await bot.initialize()
    try:
        started = time.perf_counter()
        for _ in range(count):
            await bot.send_message(1, "Hello")
        return time.perf_counter() - started
    finally:
        await bot.shutdown()
        await close_http(server)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limited", type=int, default=500, help="messages to the 30/s server")
    parser.add_argument("--unlimited", type=int, default=3000, help="messages, no limit")
    parser.add_argument("--rate", type=float, default=25.0, help="the configured rate")
    args = parser.parse_args()
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        spent, sent, refused = await run(Path(tmp), args.limited, True, args.rate)
        achieved = sent / spent
        goal = "met" if achieved >= 0.95 * args.rate and refused == 0 else "MISSED"
        lines.append(
            f"limited server (30/s, 1/s per chat): {sent:,} sent in {spent:.1f} s = "
            f"{achieved:.1f}/s at a configured {args.rate:g}/s = {achieved / args.rate:.0%}, "
            f"{refused} answered 429   (goal >= 95%, no 429: {goal})"
        )
        print(lines[-1], flush=True)
        spent, sent, _ = await run(Path(tmp), args.unlimited, False, 100_000.0)
        base = await bare(args.unlimited)
        ceiling, raw = sent / spent, args.unlimited / base
        goal = "met" if ceiling >= 300 else "MISSED"
        lines.append(
            f"unlimited server: dispatcher {ceiling:.0f}/s ({sent:,} in {spent:.1f} s)   bare "
            f"send_message {raw:.0f}/s   dispatcher/bare = {ceiling / raw:.2f}   "
            f"(goal >= 300/s: {goal})"
        )
        print(lines[-1], flush=True)
    record("dispatch", "python bench/dispatch.py " + " ".join(sys.argv[1:]), lines)


if __name__ == "__main__":
    asyncio.run(main())
