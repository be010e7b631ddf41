"""The `ura` command as a person runs it: scripted chat, checks, and serving over real HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.learning.loader import load_catalog
from fake_telegram import BotApiEmulator, close_http, serve_http
from tests.processes import ROOT, environment, spawn_bot, wait_for

URA = [sys.executable, "-m", "bot"]
FIRST = load_catalog(ROOT / "lessons").tracks[0].lessons[0]


def ura(
    *args: str, stdin: str = "", cwd: Path = ROOT, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*URA, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(**env),
        timeout=120,
        check=False,
    )


def test_chat_completes_a_lesson_and_remembers_it(tmp_path: Path) -> None:
    right = next(i for i, o in enumerate(FIRST.source.options, start=1) if o.correct)
    script = [
        "/start",
        "#1",  # English
        "#1",  # the first track
        "#1",  # its first lesson
        *["#1"] * len(FIRST.source.cards),  # Next through the cards, onto THINK!
        "I would like my son to remember that I listened.",  # a THINK! answer
        f"#{right}",
        "#1",  # the quiz, then Next to ACT!
        "#1",  # I'll try it
    ]
    data = tmp_path / "data"
    first = ura("chat", "--data-dir", str(data), stdin="\n".join(script) + "\n", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "[1] English" in first.stdout
    assert "THINK!" in first.stdout and "ACT!" in first.stdout
    assert f"You finished “{FIRST.source.title}”" in first.stdout

    second = ura("chat", "--data-dir", str(data), stdin="/progress\n", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    total = sum(len(track.lessons) for track in load_catalog(ROOT / "lessons").tracks)
    assert f"You have finished 1 of {total} lessons." in second.stdout
    assert (data / "ura.db").exists()


def test_chat_in_russian(tmp_path: Path) -> None:
    out = ura(
        "chat", "--lang", "ru", "--data-dir", str(tmp_path), stdin="/start\n#4\n", cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert "Привет" in out.stdout and "по-русски" in out.stdout


def test_run_without_token_explains_what_to_do(tmp_path: Path) -> None:
    out = ura("run", cwd=tmp_path)
    assert out.returncode == 2
    assert "@BotFather" in out.stderr and "ura chat" in out.stderr


def test_lessons_check_passes_and_fails_with_locations(tmp_path: Path) -> None:
    good = ura("lessons", "check")
    assert good.returncode == 0 and "All lesson files are valid." in good.stdout
    bad_root = tmp_path / "lessons" / "fatherhood"
    bad_root.mkdir(parents=True)
    for path in (ROOT / "lessons" / "fatherhood").glob("*.en.yaml"):
        (bad_root / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    target = sorted(bad_root.glob("01-*.en.yaml"))[0]
    target.write_text(target.read_text().replace("act:", "akt:"), encoding="utf-8")
    bad = ura("lessons", "check", "--dir", str(tmp_path / "lessons"))
    assert bad.returncode == 1
    assert f"{target}:" in bad.stderr and ": akt: " in bad.stderr and ": act: " in bad.stderr


def test_help_lists_every_command() -> None:
    out = ura("--help")
    for command in ("run", "db", "lessons", "chat"):
        assert command in out.stdout


async def test_make_run_serves_users_over_http(tmp_path: Path) -> None:
    api = BotApiEmulator()
    server, port = await serve_http(api)
    process = await spawn_bot(
        port,
        tmp_path / "ura.db",
        *("make", "--no-print-directory", "-s", "run"),
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # make and its child get SIGTERM together
    )
    try:
        api.user_text(77, "/start", language_code="en")
        await wait_for(lambda: bool(api.bot_messages(77)))
        greeting = api.last(77)
        assert "Ura" in greeting.text
        api.press(77, greeting.message_id, greeting.find_button("English"))
        await wait_for(lambda: len(api.bot_messages(77)) >= 2)
        assert "Choose a topic" in api.last(77).text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        await close_http(server)
    assert process.returncode in (0, -signal.SIGTERM, 2), stderr.decode()[-2000:]
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    assert api.errors == []
