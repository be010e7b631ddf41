"""What screening every message costs, measured against the same work without it.

1. End to end: learners type messages (from the labelled set, so some are distress and are
   answered with help) through the real Application on SQLite, once with the screening
   handler group and once with it removed. Prints updates/s for both and their ratio.
2. The classifier alone: microseconds per message on the labelled set and on a
   5,000-character message, against a baseline of only normalising the same text.

    .venv/bin/python bench/screening.py [--users 40] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bench.record import record  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.handlers import SCREEN_GROUP  # noqa: E402
from bot.help.model import MeaningModel  # noqa: E402
from bot.help.reader import MeaningReader  # noqa: E402
from bot.help.screening import Screener, normalize  # noqa: E402
from bot.runner import Runtime  # noqa: E402
from fake_telegram import BotApiEmulator, EmulatorRequest  # noqa: E402

LABELLED = [
    json.loads(line)
    for line in (ROOT / "referrals" / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


async def typed(screening: bool, url: str, users: int, per_user: int) -> tuple[int, float]:
    """Each user starts, then types `per_user` messages; (updates, seconds spent handling)."""
    await asyncio.to_thread(migrate.upgrade, url)
    api = BotApiEmulator()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        DATABASE_URL=url,
        URA_PSEUDONYM_KEY="bench",
    )
    runtime = await Runtime.start(settings, token="1:BENCH", request=EmulatorRequest(api))
    if not screening:
        for handler in list(runtime.app.handlers[SCREEN_GROUP]):
            runtime.app.remove_handler(handler, group=SCREEN_GROUP)
    poller, handled, spent = runtime.poller, 0, 0.0
    try:
        for round_ in range(per_user + 1):
            for user in range(1, users + 1):
                if round_ == 0:
                    api.user_text(user, "/start")
                else:
                    row = LABELLED[(user * 7 + round_) % len(LABELLED)]
                    api.user_text(user, row["text"], language_code=row["lang"])
            updates = poller.fresh(await poller.fetch(timeout=0))
            started = time.perf_counter()
            await poller.handle_all(updates)
            spent += time.perf_counter() - started
            handled += len(updates)
    finally:
        await runtime.stop()
    return handled, spent


def micro(screener: Screener) -> None:
    """Microseconds per message: classify vs only normalising the text."""
    long_text = " ".join(row["text"] for row in LABELLED if row["category"] == "none")[:5000]
    for label, texts in (
        ("labelled set", [r["text"] for r in LABELLED]),
        ("5,000 chars", [long_text]),
    ):
        repeat = max(1, 20000 // len(texts))
        start = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                normalize(text)
        base = (time.perf_counter() - start) / (repeat * len(texts))
        start = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                screener.classify(text, "ru")
        full = (time.perf_counter() - start) / (repeat * len(texts))
        print(
            f"classify, {label:12}: {full * 1e6:8.1f} µs/message   normalise only "
            f"{base * 1e6:8.1f} µs   classify/normalise = {full / base:.1f}"
        )


async def latency(screener: Screener, reader: MeaningReader) -> list[str]:
    """Wall time per typed message through `HelpService.screen`'s path (lists, then the
    model off the loop), p50 and p99, against the lists alone, one message at a time."""
    long_text = " ".join(row["text"] for row in LABELLED if row["category"] == "none")[:5000]
    lines = []
    for label, texts in (
        ("labelled set", [r["text"] for r in LABELLED][:600]),
        ("5,000 chars", [long_text] * 50),
    ):
        timings: dict[str, list[float]] = {"lists": [], "lists+model": []}
        for text in texts:
            start = time.perf_counter()
            listed = screener.classify(text, "en")
            timings["lists"].append(time.perf_counter() - start)
            if not listed.urgent:
                await reader.read(text)
            timings["lists+model"].append(time.perf_counter() - start)
        p = {
            k: (statistics.median(v), statistics.quantiles(v, n=100)[98])
            for k, v in timings.items()
        }
        lines.append(
            f"screen, {label:12}: lists+model p50 {p['lists+model'][0] * 1e3:6.1f} ms "
            f"p99 {p['lists+model'][1] * 1e3:6.1f} ms   lists alone p50 "
            f"{p['lists'][0] * 1e3:6.2f} ms p99 {p['lists'][1] * 1e3:6.2f} ms   "
            f"ratio p50 {p['lists+model'][0] / p['lists'][0]:.0f}"
        )
    reader.close()
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3, help="messages each user types")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rates: dict[bool, list[float]] = {}
        for screening in (False, True, False, True):  # interleaved, to even out warm-up
            url = f"sqlite+aiosqlite:///{Path(tmp) / uuid.uuid4().hex}"
            count, seconds = await typed(screening, url, args.users, args.rounds)
            rates.setdefault(screening, []).append(count / seconds)
    base, screened = max(rates[False]), max(rates[True])
    print(
        f"typed messages (sqlite): without screening {base:6.0f} updates/s   with "
        f"{screened:6.0f} updates/s   screened/unscreened = {screened / base:.2f}"
    )
    screener = Screener.from_dir(ROOT / "referrals" / "phrases")
    micro(screener)
    found = await latency(screener, MeaningReader(MeaningModel.load(ROOT / "referrals" / "model")))
    print("\n".join(found))
    record(
        "screening",
        "python bench/screening.py " + " ".join(sys.argv[1:]),
        [
            f"typed messages (sqlite): screened/unscreened = {screened / base:.2f} "
            f"({screened:.0f} vs {base:.0f} updates/s)",
            *found,
        ],
    )


if __name__ == "__main__":
    asyncio.run(main())
