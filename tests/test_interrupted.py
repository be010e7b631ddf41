"""The database fails in the middle of a handler (after he was identified): the press is not
lost. He gets one apology, the update stays unconfirmed, and once the database is back the
same press takes effect, once."""

from __future__ import annotations

import pytest

from tests.dbcheck import query, rename_table
from tests.harness import Harness
from tests.test_help import LESSONS, start

USER = 7900


async def test_a_press_interrupted_by_the_database_takes_effect_when_it_returns(
    bot: Harness,
) -> None:
    await start(bot, USER)
    track = LESSONS.tracks[0]
    await bot.say(USER, "/lessons")
    await bot.press(USER, track.texts["en"].title)
    card = await bot.press(USER, track.lessons[0].source.title)
    url = bot.settings.database_url
    if url.startswith("postgresql"):
        pytest.skip(
            "on Postgres a missing table is a bug, not an outage (tests/faults covers a stopped server)"
        )
    [(step,)] = await query(url, "SELECT step FROM progress")
    await rename_table(url, "progress", "progress_away")  # his lesson's table is gone
    bot.api.press(USER, card.message_id, card.find_button("Next"))
    assert await bot.runtime.poller.poll_once(timeout=0) == 0  # not confirmed: tried again
    assert "went wrong" in bot.api.last(USER).text
    assert await bot.runtime.poller.poll_once(timeout=0) == 0  # still down: no second apology
    assert sum("went wrong" in m.text for m in bot.api.bot_messages(USER)) == 1
    await rename_table(url, "progress_away", "progress")
    await bot.pump()
    assert await query(url, "SELECT step FROM progress") == [(step + 1,)]  # once
    assert not bot.api.pending
