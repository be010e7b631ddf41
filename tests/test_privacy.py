"""Privacy by default: pseudonymous events, nothing typed or naming the user is stored."""

from __future__ import annotations

import hashlib
import hmac

from bot.db.staff_models import Cohort
from tests.dbcheck import dump, query
from tests.harness import Harness

USER = 31337


async def test_events_carry_a_keyed_pseudonym_only(bot: Harness) -> None:
    async with bot.runtime.deps.uow() as uow:  # as /cohorts would have made it
        uow.session.add(Cohort(code="cohort_a", name="Cohort A"))
    await bot.say(USER, "/start cohort_a")
    await bot.press(USER, "English")
    url = bot.settings.database_url
    events = await query(url, "SELECT pseudonym, name FROM events ORDER BY id")
    assert [name for _, name in events] == ["started", "cohort_joined", "locale_set"]
    expected = hmac.new(b"test-pseudonym-key", str(USER).encode(), hashlib.sha256).hexdigest()
    assert {pseudonym for pseudonym, _ in events} == {expected}
    tables = await dump(url)
    assert str(USER) not in repr(tables["events"])


async def test_no_typed_text_or_profile_is_stored(bot: Harness) -> None:
    bot.api.user_text(USER, "/start", language_code="en")
    for text in ["hello there marker-one", "I feel marker-two", "марker-три"]:
        bot.api.user_text(USER, text)
    await bot.pump()
    everything = repr(await dump(bot.settings.database_url))
    for secret in ["marker-one", "marker-two", "марker-три", "Test"]:
        assert secret not in everything


async def test_delete_erases_the_person_and_only_him(bot: Harness) -> None:
    other = USER + 1
    for user in (USER, other):
        await bot.say(user, "/start")
        await bot.press(user, "English")
        await bot.press(user, "Fatherhood")
        await bot.press(user, 1)  # open the first lesson
        await bot.press(user, "Next")
    confirm = await bot.say(USER, "/delete")
    assert "cannot be undone" in confirm.text
    done = await bot.press(USER, "Yes, erase")
    assert "erased" in done.text
    tables = await dump(bot.settings.database_url)
    for table in ("users", "progress", "events"):
        assert tables[table], f"{table}: the other user's rows must stay"
        assert str(USER) not in repr(tables[table])
    mine = hmac.new(b"test-pseudonym-key", str(USER).encode(), hashlib.sha256).hexdigest()
    assert mine not in repr(tables["events"])
    assert [row[0] for row in tables["users"]] == [other]


async def test_delete_can_be_cancelled(bot: Harness) -> None:
    await bot.say(USER, "/start")
    await bot.say(USER, "/delete")
    await bot.press(USER, "No, keep it")
    assert await query(bot.settings.database_url, "SELECT id FROM users") == [(USER,)]
