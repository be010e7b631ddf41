"""Coordinators see what helps: "Was this useful?", /stats, /stats_csv and `ura stats`, with
figures no one can be recognised in. Every test here failed before the stats work."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.db.models import Event
from bot.learning.loader import load_catalog
from bot.staff.privacy import HIDDEN, SMALL, cell, suppress, suppress_grid
from bot.staff.roles import COORDINATOR, grant
from bot.views import menus
from tests.dbcheck import query
from tests.harness import Harness
from tests.processes import environment

ROOT = Path(__file__).resolve().parent.parent
LESSONS = load_catalog(ROOT / "lessons")
TRACK = LESSONS.tracks[0]
FIRST = TRACK.lessons[0]
LEARNER, COORD = 5151, 7070


# -- the rule ------------------------------------------------------------------------------


def test_cell_hides_small_counts_and_rounds_the_rest() -> None:
    assert [cell(n) for n in (0, 1, 9)] == [SMALL] * 3
    assert [cell(n) for n in (10, 12, 13, 17, 18, 100, 1234)] == [10, 10, 15, 15, 20, 100, 1235]


def test_one_small_cell_in_a_row_hides_the_next_smallest_too() -> None:
    assert suppress([3, 50, 12]) == [SMALL, 50, HIDDEN]
    assert suppress([3, 4, 50]) == [SMALL, SMALL, 50]  # two withheld: neither can be derived
    assert suppress([30, 50]) == [30, 50]
    grid = suppress_grid([[3, 40, 50], [20, 30, 60], [25, 45, 70]])
    for row in grid:
        assert sum(not isinstance(c, int) for c in row) != 1
    for column in zip(*grid, strict=True):
        assert sum(not isinstance(c, int) for c in column) != 1


# -- the learner's one tap -----------------------------------------------------------------


async def finish_first_lesson(bot: Harness, user: int) -> Any:
    await bot.say(user, "/start")
    await bot.press(user, "English")
    await bot.press(user, TRACK.text_for("en").title)
    await bot.press(user, FIRST.text_for("en").title)
    for _ in range(len(FIRST.source.cards) + 1):  # the cards, then THINK!
        await bot.press(user, "Next")
    await bot.press(user, 2)  # the second quiz option
    await bot.press(user, "Next")
    return await bot.press(user, "try it")


async def test_feedback_is_asked_at_the_end_and_a_double_tap_counts_once(bot: Harness) -> None:
    done = await finish_first_lesson(bot, LEARNER)
    assert "Was this useful?" in done.text
    data = _data(done, "Useful")
    thanked = await bot.press(LEARNER, "Useful", message=done)
    assert "Thank you for telling us." in thanked.text
    assert not any("Useful" in label for label in thanked.labels())
    bot.api.forge_press(LEARNER, done.message_id, data)  # the same tap again
    await bot.pump()
    url = bot.settings.database_url
    rows = await query(url, "SELECT value, lesson_key FROM events WHERE name = 'lesson_feedback'")
    assert rows == [("useful", FIRST.key)]
    act = await query(url, "SELECT lesson_key FROM events WHERE name = 'act_reached'")
    assert act == [(FIRST.key,)]
    quiz = await query(url, "SELECT value FROM events WHERE name = 'quiz_answered'")
    assert quiz == [("1",)], "the chosen option's index, from 0"


def _data(message: Any, label: str) -> str:
    return next(data for row in message.buttons for text, data in row if label in text)


# -- coordinators ------------------------------------------------------------------------


async def seed(bot: Harness, learners: int = 40) -> None:
    """Events of `learners` people (direct inserts: the journey itself is tested above)."""
    now = datetime.now(UTC) - timedelta(days=1)
    rows: list[Event] = []
    for n in range(learners):
        who, where = f"p{n:04d}", {"track_key": TRACK.key, "lesson_key": FIRST.key}
        rows += [
            Event(pseudonym=who, name="started", ref="once", locale="en", created_at=now),
            Event(pseudonym=who, name="lesson_opened", locale="en", created_at=now, **where),
            Event(pseudonym=who, name="quiz_answered", value=str(n % 2), locale="en", **where),
        ]
        if n % 4:
            rows += [
                Event(pseudonym=who, name="act_reached", ref="a", locale="en", **where),
                Event(pseudonym=who, name="lesson_completed", locale="en", **where),
            ]
            answer = "not_really" if n % 4 == 1 else "useful"
            rows.append(
                Event(pseudonym=who, name="lesson_feedback", value=answer, locale="en", **where)
            )
        if n < 14:
            rows.append(Event(pseudonym=who, name="cohort_joined", ref="once", value="school-7"))
    async with bot.runtime.deps.uow() as uow:
        uow.session.add_all(rows)
        await grant(uow, user_id=COORD, role=COORDINATOR, actor=None)


def ura_stats_json(url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--format", "json"],
        capture_output=True,
        text=True,
        env=environment(DATABASE_URL=url, URA_PSEUDONYM_KEY="test-pseudonym-key"),
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


async def test_coordinator_gets_a_summary_and_charts_matching_ura_stats(bot: Harness) -> None:
    await seed(bot)
    await bot.say(COORD, "/stats")
    messages = bot.api.bot_messages(COORD)
    text = next(m for m in messages if "📊" in m.text)
    photos = [m for m in messages if m.photo is not None]
    assert photos and all(p.photo and p.photo.startswith(b"\x89PNG") for p in photos)
    titles = [p.caption for p in photos]
    assert "New and active learners per week" in titles and "Was this lesson useful?" in titles

    data = await asyncio.to_thread(ura_stats_json, bot.settings.database_url)
    funnel = [r for r in data["funnel"] if r["track"] == TRACK.key]
    started, completed = funnel[0]["learners"], funnel[-1]["learners"]
    assert (started, funnel[1]["learners"], completed) == (40, 30, "<10")
    assert f"{started} started, {completed} completed the track" in text.text
    assert data["by_cohort"] == [{"cohort": "school-7", "started": 15, "completed": 10}]
    assert data["quiz"][0]["option_1"] == 20 and data["quiz"][0]["option_3"] == "<10"
    feedback = data["feedback"][0]
    assert (feedback["useful"], feedback["not_really"]) == (20, 10)
    assert "(20 useful, 10 not really)" in text.text
    assert text.labels()[:3] == ["4 weeks", "12 weeks", "• All time"]

    # Another period: the summary is edited in place, and charts are sent again.
    count = len(photos)
    await bot.press(COORD, "4 weeks", message=text)
    picked = next(m for m in bot.api.bot_messages(COORD) if m.message_id == text.message_id)
    assert "4 weeks" in picked.text and picked.labels()[0] == "• 4 weeks"
    assert len([m for m in bot.api.bot_messages(COORD) if m.photo]) == 2 * count


async def test_stats_csv_files_parse_and_match(bot: Harness) -> None:
    await seed(bot)
    sent = await bot.say(COORD, "/stats_csv")
    assert sent.document is not None
    name, content = sent.document
    assert name.endswith(".zip")
    files = zipfile.ZipFile(io.BytesIO(content))
    data = await asyncio.to_thread(ura_stats_json, bot.settings.database_url)
    for table, rows in data.items():
        if not isinstance(rows, list):
            continue
        parsed = list(csv.DictReader(io.StringIO(files.read(f"{table}.csv").decode())))
        assert parsed == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


async def test_a_learner_sees_no_stats_and_a_forged_press_changes_nothing(bot: Harness) -> None:
    await seed(bot)
    await bot.say(LEARNER, "/start")
    before = len(bot.api.bot_messages(LEARNER))
    reply = await bot.say(LEARNER, "/stats")
    assert reply.text == menus.not_understood(bot.runtime.deps.catalogs.get("en")).text
    await bot.say(LEARNER, "/stats_csv")
    message = bot.api.bot_messages(LEARNER)[-1]
    bot.api.forge_press(LEARNER, message.message_id, "v1:S:stats:4w.all")
    await bot.pump()
    toast = bot.api.callback_answers[-1].get("text")
    assert toast == menus.dead_button(bot.runtime.deps.catalogs.get("en"))
    sent = bot.api.bot_messages(LEARNER)[before:]
    assert len(sent) == 2 and not any(m.photo or m.document for m in sent)
