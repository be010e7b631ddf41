"""Cohort codes: a coordinator makes one in the bot (link and QR code), only such codes are
recorded when a learner arrives by a link, and `ura cohorts` does the same from the shell."""

from __future__ import annotations

import re
from pathlib import Path

from bot.staff.roles import COORDINATOR, grant
from tests.dbcheck import query, scalar
from tests.harness import Harness
from tests.test_staff_roles import ura

COORD = 810001
LEARNER = 810002
OTHER = 810003
PNG = b"\x89PNG\r\n\x1a\n"


async def test_a_coordinator_makes_a_code_and_only_such_codes_are_recorded(bot: Harness) -> None:
    await bot.say(COORD, "/start")
    async with bot.runtime.deps.uow() as uow:
        await grant(uow, user_id=COORD, role=COORDINATOR, actor=None)
    assert (await bot.say(COORD, "/cohorts")).text.startswith("No cohort codes yet.")

    bot.api.user_text(COORD, "/cohorts new Youth club Prishtina")
    await bot.pump()
    text, picture = bot.api.bot_messages(COORD)[-2:]
    username = bot.runtime.app.bot.username
    found = re.search(rf"https://t\.me/{username}\?start=([A-Za-z0-9_-]{{1,64}})", text.text)
    assert found, text.text
    code, link = found.group(1), found.group(0)
    assert code.startswith("youth-club-prishtina-")
    assert picture.photo is not None and picture.photo.startswith(PNG)
    assert link in (picture.caption or "")
    url = bot.settings.database_url
    assert await query(url, "SELECT code, name, created_by FROM cohorts") == [
        (code, "Youth club Prishtina", COORD)
    ]
    audited = await query(url, "SELECT actor, action, subject FROM audit_events")
    assert audited[-1] == (COORD, "cohort", code)
    assert f"• {code}: Youth club Prishtina" in (await bot.say(COORD, "/cohorts")).text

    await bot.say(LEARNER, f"/start {code}")
    await bot.say(OTHER, "/start youth-club-prishtina-zzzzzz")  # looks right, never made
    rows = await query(url, "SELECT id, cohort FROM users WHERE id IN (:a, :b)", a=LEARNER, b=OTHER)
    assert sorted(rows) == [(LEARNER, code), (OTHER, None)]


async def test_bad_names_and_learners_get_nothing(bot: Harness) -> None:
    await bot.say(LEARNER, "/start")
    unknown = (await bot.say(LEARNER, "/no_such_command")).text
    assert (await bot.say(LEARNER, "/cohorts new Sneaky")).text == unknown
    assert (await bot.say(LEARNER, "/cohorts")).text == unknown
    async with bot.runtime.deps.uow() as uow:
        await grant(uow, user_id=COORD, role=COORDINATOR, actor=None)
    assert (await bot.say(COORD, "/cohorts new")).text.startswith("Give the cohort a name")
    too_long = await bot.say(COORD, "/cohorts new " + "x" * 81)
    assert too_long.text.startswith("Give the cohort a name")
    assert await scalar(bot.settings.database_url, "SELECT count(*) FROM cohorts") == 0


async def test_ura_cohorts_at_the_command_line(bot: Harness, tmp_path: Path) -> None:
    qr = tmp_path / "poster.png"
    made = await ura(bot, "cohorts", "create", "School 7", "--bot", "ura_bot", "--qr", str(qr))
    assert made.returncode == 0, made.stderr
    code = made.stdout.splitlines()[0]
    assert code.startswith("school-7-")
    assert f"https://t.me/ura_bot?start={code}" in made.stdout
    assert qr.read_bytes().startswith(PNG)
    assert f"{code}\tSchool 7" in (await ura(bot, "cohorts", "list")).stdout
    await bot.say(LEARNER, f"/start {code}")
    cohort = await scalar(bot.settings.database_url, "SELECT cohort FROM users")
    assert cohort == code
