"""Every update delivered again, up to ten times: the database ends exactly as after one.

Telegram redelivers whatever the bot did not confirm. Two ways that happens:

* `kept`: the update was handled and recorded, but the offset never reached Telegram (the
  bot stopped before its next getUpdates); the replay finds it recorded;
* `lost`: the bot stopped after handling the update but before recording it, so the replay
  runs every handler again; the natural keys and event references must absorb it.

The domain tables (users, progress, quiz_answers, events; ids and timestamps aside) are
compared after each update's first delivery and after its replays.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import delete

from bot.db.engine import make_engine
from bot.db.models import ProcessedUpdate
from bot.help.directory import COUNTRIES
from bot.views.help import CATEGORY_LABELS
from tests.faults.conftest import SCALE, Survived
from tests.faults.support import CRISIS_TEXT, Learner, domain_state
from tests.harness import Harness

MAX_DELIVERIES = 10
FIRST_USER = 420_000
COUNTRY = "Kosovo"
assert "xk" in COUNTRIES


def script(learner: Learner) -> list[tuple[str, Callable[[Harness], Awaitable[int]]]]:
    """What one learner does: every kind of update the bot handles in a private chat."""
    user = learner.user_id

    def text(words: str) -> Callable[[Harness], Awaitable[int]]:
        async def send(bot: Harness) -> int:
            return bot.api.user_text(user, words)

        return send

    def press(label: str) -> Callable[[Harness], Awaitable[int]]:
        async def tap(bot: Harness) -> int:
            target = bot.last_with_buttons(user)
            return bot.api.press(user, target.message_id, target.find_button(label))

        return tap

    def lesson_press() -> Callable[[Harness], Awaitable[int]]:
        async def tap(bot: Harness) -> int:
            found = learner.next_press(bot.api)
            assert found is not None, f"learner {user} has nothing to press"
            message, index, data = found
            learner.pressed.append(data)
            return bot.api.press(user, message.message_id, index)

        return tap

    async def sticker(bot: Harness) -> int:
        return bot.api.user_sticker(user)

    async def edit(bot: Harness) -> int:
        mine = [u for u in bot.api.updates_by_id.values() if "message" in u]
        own = [u["message"] for u in mine if u["message"]["from"]["id"] == user]
        last_text = next(m for m in reversed(own) if m.get("text") == "hello")
        return bot.api.user_edit(user, last_text["message_id"], "hello again")

    async def kicked(bot: Harness) -> int:
        return bot.api.my_chat_member_kicked(user)

    steps: list[tuple[str, Callable[[Harness], Awaitable[int]]]] = [
        ("/start", text("/start")),
        ("English", press("English")),
        ("crisis text", text(CRISIS_TEXT)),
        ("country", press(COUNTRY)),
        ("/lessons", text("/lessons")),
    ]
    # His track, his lesson, every card, THINK!, the quiz, its feedback and ACT!
    presses = 2 + learner.cards + 4
    steps += [(f"lesson press {n + 1}", lesson_press()) for n in range(presses)]
    steps += [
        ("/progress", text("/progress")),
        ("/help", text("/help")),
        ("help category", press(CATEGORY_LABELS["mental_health"])),
        ("sticker", sticker),
        ("hello", text("hello")),
        ("edit", edit),
        ("/settings", text("/settings")),
        ("/language", text("/language")),
        ("English again", press("English")),
        ("blocked", kicked),
        ("/start again", text("/start")),
    ]
    return steps


async def forget(bot: Harness, update_id: int) -> None:
    """The crash window: handled, but its id never recorded."""
    async with bot.runtime.deps.uow() as uow:
        await uow.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
        )


@pytest.mark.parametrize("record", ["kept", "lost"])
async def test_every_update_replayed_up_to_ten_times_changes_nothing(
    bot: Harness, record: str, survived: Survived
) -> None:
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    engine = make_engine(bot.settings.database_url)
    learners = Learner.cohort(SCALE, FIRST_USER)
    replayed = 0
    delivered: list[int] = []
    try:
        for learner in learners:
            learner.started = True  # the script sends /start itself
            for what, act in script(learner):
                update_id = await act(bot)
                delivered.append(update_id)
                await bot.pump()
                once = await domain_state(engine)
                for _ in range(rng.randint(1, MAX_DELIVERIES - 1)):
                    if record == "lost":
                        await forget(bot, update_id)
                    bot.api.replay(update_id)
                    await bot.pump()
                    replayed += 1
                again = await domain_state(engine)
                assert again == once, diff(what, record, once, again)
        if record == "kept":  # and once more, everything, in any order
            before = await domain_state(engine)
            for update_id in rng.sample(delivered, len(delivered)):
                bot.api.replay(update_id)
                replayed += 1
            await bot.pump()
            assert await domain_state(engine) == before, diff("all", record, before, {})
    finally:
        await engine.dispose()
    assert bot.api.errors == []
    survived(updates=len(delivered), replays=replayed, record=record, seed=seed)


def diff(
    what: str,
    record: str,
    once: dict[str, list[tuple[Any, ...]]],
    again: dict[str, list[tuple[Any, ...]]],
) -> str:
    """Which rows a replay added or removed."""
    lines = [f"replaying {what!r} (record {record}) changed the database:"]
    for table in sorted(set(once) | set(again)):
        gone = [r for r in once.get(table, []) if r not in again.get(table, [])]
        new = [r for r in again.get(table, []) if r not in once.get(table, [])]
        lines += [f"  {table} - {row}" for row in gone] + [f"  {table} + {row}" for row in new]
    return "\n".join(lines)
