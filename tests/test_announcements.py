"""Announcements: a moderator writes one per language, picks a segment, previews the reach
(privacy-rounded) and confirms; rows are queued, never sent from the handler; the simple
sender keeps to Telegram's pace, marks a blocked learner and never retries him. (All new
with the staff tools: each failed before.)"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from telegram import Bot

from bot.db.models import User, utcnow
from bot.db.rhythm_models import Rhythm
from bot.delivery.sender import Compose, Pace, Sender
from bot.staff.roles import MODERATOR, grant
from bot.views import menus, reminders
from bot.views.reply import Reply
from fake_telegram import EmulatorRequest
from tests import dbcheck
from tests.harness import TOKEN, Harness

MOD = 501
QUIET = {"URA_SENDER_IDLE_SECONDS": 3600}  # the process's own sender looks once, at start


async def start_learners(bot: Harness, ids: range | list[int], **values: Any) -> None:
    """Learners who started the bot, then given these columns (built, not driven)."""
    for user_id in ids:
        await bot.say(user_id, "/start")
    await no_quiet_hours(bot, list(ids))
    if values:
        async with bot.runtime.deps.uow() as uow:
            await uow.session.execute(update(User).where(User.id.in_(list(ids))).values(**values))


async def no_quiet_hours(bot: Harness, ids: list[int]) -> None:
    """Delivery at any hour the test runs (quiet hours are tested in tests/test_rhythm.py)."""
    async with bot.runtime.deps.uow() as uow:
        await uow.session.execute(
            update(Rhythm).where(Rhythm.user_id.in_(ids)).values(quiet_start=0, quiet_end=0)
        )


def compose(bot: Harness) -> Compose:
    """The messages as the running bot composes them."""
    catalogs = bot.runtime.deps.catalogs
    return lambda due: reminders.compose(due, catalogs.get(due.locale or "en"))


async def make_moderator(bot: Harness) -> None:
    await bot.say(MOD, "/start")
    await no_quiet_hours(bot, [MOD])
    async with bot.runtime.deps.uow() as uow:
        await grant(uow, user_id=MOD, role=MODERATOR, actor=None)


async def queued(bot: Harness) -> list[int]:
    rows = await dbcheck.query(
        bot.settings.database_url, "SELECT user_id FROM outbox ORDER BY user_id"
    )
    return [user_id for (user_id,) in rows]


async def test_an_announcement_is_queued_for_exactly_its_segment(bot: Harness) -> None:
    await bot.reconfigure(**QUIET)
    await make_moderator(bot)
    wanted = list(range(1001, 1013))  # 12 learners: Albanian, in Kosovo, seen lately
    await start_learners(bot, wanted, locale="sq", country="xk")
    await start_learners(bot, [2001], locale="sq", country="rs")  # another country
    await start_learners(bot, [2002], locale="ru", country="xk")  # another language
    await start_learners(bot, [2003], locale="sq", country="xk", status="blocked")
    await start_learners(
        bot, [2004], locale="sq", country="xk", last_seen_at=utcnow() - timedelta(days=45)
    )

    draft = await bot.say(MOD, "/announce sq Përshëndetje!\nMësimi i ri është gati.")
    assert "It would reach" in draft.text
    await bot.say(MOD, "/announce en Hello!\nA new lesson is ready.")
    await bot.say(MOD, "/announce en Hello! A new lesson is out.")  # replaces the English
    bad = await bot.say(MOD, "/announce_to lang=sq planet=mars")
    assert "planet=mars" in bad.text
    draft = await bot.say(MOD, "/announce_to lang=sq country=xk days=30")
    assert "about" not in draft.text and "reach 10 learners" in draft.text  # 12 → 10

    before = len(bot.api.bot_messages(MOD))
    await bot.say(MOD, "/announce_preview")
    shown = bot.api.bot_messages(MOD)[before:]
    # Each text exactly as a learner gets it (no buttons), then the reach and the choice.
    assert [m.text for m in shown[:2]] == [
        "Hello! A new lesson is out.",
        "Përshëndetje!\nMësimi i ri është gati.",
    ]
    assert not shown[0].buttons and not shown[1].buttons
    assert "about 10 learners" in shown[2].text
    assert await queued(bot) == []  # a preview queues nothing

    done = await bot.press(MOD, "Confirm and queue")
    assert "Queued for about 10 learners" in done.text
    assert await queued(bot) == wanted
    url = bot.settings.database_url
    assert await dbcheck.query(url, "SELECT status, audience FROM announcements") == [
        ("queued", 12)
    ]
    audit = await dbcheck.query(
        url, "SELECT actor, action FROM audit_events WHERE action = 'announce'"
    )
    assert audit == [(MOD, "announce")]
    # Nothing was sent from the handler.
    assert all("Hello" not in bot.api.last(user_id).text for user_id in wanted)

    # A learner who erases himself goes with his queued message.
    await bot.say(1001, "/delete")
    await bot.press(1001, 1)  # "Yes, erase everything", in Albanian
    assert await queued(bot) == wanted[1:]


async def test_a_track_and_a_cohort_segment(bot: Harness) -> None:
    await bot.reconfigure(**QUIET)
    await make_moderator(bot)
    await start_learners(bot, [3001, 3002], cohort="club-a")
    await start_learners(bot, [3003])
    # 3001 opens the first lesson of a track: the track segment reaches him only.
    await bot.say(3001, "/lessons")
    await bot.press(3001, 1)
    opened = await bot.press(3001, 1)
    assert opened.buttons
    track = await dbcheck.scalar(
        bot.settings.database_url,
        "SELECT t.key FROM progress p JOIN lessons l ON l.id = p.lesson_id "
        "JOIN tracks t ON t.id = l.track_id",
    )
    assert track is not None
    await bot.say(MOD, "/announce en Hi")
    reply = await bot.say(MOD, "/announce_to track=no-such-track")
    assert "no track" in reply.text
    await bot.say(MOD, f"/announce_to track={track} cohort=club-a")
    await bot.say(MOD, "/announce_preview")
    await bot.press(MOD, "Confirm and queue")
    assert await queued(bot) == [3001]


class Clock:
    """A clock the sender's pace runs on: sleeping moves it, instantly."""

    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_the_sender_keeps_the_pace_and_never_retries_a_blocked_learner(
    bot: Harness,
) -> None:
    await bot.reconfigure(**QUIET)
    await make_moderator(bot)
    learners = list(range(4001, 4031))  # 30
    await start_learners(bot, learners[:20], locale="en", country="kg")
    await start_learners(bot, learners[20:], locale="ky", country="kg")  # ky → ru → en
    await bot.say(MOD, "/announce en Hello from Ura")
    await bot.say(MOD, "/announce ru Привет от Ura")
    await bot.say(MOD, "/announce_to country=kg")
    await bot.say(MOD, "/announce_preview")
    await bot.press(MOD, "Confirm and queue")
    assert len(await queued(bot)) == 30

    blocked, limited = learners[3], learners[7]
    bot.api.fail_next("sendMessage", 403, chat_id=blocked)
    bot.api.fail_next("sendMessage", 429, chat_id=limited, retry_after=1)
    clock, sent_at = Clock(), list[float]()
    # A bot without the Application's flood-control retries, so the sender meets the 429.
    telegram = Bot(TOKEN, request=EmulatorRequest(bot.api))
    await telegram.initialize()

    async def send(chat_id: int, reply: Reply, silent: bool) -> object:
        sent_at.append(clock.time())
        return await telegram.send_message(chat_id, reply.text)

    deps = bot.runtime.deps
    pace = Pace(25, clock=clock.time, sleep=clock.sleep)
    sender = Sender(deps.uow, send, compose(bot), rate=25, idle_seconds=1, pace=pace)
    while await sender.drain_once():
        pass

    # At most 25 a second, in any second.
    assert len(sent_at) == 31  # 30 learners, one of them twice (after the 429)
    assert all(b - a >= 1.0 for a, b in zip(sent_at, sent_at[25:], strict=False))
    url = bot.settings.database_url
    statuses = dict(await dbcheck.query(url, "SELECT user_id, status FROM outbox"))
    assert statuses[blocked] == "blocked"
    assert {s for u, s in statuses.items() if u != blocked} == {"sent"}
    assert await dbcheck.scalar(url, "SELECT status FROM users WHERE id = :u", u=blocked) == (
        "blocked"
    )
    calls = [c for c in bot.api.calls_to("sendMessage") if c["chat_id"] == blocked]
    assert len(calls) == 2  # /start's welcome, and the one refused: never retried
    assert bot.api.last(limited).text == "Hello from Ura"
    assert bot.api.last(learners[25]).text == "Привет от Ura"
    assert await dbcheck.query(url, "SELECT status FROM announcements") == [("done",)]
    assert await sender.drain_once() == 0  # nothing is sent twice


async def test_confirming_twice_queues_once_and_a_learners_forged_confirm_does_nothing(
    bot: Harness,
) -> None:
    await bot.reconfigure(URA_SENDER_IDLE_SECONDS=0.05)
    await make_moderator(bot)
    await start_learners(bot, [5001, 5002])
    await bot.say(MOD, "/announce en Good news")
    await bot.say(MOD, "/announce_preview")
    prompt = bot.last_with_buttons(MOD)
    url = bot.settings.database_url
    item = await dbcheck.scalar(url, "SELECT id FROM announcements")

    before = await dbcheck.dump(url)
    bot.api.forge_press(5001, prompt.message_id, f"v1:S:ann:ok:{item}")
    await bot.pump()
    assert bot.api.callback_answers[-1].get("text") == menus.dead_button(
        bot.runtime.deps.catalogs.get("en")
    )
    after = await dbcheck.dump(url)
    assert after["outbox"] == before["outbox"] == []
    assert after["announcements"] == before["announcements"]

    await bot.press(MOD, "Confirm and queue")
    bot.api.forge_press(MOD, prompt.message_id, f"v1:S:ann:ok:{item}")  # a double tap
    await bot.pump()
    assert "already queued" in str(bot.api.callback_answers[-1].get("text"))
    assert len(await queued(bot)) == 3  # the two learners and the moderator, once each

    # The process's own sender delivers them, shortly.
    for _ in range(100):
        statuses = await dbcheck.query(url, "SELECT status FROM outbox")
        if statuses == [("sent",)] * 3:
            break
        await asyncio.sleep(0.05)
    assert statuses == [("sent",)] * 3
    assert bot.api.last(5001).text == bot.api.last(5002).text == "Good news"


async def test_two_senders_never_send_a_row_twice(bot: Harness) -> None:
    await bot.reconfigure(**QUIET)
    await make_moderator(bot)
    learners = list(range(6001, 6041))
    await start_learners(bot, learners, country="uz")
    await bot.say(MOD, "/announce en Twice? Never.")
    await bot.say(MOD, "/announce_to country=uz")
    await bot.say(MOD, "/announce_preview")
    await bot.press(MOD, "Confirm and queue")

    telegram = bot.runtime.app.bot

    async def send(chat_id: int, reply: Reply, silent: bool) -> object:
        return await telegram.send_message(chat_id, reply.text)

    deps = bot.runtime.deps
    senders = [Sender(deps.uow, send, compose(bot), rate=1000, idle_seconds=1) for _ in range(2)]
    while sum(await asyncio.gather(*(s.drain_once() for s in senders))):
        pass
    calls = [c["chat_id"] for c in bot.api.calls_to("sendMessage") if c["text"] == "Twice? Never."]
    assert sorted(calls) == [MOD, *learners]  # his preview, then each learner once
