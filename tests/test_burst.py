"""A burst of very long messages never holds up someone else's button press, through the real
Application and the real meaning model: the poller handles different chats at once (each
chat in order), and the model reads in its worker thread, off the event loop."""

from __future__ import annotations

import random
import statistics
import time

import pytest

from tests.harness import Harness
from tests.test_help import LESSONS, start

# A bound on latency: measured with no other test worker on the machine's two cores.
pytestmark = pytest.mark.alone

PRESSERS = (8800, 8821, 8822)  # each in the first lesson: a few Next presses apiece
WRITERS = range(8801, 8821)  # 20 learners, each sending one 5,000-character message
WORDS = [
    "today",
    "I",
    "went",
    "to",
    "the",
    "market",
    "with",
    "my",
    "brother",
    "and",
    "we",
    "talked",
    "about",
    "football",
    "work",
    "the",
    "weather",
    "my",
    "cousin",
    "wedding",
    "next",
    "week",
    "the",
    "bus",
    "was",
    "late",
    "again",
    "my",
    "phone",
    "screen",
    "is",
    "cracked",
]
ALLOWED_DELAY = 0.050  # seconds a burst may add to a press
SAMPLES = 5  # presses timed with the burst, and as many without


def long_message(seed: int) -> str:
    rng = random.Random(seed)
    text = ""
    while len(text) < 5000:
        text += rng.choice(WORDS) + " "
    return text[:5000]


async def press_latency(bot: Harness, burst: bool, seed: int, presser: int) -> float:
    """Seconds from the start of handling until the bot answers the press in his chat, with
    (`burst`) the 20 long messages ahead of the press in the same batch."""
    if burst:
        for user in WRITERS:
            bot.api.user_text(user, long_message(seed * 100 + user), language_code="en")
    target = bot.last_with_buttons(presser)
    bot.api.press(presser, target.message_id, target.find_button("Next"))
    first = len(bot.api.calls)
    started = time.perf_counter()
    await bot.pump()
    answered = next(
        at
        for (name, params), at in zip(
            bot.api.calls[first:], bot.api.call_times[first:], strict=True
        )
        if params.get("chat_id") == presser and name != "sendChatAction"
    )
    return answered - started


async def test_a_burst_of_long_messages_does_not_delay_a_press(bot: Harness) -> None:
    assert bot.runtime.deps.help.reader is not None, "the meaning model must be on"
    for user in WRITERS:
        await start(bot, user)
    track = LESSONS.tracks[0]
    for presser in PRESSERS:
        await start(bot, presser)
        await bot.say(presser, "/lessons")
        await bot.press(presser, track.texts["en"].title)
        await bot.press(presser, track.lessons[0].source.title)
    cards = len(track.lessons[0].source.cards)
    each = -(-2 * SAMPLES // len(PRESSERS))  # presses per presser, rounded up
    assert cards >= each, "every press is a Next on a card of the lesson"
    # Medians of five: one pause of the machine (seen here: 240 ms) is not the bot.
    quiet = [
        await press_latency(bot, False, n, PRESSERS[n % len(PRESSERS)]) for n in range(SAMPLES)
    ]
    loud = [
        await press_latency(bot, True, n, PRESSERS[(SAMPLES + n) % len(PRESSERS)])
        for n in range(SAMPLES)
    ]
    delay = statistics.median(loud) - statistics.median(quiet)
    assert delay <= ALLOWED_DELAY, f"a burst delayed a press by {delay * 1000:.0f} ms"
    # The burst was really handled: every long message got its reply.
    for user in WRITERS:
        assert bot.api.bot_messages(user)[-1].text
