"""The moderator's path from lessons/README.md, step by step, as commands a person types."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.processes import ROOT
from tests.test_cli import ura


def test_translate_a_lesson_check_it_see_it_publish_it(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", lessons)
    env = {"URA_LESSONS_DIR": str(lessons)}

    # 1. Copy the English file under the new language code.
    source = lessons / "mental-health" / "01-strong.en.yaml"
    copy = lessons / "mental-health" / "01-strong.uz.yaml"
    shutil.copy(source, copy)
    # 2. Translate (here: the title only) and mark it as a draft.
    text = copy.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", text, re.M)
    assert title is not None
    text = text.replace("status: reviewed", "status: draft")
    text = text.replace(f"title: {title[1]}", "title: Kuchli yigitlar gaplashadi")
    copy.write_text(text, encoding="utf-8")

    # 3. Check: a structural slip is named with file, line and field ...
    lines = text.splitlines()  # drop the last quiz option
    last_option = max(i for i, line in enumerate(lines) if line.startswith("    - text:"))
    end = next(
        (i for i in range(last_option + 1, len(lines)) if not lines[i].startswith("      ")),
        len(lines),
    )
    copy.write_text("\n".join(lines[:last_option] + lines[end:]) + "\n", encoding="utf-8")
    checked = ura("lessons", "check", **env)
    assert checked.returncode == 1
    assert re.search(
        r"01-strong\.uz\.yaml:\d+: quiz\.options: differs from the English", checked.stderr
    )

    # ... and once fixed, the check passes and lists the new language.
    copy.write_text(text, encoding="utf-8")
    checked = ura("lessons", "check", **env)
    assert checked.returncode == 0, checked.stderr
    assert re.search(r"mental-health: 6 lessons, languages: .*uz", checked.stdout)

    # 4. See it without Telegram: an Uzbek speaker gets the Uzbek lesson, no fallback note.
    script = "/start\n#7\n#2\n#1\n"  # Oʻzbekcha, the second track, its first lesson
    chat = ura("chat", "--data-dir", str(tmp_path / "data"), stdin=script, cwd=tmp_path, **env)
    assert chat.returncode == 0, chat.stderr
    assert "📘 Kuchli yigitlar gaplashadi" in chat.stdout

    # 5. Publish into the configured database. `ura chat` already published these files
    # at start-up, so the same files change nothing; an edit becomes the next version.
    database = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'ura.db'}"
    published = ura("lessons", "publish", DATABASE_URL=database, **env)
    assert published.returncode == 0, published.stderr
    assert "already published (version 1)" in published.stdout
    copy.write_text(text.replace("Kuchli yigitlar gaplashadi", "Kuchli yigitlar"), "utf-8")
    published = ura("lessons", "publish", DATABASE_URL=database, **env)
    assert published.returncode == 0, published.stderr
    assert "published version 2: added 0, updated 1" in published.stdout
