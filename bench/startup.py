"""Start-up: from starting `ura run` to its first `getUpdates`, against a bare PTB bot.

What a restart or a failover costs. The database is deployed first, as a deployment's
one-shot service does (migrated, lesson files published), so the time is the serving
process's own: imports, checking and compiling the referral files and phrase lists, the
meaning model, connecting, the command menus. The bare bot (`bench/bare_bot.py`) starts the
same way against the same emulator: the ratio says what Ura adds. `--app DIR` starts the
`ura run` of another checkout (an earlier commit, say) with this same harness.

    .venv/bin/python bench/startup.py [--runs 5] [--app DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.presses import TOKEN, deploy, ready  # noqa: E402
from bench.record import record  # noqa: E402
from fake_telegram import BotApiEmulator, close_http, serve_http  # noqa: E402
from tests.processes import environment, serving_environment  # noqa: E402


async def start_once(command: list[str], cwd: Path, env: Callable[[int], dict[str, str]]) -> float:
    """Seconds from spawning `command` to its first getUpdates; then it is stopped. `env`
    gives its environment for the emulator's port."""
    api = BotApiEmulator()
    server, port = await serve_http(api)
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *command, cwd=cwd, env=env(port), stderr=asyncio.subprocess.DEVNULL
    )
    try:
        await ready(lambda: any(method == "getUpdates" for method, _ in api.calls), [proc])
        return time.perf_counter() - started
    finally:
        proc.terminate()
        await proc.wait()
        await close_http(server)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--app", type=Path, default=ROOT, help="the checkout to start")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/ura.db"
        await deploy(url)

        def ura_env(port: int) -> dict[str, str]:
            return serving_environment(
                port, url, TELEGRAM_BOT_TOKEN=TOKEN, URA_PSEUDONYM_KEY="bench"
            )

        def bare_env(port: int) -> dict[str, str]:
            return environment(BARE_TOKEN=TOKEN, BARE_API=f"http://127.0.0.1:{port}/bot")

        ura_cmd = [sys.executable, "-m", "bot", "run", "--no-migrate"]
        bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_bot.py")]
        ura, bare = [], []
        for _ in range(args.runs):  # interleaved, so a slow moment costs both alike
            bare.append(await start_once(bare_cmd, ROOT, bare_env))
            ura.append(await start_once(ura_cmd, args.app.resolve(), ura_env))
    where = "" if args.app.resolve() == ROOT else f" ({args.app})"
    med_ura, med_bare = statistics.median(ura), statistics.median(bare)
    lines = [
        f"bare PTB    start-up median {med_bare:.2f} s  (min {min(bare):.2f}, max {max(bare):.2f})",
        f"Ura sqlite  start-up median {med_ura:.2f} s  (min {min(ura):.2f}, max {max(ura):.2f})"
        f"{where}",
        f"{'':12}Ura / bare {med_ura / med_bare:.1f}, {args.runs} runs each",
    ]
    print("\n".join(lines))
    record("start-up", "python bench/startup.py " + " ".join(sys.argv[1:]), lines)


if __name__ == "__main__":
    asyncio.run(main())
