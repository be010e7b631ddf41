"""Staff roles through the real Application: configured admins, /staff, /myid, menus scoped
to each staff member's chat, the audit trail, `ura staff`, and forged commands and buttons."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from bot.staff.roles import MODERATOR, grant
from tests.dbcheck import query, scalar
from tests.harness import Harness
from tests.processes import ROOT, environment

ADMIN = 700001
MOD = 700002
LEARNER = 700003
STAFF_ONLY = {"staff", "lessons_admin", "directory_admin", "announce", "stats", "stats_csv"}


def menu(bot: Harness, user_id: int, lang: str = "en") -> set[str]:
    return {command for command, _ in bot.api.commands_for(user_id, lang)}


async def audit_rows(bot: Harness) -> list[tuple[int | None, str, str]]:
    sql = "SELECT actor, action, subject FROM audit_events ORDER BY id"
    return [tuple(row) for row in await query(bot.settings.database_url, sql)]


async def roles_table(bot: Harness) -> list[tuple[object, ...]]:
    sql = "SELECT user_id, role, granted_by FROM staff_roles ORDER BY user_id, role"
    return await query(bot.settings.database_url, sql)


async def ura(bot: Harness, *args: str) -> subprocess.CompletedProcess[str]:
    """`ura …` as an operator runs it, against the bot's database."""
    env = environment(DATABASE_URL=bot.settings.database_url)
    command = [sys.executable, "-m", "bot", *args]
    return await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


async def test_configured_admin_grants_a_moderator_who_then_sees_his_commands(
    bot: Harness,
) -> None:
    await bot.reconfigure(URA_ADMIN_IDS=str(ADMIN))
    await bot.restart()  # configuration grants once: a second start changes nothing
    assert await roles_table(bot) == [(ADMIN, "admin", None)]
    assert await audit_rows(bot) == [(None, "grant", f"admin to {ADMIN} (configuration)")]

    assert menu(bot, ADMIN) & STAFF_ONLY == set()  # he had never opened the chat at start
    for user in (ADMIN, MOD, LEARNER):
        await bot.say(user, "/start")
    assert "staff" in menu(bot, ADMIN)  # set at his first /start
    assert str(MOD) in (await bot.say(MOD, "/myid")).text
    assert menu(bot, MOD) & STAFF_ONLY == set()

    reply = await bot.say(ADMIN, f"/staff grant {MOD} moderator")
    assert reply.text == f"Done: {MOD} now has the role moderator."
    assert {"lessons_admin", "directory_admin", "announce", "lessons"} <= menu(bot, MOD)
    assert menu(bot, MOD) & {"staff", "stats"} == set()
    assert "lessons_admin" in menu(bot, MOD, "ru")  # every language of his own menu
    assert menu(bot, LEARNER) & STAFF_ONLY == set()
    assert (await audit_rows(bot))[-1] == (ADMIN, "grant", f"moderator to {MOD}")

    lessons = await bot.say(MOD, "/lessons")  # staff are learners too
    assert "Choose a topic" in lessons.text

    listing = await bot.say(ADMIN, "/staff")
    assert f"• {MOD}: moderator" in listing.text and f"• {ADMIN}: admin" in listing.text
    await bot.press(ADMIN, f"Revoke moderator from {MOD}")
    assert bot.api.callback_answers[-1].get("text") == "Role revoked."
    assert f"{MOD}: moderator" not in bot.api.last(ADMIN).text
    assert menu(bot, MOD) == menu(bot, LEARNER)
    assert (await audit_rows(bot))[-1] == (ADMIN, "revoke", f"moderator from {MOD}")
    assert await roles_table(bot) == [(ADMIN, "admin", None)]


async def test_bad_ids_and_roles_get_one_clear_line(bot: Harness) -> None:
    await bot.reconfigure(URA_ADMIN_IDS=str(ADMIN))
    bad_id = await bot.say(ADMIN, "/staff grant @someone moderator")
    assert bad_id.text.startswith("That is not a numeric Telegram id.")
    assert (await bot.say(ADMIN, f"/staff grant {MOD} wizard")).text.startswith("There is no")
    assert (await bot.say(ADMIN, "/staff promote")).text.startswith("Grant a role with")
    taken = await bot.say(ADMIN, f"/staff revoke {ADMIN} admin")
    assert "by configuration (URA_ADMIN_IDS)" in taken.text
    assert (await bot.say(ADMIN, f"/staff revoke {MOD} coordinator")).text == (
        f"{MOD} does not have the role coordinator."
    )
    assert await roles_table(bot) == [(ADMIN, "admin", None)]
    assert len(await audit_rows(bot)) == 1


async def test_a_learner_forging_staff_commands_and_buttons_changes_and_learns_nothing(
    bot: Harness,
) -> None:
    await bot.reconfigure(URA_ADMIN_IDS=str(ADMIN))
    async with bot.runtime.deps.uow() as uow:
        await grant(uow, user_id=MOD, role=MODERATOR, actor=ADMIN)
    await bot.say(LEARNER, "/start")
    unknown = (await bot.say(LEARNER, "/no_such_command")).text
    before = (await roles_table(bot), await audit_rows(bot))
    for forged in ("/staff", f"/staff grant {LEARNER} admin", f"/staff revoke {MOD} moderator"):
        assert (await bot.say(LEARNER, forged)).text == unknown
    message = bot.api.last(LEARNER).message_id
    bot.api.forge_press(LEARNER, message, "v1:S:no_tool:")
    await bot.pump()
    dead = bot.api.callback_answers[-1].get("text")
    for data in (f"v1:S:staff:revoke:moderator:{MOD}", f"v1:S:staff:revoke:admin:{ADMIN}"):
        bot.api.forge_press(LEARNER, message, data)
        await bot.pump()
        assert bot.api.callback_answers[-1].get("text") == dead
    assert (await roles_table(bot), await audit_rows(bot)) == before
    assert bot.api.last(LEARNER).text == unknown
    assert menu(bot, LEARNER) & STAFF_ONLY == set()


async def test_myid_writes_nothing(bot: Harness) -> None:
    await bot.say(LEARNER, "/start")
    url = bot.settings.database_url
    events = await scalar(url, "SELECT count(*) FROM events")
    reply = await bot.say(LEARNER, "/myid")
    assert str(LEARNER) in reply.text
    assert await scalar(url, "SELECT count(*) FROM events") == events
    assert await scalar(url, "SELECT count(*) FROM staff_roles") == 0


async def test_ura_staff_at_the_command_line(bot: Harness) -> None:
    await bot.say(LEARNER, "/start")
    granted = await ura(bot, "staff", "grant", str(LEARNER), "Coordinator")
    assert granted.returncode == 0, granted.stderr
    assert "granted coordinator to" in granted.stdout
    listed = await ura(bot, "staff", "list")
    assert f"{LEARNER}\tcoordinator" in listed.stdout
    await bot.restart()  # the menu follows at the next start (no token here)
    assert {"stats", "stats_csv", "cohorts"} <= menu(bot, LEARNER)

    for args, says in (
        (("grant", "@name", "admin"), "numeric Telegram id"),
        (("grant", "12", "boss"), "no such role"),
    ):
        bad = await ura(bot, "staff", *args)
        assert bad.returncode == 2 and says in bad.stderr
        assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1

    revoked = await ura(bot, "staff", "revoke", str(LEARNER), "coordinator")
    assert revoked.returncode == 0 and "revoked coordinator from" in revoked.stdout
    await bot.restart()
    assert menu(bot, LEARNER) & STAFF_ONLY == set()
    assert await audit_rows(bot) == [
        (None, "grant", f"coordinator to {LEARNER}"),
        (None, "revoke", f"coordinator from {LEARNER}"),
    ]
    trail = await ura(bot, "staff", "audit")
    assert trail.returncode == 0 and "cli/config\trevoke" in trail.stdout
