"""Messages Ura starts, through the real Application: the rhythm chosen in /settings, the
planner (his clock, quiet hours, daylight saving, planning twice), the dispatcher (Stop
these messages, a block, silence), check-ins the day after ACT!, nudges that back off and
stop after three, /pause, /stop and /start."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bot.db.models import Progress, User, utcnow
from bot.db.rhythm_models import Rhythm
from bot.delivery import rhythm as clock
from bot.delivery.planner import Planned, plan
from bot.delivery.sender import Sender
from tests import dbcheck
from tests.harness import Harness
from tests.test_announcements import compose
from tests.test_help import LESSONS, start

LEARNER = 9100
BELGRADE = ZoneInfo("Europe/Belgrade")


def evening() -> datetime:
    """18:30 in Belgrade on a Tuesday over a week ahead: his default hour has come, not quiet.

    The scenarios lie ahead of the wall clock, as real time does: every press stamps
    `last_seen_at` with the real time, and a fixed date would one day be "earlier than he was
    last seen" (CI went red at 23:05 UTC, already the next day in Belgrade). No clock change
    falls within the three weeks around it, so his hour is 18 on every day they step through.
    """
    day = datetime.now(UTC).date() + timedelta(days=8)
    while True:
        day += timedelta(days=(1 - day.weekday()) % 7)
        at = datetime.combine(day, time(18, 30), BELGRADE)
        if (at - timedelta(days=5)).utcoffset() == (at + timedelta(days=21)).utcoffset():
            return at.astimezone(UTC)
        day += timedelta(days=1)


def clocks_go_forward() -> date:
    """The next last Sunday of March (Berlin's clocks go forward) over two weeks ahead."""
    year = (datetime.now(UTC) + timedelta(days=14)).year
    while True:
        sunday = date(year, 3, 31) - timedelta(days=(date(year, 3, 31).weekday() + 1) % 7)
        if sunday > datetime.now(UTC).date() + timedelta(days=14):
            return sunday
        year += 1


EVENING = evening()


def test_rhythm_days_quiet_hours_and_daylight_saving() -> None:
    tuesday, monday = date(2026, 12, 8), date(2026, 12, 7)
    assert clock.due_on("daily", tuesday) and not clock.due_on("ask", tuesday)
    assert clock.due_on("weekly", monday) and not clock.due_on("weekly", tuesday)
    assert clock.due_on("3week", monday) and not clock.due_on("3week", tuesday)
    assert clock.quiet(23, 22, 8) and clock.quiet(7, 22, 8) and not clock.quiet(8, 22, 8)
    assert clock.quiet(10, 9, 17) and not clock.quiet(17, 9, 17) and not clock.quiet(3, 0, 0)
    # Berlin's clocks go forward on 28 March 2027: that day is 23 hours long.
    begins = clock.start_of_day("Europe/Berlin", date(2027, 3, 28))
    ends = clock.start_of_day("Europe/Berlin", date(2027, 3, 29))
    assert begins == datetime(2027, 3, 27, 23, tzinfo=UTC) and ends - begins == timedelta(hours=23)
    assert clock.default_zone("kg", "ru") == "Asia/Bishkek"
    assert clock.default_zone(None, "tg") == "Asia/Dushanbe"


async def learner(bot: Harness, user: int = LEARNER, rhythm: str = "Every day") -> None:
    """He starts, opens a lesson, and chooses a rhythm in /settings → Reminders."""
    await start(bot, user)
    track = LESSONS.tracks[0]
    await bot.say(user, "/lessons")
    await bot.press(user, track.texts["en"].title)
    await bot.press(user, track.lessons[0].source.title)
    await bot.say(user, "/settings")
    menu = await bot.press(user, "Reminders")
    assert "Only when I ask" in menu.text
    chosen = await bot.press(user, rhythm, message=menu)
    assert f"✓ {rhythm}" in chosen.labels()
    await seen(bot, user, EVENING - timedelta(days=1))


async def seen(bot: Harness, user: int, at: datetime) -> None:
    async with bot.runtime.deps.uow() as uow:
        await uow.session.execute(update(User).where(User.id == user).values(last_seen_at=at))


async def tick(bot: Harness, now: datetime) -> Planned:
    async with bot.runtime.deps.uow() as uow:
        return await plan(uow.session, now)


def dispatcher(bot: Harness, now: datetime) -> Sender:
    app = bot.runtime.app

    async def send(chat: int, reply: object, silent: bool) -> object:
        from bot.handlers.send import markup

        assert hasattr(reply, "text")
        return await app.bot.send_message(
            chat,
            reply.text,
            reply_markup=markup(reply),
            disable_notification=silent,  # type: ignore[arg-type]
        )

    return Sender(
        bot.runtime.deps.uow, send, compose(bot), rate=1000, idle_seconds=1, clock=lambda: now
    )


async def outbox(bot: Harness) -> list[tuple[object, ...]]:
    return await dbcheck.query(
        bot.settings.database_url,
        "SELECT user_id, kind, item_id, status FROM outbox ORDER BY id",
    )


async def test_a_lesson_offer_on_his_rhythm_once_a_day_and_stop_at_once(bot: Harness) -> None:
    await learner(bot)
    assert await tick(bot, EVENING - timedelta(hours=2)) == Planned()  # 16:30: before his hour
    assert await tick(bot, EVENING) == Planned(lessons=1)
    assert await tick(bot, EVENING + timedelta(minutes=5)) == Planned()  # planning twice
    assert await dispatcher(bot, EVENING).drain_once() == 1
    offer = bot.api.last(LEARNER)
    assert offer.text.startswith("Your next lesson is ready")  # no topic on the lock screen
    assert "Stop these messages" in offer.labels()
    sent = bot.api.calls_to("sendMessage")[-1]
    assert sent["disable_notification"] is False
    # The next day another offer is planned; he taps "Stop these messages" on the first.
    assert await tick(bot, EVENING + timedelta(days=1)) == Planned(lessons=1)
    done = await bot.press(LEARNER, "Stop these messages", message=offer)
    assert "won't write to you first" in done.text
    assert [row[3] for row in await outbox(bot)] == ["sent", "cancelled"]
    assert await tick(bot, EVENING + timedelta(days=2)) == Planned()
    # /start brings the messages back.
    await bot.say(LEARNER, "/start")
    await seen(bot, LEARNER, EVENING + timedelta(days=2))
    assert await tick(bot, EVENING + timedelta(days=3)) == Planned(lessons=1)


async def test_quiet_hours_and_only_when_i_ask_send_nothing(bot: Harness) -> None:
    await learner(bot)
    late = EVENING + timedelta(hours=5)  # 23:30 in Belgrade: quiet
    assert await tick(bot, late) == Planned()
    await learner(bot, LEARNER + 1, rhythm="Only when I ask")
    assert await tick(bot, EVENING) == Planned(lessons=1)  # only the first learner
    # A row that comes due in his quiet hours waits for their end, and is sent then.
    await tick(bot, EVENING + timedelta(days=1))
    assert await dispatcher(bot, late + timedelta(days=1)).drain_once() == 1  # one per chat
    waiting = await dbcheck.query(
        bot.settings.database_url, "SELECT status, available_at FROM outbox ORDER BY id"
    )
    assert {status for status, _ in waiting} == {"queued"}


async def test_the_day_never_repeats_or_skips_across_daylight_saving(bot: Harness) -> None:
    await learner(bot)
    async with bot.runtime.deps.uow() as uow:
        await uow.session.execute(
            update(Rhythm).where(Rhythm.user_id == LEARNER).values(timezone="Europe/Berlin")
        )
    sunday = clocks_go_forward()
    await seen(bot, LEARNER, datetime.combine(sunday - timedelta(days=8), time(), UTC))
    start_at = datetime.combine(sunday - timedelta(days=2), time(0, 5), UTC)
    for hour in range(24 * 5):  # a tick every hour from Friday to Tuesday, DST on Sunday
        now = start_at + timedelta(hours=hour)
        today = clock.local("Europe/Berlin", now).date()
        await seen(bot, LEARNER, clock.start_of_day("Europe/Berlin", today) - timedelta(hours=1))
        await tick(bot, now)
    days = await dbcheck.query(
        bot.settings.database_url, "SELECT day FROM outbox WHERE kind = 'lesson' ORDER BY day"
    )
    assert len(days) == 5 and len({d for (d,) in days}) == 5, days


async def test_a_check_in_the_day_after_act_and_a_kind_answer(bot: Harness) -> None:
    await learner(bot)
    track = LESSONS.tracks[0]
    lesson = track.lessons[0]
    await bot.say(LEARNER, "/lessons")
    await bot.press(LEARNER, track.texts["en"].title)
    screen = await bot.press(LEARNER, lesson.source.title)
    for _ in range(len(lesson.source.cards) + 1):  # the cards, then THINK!
        await bot.press(LEARNER, "Next")
    await bot.press(LEARNER, 2)  # a quiz option
    await bot.press(LEARNER, "Next")
    screen = await bot.press(LEARNER, "try it")
    act_at = await dbcheck.scalar(bot.settings.database_url, "SELECT act_at FROM progress")
    assert act_at is not None, screen.text
    async with bot.runtime.deps.uow() as uow:  # he reached it yesterday
        await uow.session.execute(update(Progress).values(act_at=EVENING - timedelta(days=1)))
    # and was last seen then too: the presses above stamped the wall clock, which near
    # midnight in Belgrade (or after EVENING) is already "today" and would hold back the lesson.
    await seen(bot, LEARNER, EVENING - timedelta(days=1))
    planned = await tick(bot, EVENING)
    assert planned.checkins == 1
    sender = dispatcher(bot, EVENING)
    assert await sender.drain_once() == 1  # one per chat a batch
    before = len(bot.api.bot_messages(LEARNER))
    assert await sender.drain_once() == 1  # claimed, but under a second after the first:
    assert len(bot.api.bot_messages(LEARNER)) == before  # it waits
    assert await dispatcher(bot, EVENING + timedelta(seconds=2)).drain_once() == 1
    messages = [m for m in bot.api.bot_messages(LEARNER) if "How did it go" in m.text]
    assert messages and not messages[-1].text.lower().startswith(lesson.source.title.lower())
    reply = await bot.press(LEARNER, "It went badly", message=messages[-1])
    assert "Talk to someone" in " ".join(reply.labels())


async def test_nudges_back_off_and_stop_after_three(bot: Harness) -> None:
    await learner(bot)
    away = EVENING - timedelta(days=4)
    await seen(bot, LEARNER, away)
    found = []
    for day in range(0, 20):
        now = away + timedelta(days=day)  # his hour, every day
        found.append((await tick(bot, now)).nudges)
        await dispatcher(bot, now).drain_once()
    nudges = [m.text for m in bot.api.bot_messages(LEARNER) if "lessons" in m.text.lower()]
    assert sum(found) == 3, found
    assert nudges[-1].startswith("I'll stop writing now")


async def test_a_block_cancels_what_waits_and_pause_holds_the_rest(bot: Harness) -> None:
    await learner(bot)
    await learner(bot, LEARNER + 1)
    bot.api.fail_next("sendMessage", 403, chat_id=LEARNER)
    await tick(bot, EVENING)
    assert await dispatcher(bot, EVENING).drain_once() == 2
    url = bot.settings.database_url
    assert (
        await dbcheck.scalar(url, "SELECT status FROM users WHERE id = :u", u=LEARNER) == "blocked"
    )
    await tick(bot, EVENING + timedelta(days=1))
    assert [r for r in await outbox(bot) if r[0] == LEARNER and r[3] == "queued"] == []
    # The other pauses for 7 days: his queued offer is cancelled, and none is planned.
    await bot.say(LEARNER + 1, "/pause")
    await bot.press(LEARNER + 1, "7 days")
    assert [r[3] for r in await outbox(bot) if r[0] == LEARNER + 1] == ["sent", "cancelled"]
    async with bot.runtime.deps.uow() as uow:  # he did it on the evening after, not today
        rhythm = await uow.session.get(Rhythm, LEARNER + 1)
        assert rhythm is not None and rhythm.paused_until is not None
        until = rhythm.paused_until
        until = until if until.tzinfo else until.replace(tzinfo=UTC)  # SQLite keeps it naive
        assert until - utcnow() > timedelta(days=6, hours=23)
        rhythm.paused_until = EVENING + timedelta(days=8)
    await seen(bot, LEARNER + 1, EVENING + timedelta(days=1))
    assert await tick(bot, EVENING + timedelta(days=2)) == Planned()
    # A "kicked" update blocks too; his return ("member") makes him reachable again.
    bot.api.my_chat_member_kicked(LEARNER + 1)
    await bot.pump()
    assert (
        await dbcheck.scalar(url, "SELECT status FROM users WHERE id = :u", u=LEARNER + 1)
        == "blocked"
    )


async def test_a_dispatcher_that_dies_mid_drain_is_replaced_after_its_lease(
    bot: Harness,
) -> None:
    from bot.delivery.sender import LEASE

    for offset in range(3):
        await learner(bot, LEARNER + offset)
    await tick(bot, EVENING)
    dead = dispatcher(bot, EVENING)
    claimed = await dead._claim()  # it claimed the rows, then died before sending any
    assert len(claimed) == 3
    assert await dispatcher(bot, EVENING + timedelta(seconds=30)).drain_once() == 0  # leased
    heir = dispatcher(bot, EVENING + LEASE + timedelta(seconds=1))
    assert await heir.drain_once() == 3
    assert {row[3] for row in await outbox(bot)} == {"sent"}
    for offset in range(3):  # each learner got his offer once
        offers = [m for m in bot.api.bot_messages(LEARNER + offset) if "next lesson" in m.text]
        assert len(offers) == 1


async def test_one_dispatcher_at_a_time_and_another_takes_over(bot: Harness) -> None:
    from bot.delivery.role import Role

    await bot.reconfigure(URA_SENDER_IDLE_SECONDS=3600)  # its loop claims, then rests
    running = bot.runtime.sender.role
    assert running is not None
    for _ in range(50):
        if running.held:
            break
        await asyncio.sleep(0.02)
    assert running.held  # the bot's own process is the dispatcher
    other, third = Role(bot.runtime.deps.engine), Role(bot.runtime.deps.engine)
    try:
        if bot.runtime.deps.engine.dialect.name == "sqlite":  # one process: always
            assert await other.claim()
            return
        assert not await other.claim()
        await running.release()  # the dispatcher's process dies: its connection closes
        assert await other.claim()
        assert await other.claim()  # kept while its connection lives
        assert not await third.claim()
    finally:
        await other.release()
        await third.release()


async def test_a_server_error_is_tried_again_later_then_given_up(bot: Harness) -> None:
    from bot.delivery.sender import MAX_ATTEMPTS

    await learner(bot)
    await tick(bot, EVENING)
    bot.api.fail_next("sendMessage", 502, chat_id=LEARNER, times=MAX_ATTEMPTS)
    now = EVENING
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await dispatcher(bot, now).drain_once() == 1
        [(status, attempts, _at)] = await dbcheck.query(
            bot.settings.database_url, "SELECT status, attempts, available_at FROM outbox"
        )
        assert attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert status == "queued"  # later, backing off
            assert await dispatcher(bot, now).drain_once() == 0  # not before its time
            now += timedelta(seconds=5 * 2**attempt + 1)
    assert status == "failed"
    assert not [m for m in bot.api.bot_messages(LEARNER) if "next lesson" in m.text]
