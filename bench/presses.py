"""A lesson step, end to end: Ura against a bare python-telegram-bot bot, side by side.

Both bots run as their own processes against one Bot API emulator served over HTTP from
this process, which also plays the learners. Each learner presses the first button of his
latest message (through lessons: Next, a quiz answer, "I'll try it", the next lesson) and a
press counts as answered when the bot edits or sends to his chat. Closed loop: each learner
presses again as soon as he is answered. Bursts: every learner presses at once, and the next
burst starts when all are answered. The bare bot (`bench/bare_bot.py`) answers each press
with the same two calls (answerCallbackQuery, editMessageText). CPU per press is the bot
process's user+system time over the timed part. Polling, or the webhook (the emulator POSTs
each update; with several Ura processes it spreads them as a load balancer would).

    .venv/bin/python bench/presses.py [--postgres] [--webhook] [--processes 1 2 4]
                                      [--learners 50] [--presses 40] [--baseline aiohttp]

The bare bot talks to the Bot API through PTB's default transport (httpx), as a bare bot
does; Ura through its own (aiohttp, `bot/transport.py`). `--baseline aiohttp` gives the bare
bot Ura's transport too, so the ratio compares everything but the transport.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.press_statements import statements  # noqa: E402
from bench.record import record  # noqa: E402
from bench.scratch import database  # noqa: E402
from fake_telegram import BotApiEmulator, close_http, serve_http  # noqa: E402
from tests.processes import environment, serving_environment  # noqa: E402

TOKEN = "123456:PRESSES"
SECRET = "bench-secret-0123456789"
TICK = os.sysconf("SC_CLK_TCK")
BARE_LABEL = {"httpx": "bare PTB  ", "aiohttp": "bare+aiohttp"}  # by its transport


class Watched(BotApiEmulator):
    """The emulator, telling the learners when their chat is answered."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, asyncio.Future[float]] = {}

    async def handle(self, method: str, params: Any) -> tuple[int, dict[str, Any]]:
        answer = await super().handle(method, params)
        if method in ("editMessageText", "sendMessage"):
            future = self.waiting.pop(int(params.get("chat_id", 0)), None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())
        return answer

    def expect(self, chat: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat] = future
        return future


@dataclass
class Run:
    """One bot's timed part: presses, wall seconds, latencies, CPU seconds."""

    presses: int
    seconds: float
    latencies: list[float]
    cpu: float
    startup: float

    def line(self, name: str) -> str:
        q = statistics.quantiles(self.latencies, n=100)
        return (
            f"{name:26} {self.presses / self.seconds:6.0f} presses/s   "
            f"p50 {q[49] * 1000:5.0f}  p95 {q[94] * 1000:5.0f}  p99 {q[98] * 1000:5.0f} ms   "
            f"CPU {self.cpu / self.presses * 1000:5.2f} ms/press   start-up {self.startup:.2f} s"
        )


def cpu_seconds(pids: list[int]) -> float:
    """User + system time of these processes so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


NOTHING = (0, "", None)


def latest(api: Watched, chat: int) -> tuple[int, str, Any]:
    """His latest message with buttons, as he sees it (NOTHING while there is none)."""
    shown = [m for m in api.bot_messages(chat) if m.buttons]
    return (shown[-1].message_id, shown[-1].text, shown[-1].buttons) if shown else NOTHING


async def press(api: Watched, chat: int, label: str | None = None) -> float:
    """Press a button of his latest message (the first, or the one labelled so); seconds
    until he is answered. Returns once the screen has changed, for the next press."""
    message = [m for m in api.bot_messages(chat) if m.buttons][-1]
    before = (message.message_id, message.text, message.buttons)
    answered = api.expect(chat)
    started = time.perf_counter()
    api.press(chat, message.message_id, message.find_button(label) if label else 1)
    latency = await asyncio.wait_for(answered, 30) - started
    deadline = time.perf_counter() + 30
    while latest(api, chat) in (before, NOTHING) and time.perf_counter() < deadline:
        await asyncio.sleep(0.002)
    return latency


async def closed_loop(api: Watched, chats: list[int], presses: int) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def learner(chat: int) -> None:
        for _ in range(presses):
            latencies.append(await press(api, chat))

    started = time.perf_counter()
    await asyncio.gather(*(learner(chat) for chat in chats))
    return time.perf_counter() - started, latencies


async def bursts(api: Watched, chats: list[int], presses: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(presses):
        latencies += await asyncio.gather(*(press(api, chat) for chat in chats))
    return time.perf_counter() - started, latencies


async def reach_lesson(api: Watched, chats: list[int], ura: bool) -> None:
    """/start, then (Ura) English → Fatherhood → lesson 1: each learner sees a Next button."""

    async def one(chat: int) -> None:
        answered = api.expect(chat)
        api.user_text(chat, "/start", language_code="en")
        await asyncio.wait_for(answered, 60)
        for label in ("English", "Fatherhood", "1.") if ura else ():
            await press(api, chat, label)

    await asyncio.gather(*(one(chat) for chat in chats))


async def ready(check: Callable[[], bool], procs: list[Any]) -> None:
    """Wait until `check` holds (the bot's first call), to the hundredth of a second: this
    is what start-up is timed by."""
    deadline = time.monotonic() + 60
    while not check():
        if any(p.returncode is not None for p in procs) or time.monotonic() > deadline:
            raise SystemExit("a bot process did not start")
        await asyncio.sleep(0.01)


async def one_bot(
    ura: bool, url: str, port: int, args: argparse.Namespace, processes: int, mode: str
) -> Run:
    """Start the bot's processes, bring the learners to a lesson, time the presses."""
    api = Watched()
    server, api_port = await serve_http(api)
    base = f"http://127.0.0.1:{api_port}/bot"
    hooks = [port + n for n in range(processes)]
    procs = []
    spawned = time.perf_counter()
    for hook in hooks:
        if ura:
            env = serving_environment(
                api_port,
                url,
                TELEGRAM_BOT_TOKEN=TOKEN,
                URA_POLL_TIMEOUT="10",
                URA_PSEUDONYM_KEY="bench",
                URA_MODE=mode,
                URA_WEBHOOK_URL="https://bench.invalid",
                URA_WEBHOOK_SECRET=SECRET,
                URA_WEBHOOK_PORT=str(hook),
            )
            command = [sys.executable, "-m", "bot", "run", "--no-migrate"]
        else:
            env = environment(BARE_TOKEN=TOKEN, BARE_API=base, BARE_TRANSPORT=args.baseline)
            if mode == "webhook":
                env["BARE_WEBHOOK_PORT"] = str(hook)
            command = [sys.executable, str(ROOT / "bench" / "bare_bot.py")]
        procs.append(
            await asyncio.create_subprocess_exec(
                *command,
                cwd=ROOT,
                env=env,
                stderr=None if os.environ.get("BENCH_DEBUG") else asyncio.subprocess.DEVNULL,
            )
        )
    try:
        if mode == "webhook":
            await ready(lambda: len(api.calls_to("setWebhook")) >= len(hooks), procs)
            api.balance([f"http://127.0.0.1:{hook}/telegram" for hook in hooks])
            api.webhook_secret = SECRET if ura else None
            startup = time.perf_counter() - spawned
        else:
            await ready(lambda: any(m == "getUpdates" for m, _ in api.calls), procs)
        startup = time.perf_counter() - spawned
        chats = list(range(1, args.learners + 1))
        await reach_lesson(api, chats, ura)
        await asyncio.sleep(0.5)
        pids = [p.pid for p in procs]
        cpu = cpu_seconds(pids)
        seconds, latencies = await (closed_loop if args.shape == "closed" else bursts)(
            api, chats, args.presses
        )
        return Run(len(latencies), seconds, latencies, cpu_seconds(pids) - cpu, startup)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            await proc.wait()
        await api.stop_webhook()
        await close_http(server)


async def deploy(url: str) -> None:
    """What a deployment's one-shot service does before the bot processes start: migrate and
    publish the lesson files (`ura lessons publish`), so start-up is a process's own."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "lessons", "publish",
        cwd=ROOT, env=environment(DATABASE_URL=url), stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    if await proc.wait():
        raise SystemExit("ura lessons publish failed")


async def compare(kind: str, mode: str, args: argparse.Namespace, processes: int) -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in ("closed", "burst"):
            args.shape = shape
            bare = await one_bot(False, "", 18100, args, 1, mode)
            label = f"{kind} {mode} x{processes} {shape}"
            try:
                async with database(kind, Path(tempfile.mkdtemp(dir=tmp))) as url:
                    await deploy(url)
                    ura = await one_bot(True, url, 18200, args, processes, mode)
            except TimeoutError:  # said, not hidden: the run goes on with the next shape
                lines.append(f"Ura {label}: a press went unanswered for 30 s; run stopped")
                print(lines[-1], flush=True)
                continue
            lines += [
                bare.line(f"{BARE_LABEL[args.baseline]} {mode} {shape}"),
                ura.line(f"Ura {label}"),
                f"{'':26} ratio {ura.presses / ura.seconds / (bare.presses / bare.seconds):.2f}",
            ]
            print("\n".join(lines[-3:]), flush=True)
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="Ura on Postgres, not SQLite")
    parser.add_argument("--webhook", action="store_true", help="the webhook, not polling")
    parser.add_argument("--processes", type=int, nargs="*", default=[1])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--statements", action="store_true", help="count SQL per press only")
    parser.add_argument(
        "--baseline",
        choices=("httpx", "aiohttp"),
        default="httpx",
        help="the bare bot's transport: PTB's default, or Ura's (like for like)",
    )
    args = parser.parse_args()
    if args.statements:
        lines = [
            await statements(kind, learners)
            for kind in ("sqlite", "postgres")
            for learners in (1, args.learners)
        ]
        print("\n".join(lines))
        record("press statements", "python bench/presses.py --statements", lines)
        return
    kind, mode = (
        ("postgres" if args.postgres else "sqlite"),
        ("webhook" if args.webhook else "polling"),
    )
    lines = []
    for processes in args.processes:
        lines += await compare(kind, mode, args, processes)
    record("presses", "python bench/presses.py " + " ".join(sys.argv[1:]), lines)


if __name__ == "__main__":
    asyncio.run(main())
