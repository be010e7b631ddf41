"""CPU per Bot API call: PTB's default transport (httpx) against Ura's (`bot.transport`,
aiohttp), through PTB's real `Bot`, in the same process and run.

The Bot API emulator is served over HTTP from a child process, so only the client's CPU is
counted. Each round makes the same calls (setMyDescription, a small JSON answer, like the
answer to a press) with 1, 4 and 50 calls in flight; rounds alternate between the two.

    .venv/bin/python bench/transport.py [--calls 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.request import BaseRequest, HTTPXRequest  # noqa: E402

from bench.record import record  # noqa: E402
from bot.transport import AiohttpRequest  # noqa: E402

SERVE = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from fake_telegram import BotApiEmulator, serve_http
async def main():
    server, port = await serve_http(BotApiEmulator())
    print(port, flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


async def cpu_per_call(request: BaseRequest, port: int, in_flight: int, calls: int) -> float:
    """Microseconds of this process's CPU per call, after a warm-up."""
    bot = Bot("123456:TRANSPORT", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await bot.initialize()
    gate = asyncio.Semaphore(in_flight)

    async def one() -> None:
        async with gate:
            await bot.set_my_description("A short description, as long as a toast.")

    await asyncio.gather(*(one() for _ in range(200)))
    began = time.process_time()
    await asyncio.gather(*(one() for _ in range(calls)))
    spent = time.process_time() - began
    await bot.shutdown()
    return spent / calls * 1e6


async def main(args: argparse.Namespace) -> list[str]:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(ROOT)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        lines = []
        for in_flight in (1, 4, 50):
            httpx_cpu: list[float] = []
            ours: list[float] = []
            for _ in range(args.rounds):
                httpx_cpu.append(await cpu_per_call(HTTPXRequest(256), port, in_flight, args.calls))
                ours.append(await cpu_per_call(AiohttpRequest(256), port, in_flight, args.calls))
            a, b = statistics.median(httpx_cpu), statistics.median(ours)
            lines.append(
                f"{in_flight:3} in flight: httpx {a:6.0f} µs   aiohttp {b:6.0f} µs CPU per call"
                f"   aiohttp/httpx = {b / a:.2f}"
            )
            print(lines[-1], flush=True)
        lines.append(f"(medians of {args.rounds} rounds of {args.calls} calls each)")
        return lines
    finally:
        server.kill()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    figures = asyncio.run(main(arguments))
    record("transport", "python bench/transport.py " + " ".join(sys.argv[1:]), figures)
