"""Cohort codes, the pseudonym key ring and idempotent events, on SQLite and Postgres."""

from __future__ import annotations

import hashlib
import hmac
import logging
import stat
from pathlib import Path

import pytest

from bot.analytics import Analytics
from bot.db.staff_models import Cohort
from bot.pseudonyms import KEYS_FILE, KeyRing, PseudonymKeyRequired
from tests.dbcheck import dump, query, scalar
from tests.harness import Harness

USER = 5151
OTHER = USER + 1
CODE = "club-" + "x" * 59  # a created code of the longest length, 64
UNKNOWN = "Cohort_" + "y" * 33  # looks like a code (40 characters), but staff never made it


def pseudonym(key: str, user_id: int = USER) -> str:
    return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def on_postgres(bot: Harness) -> bool:
    return bot.settings.database_url.startswith("postgresql")


async def assert_refused_without_a_key(bot: Harness, data_dir: Path) -> None:
    """On Postgres (several processes) a generated key cannot be shared: start-up stops."""
    with pytest.raises(PseudonymKeyRequired) as refused:
        await bot.reconfigure(URA_PSEUDONYM_KEY="", URA_DATA_DIR=data_dir)
    message = str(refused.value)
    assert "URA_PSEUDONYM_KEY" in message and "secrets.token_hex(32)" in message
    assert "\n" not in message
    assert not (data_dir / KEYS_FILE).exists()


async def make_cohorts(bot: Harness, *codes: str) -> None:
    """Cohort codes as a coordinator's /cohorts would have made them."""
    async with bot.runtime.deps.uow() as uow:
        uow.session.add_all(Cohort(code=code, name=f"cohort {code}") for code in codes)


async def use_the_bot(bot: Harness, user_id: int = USER) -> None:
    """Start, pick English and open the first lesson: several events."""
    await bot.say(user_id, "/start")
    await bot.press(user_id, "English")
    await bot.press(user_id, "Fatherhood")
    await bot.press(user_id, 1)


async def test_start_payload_is_kept_only_when_it_is_a_created_code(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await make_cohorts(bot, "other-code", CODE)
    await bot.say(USER, "/start 0495551234")
    await bot.say(USER + 1, "/start Arben Krasniqi")
    await bot.say(USER + 2, f"/start {UNKNOWN}")
    tables = await dump(bot.settings.database_url)
    # the published lessons (and their versions) name people too (fictional ones)
    content = ("lessons", "tracks", "lesson_versions")
    everything = repr({k: v for k, v in tables.items() if k not in content}) + caplog.text
    for typed in ("0495551234", "Arben", "Krasniqi", UNKNOWN):
        assert typed not in everything
    url = bot.settings.database_url
    assert await scalar(url, "SELECT count(*) FROM users WHERE cohort IS NOT NULL") == 0
    assert await scalar(url, "SELECT count(*) FROM events WHERE name = 'cohort_joined'") == 0

    await bot.say(USER + 3, f"/start {CODE}")
    await bot.say(USER + 3, f"/start {CODE}")
    assert await query(url, "SELECT id, cohort FROM users WHERE cohort IS NOT NULL") == [
        (USER + 3, CODE)
    ]
    joined = await query(url, "SELECT value FROM events WHERE name = 'cohort_joined'")
    assert joined == [(CODE,)]


async def test_delete_after_a_key_rotation_leaves_nothing(bot: Harness) -> None:
    await use_the_bot(bot)
    await use_the_bot(bot, OTHER)
    await bot.reconfigure(
        URA_PSEUDONYM_KEY="rotated-key", URA_PSEUDONYM_OLD_KEYS="some-older-key,test-pseudonym-key"
    )
    await bot.say(USER, "/help")  # an event under the new key
    url = bot.settings.database_url
    mine = {pseudonym("test-pseudonym-key"), pseudonym("rotated-key")}
    stored = {row[0] for row in await query(url, "SELECT pseudonym FROM events")}
    assert mine <= stored, "events under both keys before /delete"

    await bot.say(USER, "/delete")
    await bot.press(USER, "Yes, erase")
    left = {row[0] for row in await query(url, "SELECT pseudonym FROM events")}
    assert left == {pseudonym("test-pseudonym-key", OTHER)}, "only the other person's remain"


async def test_delete_after_moving_from_a_generated_key_leaves_nothing(
    bot: Harness, tmp_path: Path
) -> None:
    if on_postgres(bot):
        await assert_refused_without_a_key(bot, tmp_path)
        return
    await bot.reconfigure(URA_PSEUDONYM_KEY="", URA_DATA_DIR=tmp_path)
    await use_the_bot(bot)
    await bot.reconfigure(URA_PSEUDONYM_KEY="chosen-later", URA_DATA_DIR=tmp_path)
    await bot.say(USER, "/help")
    url = bot.settings.database_url
    assert len({row[0] for row in await query(url, "SELECT pseudonym FROM events")}) == 2

    await bot.say(USER, "/delete")
    await bot.press(USER, "Yes, erase")
    assert await query(url, "SELECT pseudonym, name FROM events") == []


async def test_generated_key_is_private_kept_and_reused(
    bot: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if on_postgres(bot):
        await assert_refused_without_a_key(bot, tmp_path)
        return
    caplog.set_level(logging.WARNING)
    await bot.reconfigure(URA_PSEUDONYM_KEY="", URA_DATA_DIR=tmp_path)
    keys = tmp_path / KEYS_FILE
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    content = keys.read_text()
    key = content.strip()
    assert len(key) == 64 and int(key, 16) >= 0 and content == key + "\n"
    assert "URA_PSEUDONYM_KEY" in caplog.text, "a loud warning about the generated key"
    assert key not in caplog.text, "no key material in the log"

    await bot.say(USER, "/start")
    await bot.restart()
    await bot.press(USER, "English")
    assert keys.read_text() == content, "reused, not rewritten"
    rows = await query(bot.settings.database_url, "SELECT DISTINCT pseudonym FROM events")
    assert rows == [(pseudonym(key),)], "one pseudonym across restarts"


async def test_an_event_with_the_same_ref_is_stored_once(bot: Harness) -> None:
    analytics = Analytics(KeyRing(b"test-pseudonym-key"))
    async with bot.runtime.deps.uow() as uow:
        assert await analytics.record(uow, USER, "help_opened", ref="m7", value="command")
        assert not await analytics.record(uow, USER, "help_opened", ref="m7", value="command")
        assert await analytics.record(uow, USER, "help_opened", ref="m8", value="command")
        assert await analytics.record(uow, USER, "help_opened", value="command")
        assert await analytics.record(uow, USER, "help_opened", value="command")
    async with bot.runtime.deps.uow() as uow:  # a replay, in another transaction
        assert not await analytics.record(uow, USER, "help_opened", ref="m7", value="command")
    refs = await query(bot.settings.database_url, "SELECT ref FROM events ORDER BY id")
    assert refs == [("m7",), ("m8",), (None,), (None,)]


async def test_choosing_the_same_language_again_counts_once(bot: Harness) -> None:
    await bot.say(USER, "/start")
    for language in ("English", "Shqip", "English"):
        await bot.say(USER, "/language")
        await bot.press(USER, language)
    rows = await query(
        bot.settings.database_url, "SELECT locale FROM events WHERE name = 'locale_set'"
    )
    assert sorted(rows) == [("en",), ("sq",)]
