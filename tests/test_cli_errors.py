"""Every `ura` failure an operator can meet ends in a few clear lines and an exit code,
never a traceback: bad lesson files, no network, a token Telegram rejects."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fake_telegram import BotApiEmulator, close_http, serve_http
from tests.processes import ROOT, environment

URA = [sys.executable, "-m", "bot"]


async def ura(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `ura` in its own process (off the event loop, which may be serving the fake)."""
    return await asyncio.to_thread(
        subprocess.run,
        [*URA, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment(URA_PSEUDONYM_KEY="test-key", **env),
        timeout=120,
        check=False,
    )


def assert_brief(out: subprocess.CompletedProcess[str], code: int, says: str) -> None:
    """A non-zero exit with this code, no traceback, and a few lines ending in `says`."""
    lines = out.stderr.strip().splitlines()
    assert out.returncode == code, out.stderr
    assert "Traceback" not in out.stderr, out.stderr
    assert 1 <= len(lines) <= 4, out.stderr
    assert says in lines[-1], out.stderr


@pytest.fixture
def broken_lessons(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the lessons with one YAML file cut off in the middle of a list."""
    root = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", root)
    target = sorted((root / "fatherhood").glob("01-*.en.yaml"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "title: [unclosed\n", encoding="utf-8")
    return root, target


async def test_i18n_coverage_on_a_bad_lesson_file(
    tmp_path: Path, broken_lessons: tuple[Path, Path]
) -> None:
    root, target = broken_lessons
    out = await ura(tmp_path, "i18n", "coverage", "--dir", str(root))
    assert_brief(out, 1, "1 problem(s) found")
    assert out.stderr.startswith(f"{target}:"), out.stderr


async def test_lessons_publish_on_a_bad_lesson_file(
    tmp_path: Path, broken_lessons: tuple[Path, Path]
) -> None:
    root, target = broken_lessons
    database = tmp_path / "ura.db"
    out = await ura(
        tmp_path,
        *("lessons", "publish", "--dir", str(root)),
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
    )
    assert_brief(out, 1, "1 problem(s) found")
    assert out.stderr.startswith(f"{target}:"), out.stderr
    assert not database.exists()  # the files are checked before the database is touched


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_run_without_network(tmp_path: Path) -> None:
    out = await ura(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN="123456:NO-NETWORK",
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/bot",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ura.db'}",
    )
    assert_brief(out, 4, "ura: cannot reach Telegram (NetworkError)")


async def test_run_with_a_token_telegram_rejects(tmp_path: Path) -> None:
    api = BotApiEmulator()
    api.reject_token("123456:REVOKED")
    server, port = await serve_http(api)
    try:
        out = await ura(
            tmp_path,
            "run",
            TELEGRAM_BOT_TOKEN="123456:REVOKED",
            TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ura.db'}",
        )
    finally:
        await close_http(server)
    assert_brief(out, 3, "ura: Telegram rejected TELEGRAM_BOT_TOKEN (InvalidToken)")
    assert "REVOKED" not in out.stderr
    assert api.errors == []


async def test_run_with_an_unreachable_database(tmp_path: Path) -> None:
    out = await ura(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN="123456:NO-DATABASE",
        DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/ura",
    )
    assert_brief(out, 5, "ura: cannot reach the database")


async def test_unexpected_errors_name_their_type_and_debug_shows_a_sanitized_traceback(
    tmp_path: Path,
) -> None:
    """An unknown revision is no foreseen failure: one line; with URA_DEBUG=1 the traceback
    comes first, without the messages (which quote the revision asked for)."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'ura.db'}"
    args = ("db", "downgrade", "SECRETMARKER")
    out = await ura(tmp_path, *args, DATABASE_URL=database)
    assert_brief(out, 1, "ura: unexpected error (CommandError); run with URA_DEBUG=1")
    debug = await ura(tmp_path, *args, DATABASE_URL=database, URA_DEBUG="1")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "alembic.util.exc.CommandError: …" in debug.stderr
    assert "SECRETMARKER" not in debug.stderr, debug.stderr


async def test_usage_errors_stay_typers(tmp_path: Path) -> None:
    out = await ura(tmp_path, "lessons", "no-such-command")
    assert out.returncode == 2
    assert "No such command" in out.stderr and "Traceback" not in out.stderr


async def test_webhook_mode_without_its_address_and_secret_says_so(tmp_path: Path) -> None:
    out = await ura(
        tmp_path, "run", "--webhook", TELEGRAM_BOT_TOKEN="1:x", URA_WEBHOOK_SECRET="short"
    )
    assert_brief(out, 2, "URA_WEBHOOK_SECRET (16 to 256 characters of A-Z, a-z, 0-9, _ and -)")
