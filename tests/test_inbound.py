"""The durable handling of one update, and its error policy, through the real Application."""

from __future__ import annotations

from tests.dbcheck import rename_table, scalar
from tests.harness import Harness

USER = 6161


async def test_when_identifying_fails_he_gets_one_apology_and_nothing_else_runs(
    bot: Harness,
) -> None:
    await bot.say(USER, "/start")
    before = len(bot.api.bot_messages(USER))
    await rename_table(bot.settings.database_url, "users", "users_away")

    reply = await bot.say(USER, "/lessons")

    new = bot.api.bot_messages(USER)[before:]
    assert [m.text for m in new] == [reply.text], "exactly one message: the apology"
    assert "went wrong" in reply.text.lower()
    await rename_table(bot.settings.database_url, "users_away", "users")
    assert "lessons" in (await bot.say(USER, "/lessons")).text.lower()


async def test_a_redelivered_update_is_skipped_and_recorded_once(bot: Harness) -> None:
    await bot.say(USER, "/start")
    update_id = bot.api.user_text(USER, "/progress")
    handled = await bot.pump()
    messages = len(bot.api.bot_messages(USER))
    bot.api.replay(update_id)
    await bot.pump()
    assert handled == 1
    assert len(bot.api.bot_messages(USER)) == messages, "the replay sent nothing"
    assert (
        await scalar(
            bot.settings.database_url,
            "SELECT count(*) FROM processed_updates WHERE update_id = :u",
            u=update_id,
        )
        == 1
    )
