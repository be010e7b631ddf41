"""Replies while the outbox drains, and the memory of a running bot with 100,000 learners.

One process runs the real `Runtime` (poller, Application, dispatcher) against the
in-process Bot API, on SQLite, as `ura run` does. A learner asks for `/lessons` again and
again; each reply's latency is measured from the moment the update is handled, first with
an empty outbox (the baseline), then while 100,000 queued messages drain at the configured
rate beside it. Goal: p95 while draining within 2× of idle. Then the process's peak
resident memory with 100,000 learners in the database (goal: at most 200 MB).

    .venv/bin/python bench/drain_latency.py [--learners 100000] [--asks 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from sqlalchemy import func, select  # noqa: E402

from bench.record import record  # noqa: E402
from bench.scratch import announce, learners, telegram_knowing  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.engine import make_engine  # noqa: E402
from bot.db.staff_models import OutboxMessage  # noqa: E402
from bot.runner import Runtime  # noqa: E402
from fake_telegram import BotApiEmulator, EmulatorRequest, close_http, serve_http  # noqa: E402
from tests.processes import serving_environment  # noqa: E402

ASKER = 10_000_000


async def asks(runtime: Runtime, api: BotApiEmulator, count: int) -> list[float]:
    """Seconds to handle `/lessons` and answer it, `count` times, a little apart."""
    spent = []
    for _ in range(count):
        api.user_text(ASKER, "/lessons")
        started = time.perf_counter()
        await runtime.poller.poll_once(timeout=0)
        spent.append(time.perf_counter() - started)
        await asyncio.sleep(0.02)  # let the dispatcher run between asks
    return spent


async def seed(url: str, count: int) -> None:
    """`count` learners with no quiet hours, before the bot starts (as a real database)."""
    engine = make_engine(url)
    async with engine.begin() as conn:
        await learners(conn, count)
    await engine.dispose()


def rss_mb() -> float:
    """The process's resident memory now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def process_memory(folder: Path, count: int, seconds: float) -> tuple[float, float, int]:
    """`ura run` in a process of its own (the fake Bot API in this one), `count` learners
    with a message queued for each: (its resident MB after `seconds` of draining, its peak
    MB, messages it sent meanwhile)."""
    url = f"sqlite+aiosqlite:///{folder / 'process.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    engine = make_engine(url)
    async with engine.begin() as conn:
        await learners(conn, count)
        await announce(conn)
    await engine.dispose()
    api = telegram_knowing(count)
    server, port = await serve_http(api)
    env = serving_environment(
        port, url, URA_PSEUDONYM_KEY="bench", URA_DATA_DIR=str(folder / "data")
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await asyncio.sleep(seconds)
        status = Path(f"/proc/{proc.pid}/status").read_text().splitlines()
        field = {
            line.split(":")[0]: line.split()[1]
            for line in status
            if line.startswith(("VmRSS:", "VmHWM:"))
        }
        sent = len(api.calls_to("sendMessage"))
        return int(field["VmRSS"]) / 1024, int(field["VmHWM"]) / 1024, sent
    finally:
        proc.terminate()
        await proc.wait()
        await close_http(server)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--asks", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'ura.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        await seed(url, args.learners)
        api = telegram_knowing(args.learners)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            DATABASE_URL=url,
            URA_LESSONS_DIR=ROOT / "lessons",
            URA_PSEUDONYM_KEY="bench",
            URA_SENDER_IDLE_SECONDS=0.2,
        )
        runtime = await Runtime.start(settings, token="1:BENCH", request=EmulatorRequest(api))
        try:
            api.user_text(ASKER, "/start")
            await runtime.poller.poll_once(timeout=0)
            idle = await asks(runtime, api, args.asks)
            async with runtime.deps.engine.begin() as conn:
                await announce(conn, leave_out=ASKER)
            started = time.perf_counter()
            busy = await asks(runtime, api, args.asks)
            resident = rss_mb()
            window = time.perf_counter() - started
            async with runtime.deps.uow() as uow:
                sent = await uow.session.scalar(
                    select(func.count()).where(OutboxMessage.status == "sent")
                )
        finally:
            await runtime.stop()
        alone, alone_peak, alone_sent = await process_memory(Path(tmp), args.learners, 20.0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = p95(busy) / p95(idle)
    lines = [
        f"reply to /lessons, idle:     p50 {statistics.median(idle) * 1000:5.1f} ms  "
        f"p95 {p95(idle) * 1000:5.1f} ms",
        f"reply while draining {args.learners:,}: p50 {statistics.median(busy) * 1000:5.1f} ms  "
        f"p95 {p95(busy) * 1000:5.1f} ms   ({sent:,} sent in those {window:.0f} s)   "
        f"p95 draining/idle = {ratio:.2f}   (goal <= 2: {'met' if ratio <= 2 else 'MISSED'})",
        f"in this process, with the fake Bot API and its {args.learners:,} chats: resident "
        f"{resident:.0f} MB, peak {peak:.0f} MB",
        f"`ura run` in its own process, {args.learners:,} learners, 20 s into draining "
        f"({alone_sent:,} sent): resident {alone:.0f} MB, peak {alone_peak:.0f} MB   "
        f"(goal <= 200 MB: {'met' if alone_peak <= 200 else 'MISSED'})",
    ]
    for line in lines:
        print(line, flush=True)
    record("drain latency", "python bench/drain_latency.py " + " ".join(sys.argv[1:]), lines)


if __name__ == "__main__":
    asyncio.run(main())
