"""The durable handling of one update, and its error policy, through the real Application."""

from __future__ import annotations

from typing import Any

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


async def test_a_batchs_presses_go_before_its_typed_messages_and_each_chat_keeps_order(
    bot: Harness,
) -> None:
    """Shortest first (bot.inbound.polling): B's press, fetched after A's typed message, is
    taken up before it; A's own press, behind his typed message, still waits for it."""
    from tests.test_help import LESSONS, start

    track = LESSONS.tracks[0]
    a, b = USER, USER + 1
    for user in (a, b):
        await start(bot, user)
        await bot.say(user, "/lessons")
        await bot.press(user, track.texts["en"].title)
        await bot.press(user, track.lessons[0].source.title)
    durable = bot.runtime.poller.durable
    handle, started = durable.handle, []

    async def watched(update: Any, **kwargs: Any) -> bool:
        started.append(update.update_id)  # the order handling begins in; the real handle runs
        return await handle(update, **kwargs)

    durable.handle = watched  # type: ignore[method-assign]
    a_card, b_card = bot.last_with_buttons(a), bot.last_with_buttons(b)
    typed = bot.api.user_text(
        a, "my phone screen is cracked and the bus was late", language_code="en"
    )
    b_press = bot.api.press(b, b_card.message_id, b_card.find_button("Next"))
    a_press = bot.api.press(a, a_card.message_id, a_card.find_button("Next"))
    await bot.pump()
    assert started == [b_press, typed, a_press]
    answers = [p.get("chat_id") for name, p in bot.api.calls if name == "editMessageText"]
    assert answers[-2:] == [b, a], "both presses moved their lessons on"


async def test_his_press_fetched_while_his_message_is_in_hand_waits_for_it(bot: Harness) -> None:
    """Fetching goes on while updates are handled (bot.inbound.polling); his own later
    press still runs after his message, never beside it."""
    import asyncio

    from tests.test_burst import long_message
    from tests.test_help import LESSONS, start

    track = LESSONS.tracks[0]
    await start(bot, USER)
    await bot.say(USER, "/lessons")
    await bot.press(USER, track.texts["en"].title)
    card = await bot.press(USER, track.lessons[0].source.title)
    durable = bot.runtime.poller.durable
    handle, spans = durable.handle, {}

    async def watched(update: Any, **kwargs: Any) -> bool:
        began = asyncio.get_running_loop().time()
        try:
            return await handle(update, **kwargs)
        finally:
            spans[update.update_id] = (began, asyncio.get_running_loop().time())

    durable.handle = watched  # type: ignore[method-assign]
    stop = asyncio.Event()
    polling = asyncio.create_task(bot.runtime.poller.run(stop))
    try:
        typed = bot.api.user_text(USER, long_message(1), language_code="en")
        while typed not in bot.runtime.poller._flight:
            await asyncio.sleep(0.001)
        pressed = bot.api.press(USER, card.message_id, card.find_button("Next"))
        while pressed not in spans:
            await asyncio.sleep(0.005)
    finally:
        stop.set()
        await polling
    assert spans[typed][1] <= spans[pressed][0], "his press began before his message was done"
    assert await bot.pump() == 0, "the offset moved past both: nothing came back"
