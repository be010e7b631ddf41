"""A burst of very long messages never holds up someone else's button press, through the real
Application and the real meaning model: a press fetched with the burst goes first, one sent
while the burst is being handled is fetched and handled beside it (bot.inbound.polling),
and the model reads in its worker thread, off the event loop."""

from __future__ import annotations

import asyncio
import functools
import random
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence

import pytest

from tests.harness import Harness
from tests.test_help import LESSONS, ROOT, start

# A bound on latency: measured with no other test worker on the machine's two cores.
pytestmark = pytest.mark.alone

PRESSERS = (8800, 8821, 8822)  # each in the first lesson: a few Next presses apiece
WRITERS = range(8801, 8821)  # 20 learners, each sending one 5,000-character message
# Everyday words of many kinds, as a long message has them (a few dozen words would let the
# lists look each one up once): the English lessons' own vocabulary.
WORDS = sorted(
    {
        word
        for path in (ROOT / "lessons").glob("*/*.en.yaml")
        for word in re.findall(r"[A-Za-z]+", path.read_text(encoding="utf-8"))
    }
)
ALLOWED_DELAY = 0.050  # seconds a burst may add to a press
SAMPLES = 5  # presses timed with the burst, and as many without


def long_message(seed: int) -> str:
    rng = random.Random(seed)
    text = ""
    while len(text) < 5000:
        text += " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))) + ". "
    return text[:5000]


async def ready(bot: Harness, pressers: Sequence[int] = PRESSERS, presses: int = 0) -> None:
    """The writers and the pressers in the first lesson, each with a card to press Next on
    `presses` times (by default, enough for `in_turns`)."""
    assert bot.runtime.deps.help.reader is not None, "the meaning model must be on"
    for user in WRITERS:
        await start(bot, user)
    track = LESSONS.tracks[0]
    for presser in pressers:
        await start(bot, presser)
        await bot.say(presser, "/lessons")
        await bot.press(presser, track.texts["en"].title)
        await bot.press(presser, track.lessons[0].source.title)
    each = presses or -(-(2 * SAMPLES + 1) // len(pressers))  # per presser, rounded up
    assert len(track.lessons[0].source.cards) >= each, "every press is a Next on a card"


def burst(bot: Harness, seed: int) -> None:
    for user in WRITERS:
        bot.api.user_text(user, long_message(seed * 100 + user), language_code="en")


def press(bot: Harness, presser: int) -> int:
    """He presses Next; the index of the first Bot API call after it."""
    target = bot.last_with_buttons(presser)
    bot.api.press(presser, target.message_id, target.find_button("Next"))
    return len(bot.api.calls)


def answered_at(bot: Harness, presser: int, first: int) -> float | None:
    """When the bot first answered in his chat after call `first`, if it has."""
    calls = zip(bot.api.calls[first:], bot.api.call_times[first:], strict=True)
    return next(
        (
            at
            for (name, params), at in calls
            if params.get("chat_id") == presser and name != "sendChatAction"
        ),
        None,
    )


async def in_turns(
    measure: Callable[[bool, int, int], Awaitable[float]],
    samples: int = SAMPLES,
    pressers: Sequence[int] = PRESSERS,
) -> tuple[list[float], list[float]]:
    """Press latencies without the burst and with it, `samples` of each, taken in turns
    (one pause of the machine, seen here at 240 ms, or a slower spell of it, is not read as
    the bot), after one untimed burst that loads the model."""
    await measure(True, samples, pressers[0])
    quiet: list[float] = []
    loud: list[float] = []
    for n in range(samples):
        quiet.append(await measure(False, n, pressers[(2 * n + 1) % len(pressers)]))
        loud.append(await measure(True, n, pressers[(2 * n + 2) % len(pressers)]))
    return quiet, loud


def added(quiet: list[float], loud: list[float]) -> float:
    """How much a burst adds to a press: the median with it less the median without."""
    return statistics.median(loud) - statistics.median(quiet)


async def mid_burst_press(bot: Harness, loud: bool, seed: int, presser: int) -> float:
    """Seconds from his press to the bot's first answer in his chat, the poller running
    (`Poller.run`); with `loud`, the press is sent once the burst is fetched and being
    screened. Returns when the burst is over, ready for the next one."""
    if loud:
        burst(bot, seed)
        await asyncio.sleep(0.1)
    first = press(bot, presser)
    sent = time.perf_counter()
    while (answered := answered_at(bot, presser, first)) is None:
        await asyncio.sleep(0.001)
    while bot.api.pending or bot.runtime.poller.busy:
        await asyncio.sleep(0.01)
    return answered - sent


async def test_a_press_fetched_with_a_burst_of_long_messages_is_not_delayed(
    bot: Harness,
) -> None:
    """The press comes in the same getUpdates batch as the 20 long messages, after them."""
    await ready(bot)

    async def measure(loud: bool, seed: int, presser: int) -> float:
        if loud:
            burst(bot, seed)
        first = press(bot, presser)
        started = time.perf_counter()
        await bot.pump()
        answered = answered_at(bot, presser, first)
        assert answered is not None, "the press was answered"
        return answered - started

    delay = added(*await in_turns(measure))
    assert delay <= ALLOWED_DELAY, f"a burst delayed a press by {delay * 1000:.0f} ms"
    for user in WRITERS:  # the burst was really handled: every long message got its reply
        assert bot.api.bot_messages(user)[-1].text


async def test_a_press_sent_while_a_burst_is_being_handled_is_not_delayed(
    bot: Harness,
) -> None:
    """The poller runs as in `ura run`; the press is sent once the burst is in hand."""
    await ready(bot)
    stop = asyncio.Event()
    polling = asyncio.create_task(bot.runtime.poller.run(stop))
    try:
        delay = added(*await in_turns(functools.partial(mid_burst_press, bot)))
    finally:
        stop.set()
        await polling
    assert delay <= ALLOWED_DELAY, f"a burst delayed a press by {delay * 1000:.0f} ms"
    for user in WRITERS:
        assert bot.api.bot_messages(user)[-1].text
