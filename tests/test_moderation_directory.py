"""The referral directory from Telegram: a moderator uploads, previews, publishes; every
process serves the new set without a restart; hostile uploads get one line; stale entries
are listed with privacy-rounded counts. (All new with the staff tools: each failed before.)"""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db.staff_models import DirectoryPublication
from bot.deps import Content
from bot.staff.roles import MODERATOR, grant
from bot.views import menus
from tests import dbcheck
from tests.harness import ROOT, Harness

MOD, LEARNER = 501, 777
DIRECTORY = ROOT / "referrals" / "directory"
NEW_ENTRY = """
  - id: xk-test-talkline
    name: {en: Test Talk Line, sq: Linja Test për të folur, sr: Test linija za razgovor}
    about:
      en: A line to talk to someone about anything.
      sq: Një linjë për të folur me dikë për çdo gjë.
      sr: Linija za razgovor sa nekim o bilo čemu.
    categories: [support]
    phone: "+383 44 000 111"
    source: https://example.org/test-talk-line
    verified_on: 2026-12-01
"""


def xk(extra: str = "") -> str:
    return (DIRECTORY / "xk.yaml").read_text(encoding="utf-8") + extra


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


async def make_moderator(bot: Harness, user_id: int = MOD) -> None:
    await bot.say(user_id, "/start")
    async with bot.runtime.deps.uow() as uow:
        await grant(uow, user_id=user_id, role=MODERATOR, actor=None)


async def upload(bot: Harness, user_id: int, name: str, content: bytes) -> list[str]:
    """Send a document; the bot's new messages (texts)."""
    before = len(bot.api.bot_messages(user_id))
    bot.api.user_document(user_id, name, content)
    await bot.pump()
    return [m.text for m in bot.api.bot_messages(user_id)[before:]]


@pytest.fixture
async def second(bot: Harness, database_url: str, content: Content) -> AsyncIterator[Harness]:
    """Another process of the same bot (same Telegram, same database), looking for new
    publications at once."""
    other = Harness(
        database_url,
        lessons_dir=ROOT / "lessons",
        content=content,
        extra={"URA_DIRECTORY_CHECK_SECONDS": 0},
    )
    other.api = bot.api
    await other.start()
    try:
        yield other
    finally:
        await other.stop()


async def test_a_broken_file_gets_its_errors_and_nothing_is_kept(bot: Harness) -> None:
    await make_moderator(bot)
    broken = xk().replace('phone: "112"', "phone: 112", 1)
    texts = await upload(bot, MOD, "xk.yaml", broken.encode())
    assert len(texts) == 1
    assert "nothing was published" in texts[0]
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "phone: 112" in text)
    assert f"xk.yaml:{line}: services[0].phone: " in texts[0]
    assert "put the number in quotes" in texts[0]
    assert await dbcheck.scalar(bot.settings.database_url, "SELECT count(*) FROM uploads") == 0


async def test_a_learner_sending_a_directory_file_is_answered_as_for_any_file(
    bot: Harness,
) -> None:
    await bot.say(LEARNER, "/start")
    before = await dbcheck.dump(bot.settings.database_url)
    texts = await upload(bot, LEARNER, "xk.yaml", xk(NEW_ENTRY).encode())
    assert texts == [menus.not_text(bot.runtime.deps.catalogs.get("en")).text]
    after = await dbcheck.dump(bot.settings.database_url)
    assert {k: v for k, v in after.items() if k not in ("users", "processed_updates")} == {
        k: v for k, v in before.items() if k not in ("users", "processed_updates")
    }


async def test_a_good_file_is_previewed_published_and_served_by_a_second_process(
    bot: Harness, second: Harness
) -> None:
    await make_moderator(bot)
    texts = await upload(bot, MOD, "xk.yaml", xk(NEW_ENTRY).encode())
    assert len(texts) == 2 and "valid" in texts[0] and "xk.yaml" in texts[0]
    assert "112" in texts[1]  # the crisis answer a learner in Kosovo gets, first
    preview = await bot.press(MOD, "I just want to talk to someone")
    assert "Test Talk Line: +383 44 000 111" in preview.text

    # Not published yet: the other process still serves the shipped directory.
    await second.say(LEARNER, "/help")
    await second.press(LEARNER, "I just want to talk to someone")
    shown = await second.press(LEARNER, "Kosovo")
    assert "Test Talk Line" not in shown.text

    done = await bot.press(MOD, "Publish")
    assert "Published: xk.yaml" in done.text
    url = bot.settings.database_url
    assert await dbcheck.query(url, "SELECT status FROM uploads") == [("published",)]
    assert await dbcheck.query(url, "SELECT published_by FROM directory_publications") == [(MOD,)]
    audit = await dbcheck.query(
        url, "SELECT actor, action FROM audit_events WHERE action != 'grant'"
    )
    assert audit == [(MOD, "directory_publish")]

    # The running second process serves it without a restart, and so does this one.
    await second.say(LEARNER, "/help")
    shown = await second.press(LEARNER, "I just want to talk to someone")
    assert "Test Talk Line: +383 44 000 111" in shown.text
    assert any(
        s.name == "Test Talk Line"
        for s in bot.runtime.deps.help.offer_for("support", "xk").services
    )
    # Publishing twice does nothing more.
    upload_id = await dbcheck.scalar(url, "SELECT id FROM uploads")
    bot.api.forge_press(MOD, done.message_id, f"v1:S:dir:pub:{upload_id}")  # a double tap
    await bot.pump()
    assert "already published" in str(bot.api.callback_answers[-1].get("text"))
    assert await dbcheck.scalar(url, "SELECT count(*) FROM directory_publications") == 1


async def test_discard_keeps_the_directory(bot: Harness) -> None:
    await make_moderator(bot)
    await upload(bot, MOD, "directory.zip", zipped({"directory/xk.yaml": xk(NEW_ENTRY).encode()}))
    gone = await bot.press(MOD, "Discard")
    assert "Nothing was published" in gone.text
    url = bot.settings.database_url
    assert await dbcheck.query(url, "SELECT status FROM uploads") == [("discarded",)]
    assert await dbcheck.scalar(url, "SELECT count(*) FROM directory_publications") == 0


async def test_hostile_uploads_get_one_clear_line_and_nothing_is_published(bot: Harness) -> None:
    await make_moderator(bot)
    good = xk(NEW_ENTRY).encode()
    many = {f"directory/x{i:03}.txt": b"x" for i in range(300)}
    cases: list[tuple[str, bytes, str]] = [
        ("xk.yaml", b"# " + b"x" * 1_200_000, "too big"),
        ("directory.zip", zipped({"../xk.yaml": good}), "outside the directory folder"),
        ("directory.zip", zipped({"/etc/xk.yaml": good}), "outside the directory folder"),
        ("directory.zip", zipped({"directory/xk.yaml": good, "other/rs.yaml": good}), "outside"),
        ("directory.zip", zipped(many), "300 files"),
        ("directory.zip", zipped({"directory/xk.yaml": b" " * 50_000_000}), "unpacks to more"),
        ("directory.zip", b"PK\x03\x04 this is not a zip", "cannot be read"),
        ("directory.zip", zipped({"directory/README.md": b"hello"}), "no directory files"),
        ("xk.yaml", b"country: xk\nname: [unclosed\n", "xk.yaml:"),
        ("xk.yaml", "country: xk\nname: Ko\xe7ova\n".encode("latin-1"), "not UTF-8"),
    ]
    for name, content, expected in cases:
        texts = await upload(bot, MOD, name, content)
        assert len(texts) == 1, (expected, texts)
        assert expected in texts[0], (expected, texts)
        assert "Nothing was published" in texts[0] or "nothing was published" in texts[0]
    url = bot.settings.database_url
    assert await dbcheck.scalar(url, "SELECT count(*) FROM uploads") == 0
    assert await dbcheck.scalar(url, "SELECT count(*) FROM directory_publications") == 0


async def test_stale_entries_are_listed_with_rounded_counts_and_the_files_download(
    bot: Harness,
) -> None:
    await make_moderator(bot)
    old = xk().replace("verified_on: 2026-11-24", "verified_on: 2025-01-02")
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(DIRECTORY.glob("*.yaml"))}
    files["xk.yaml"] = old
    deps = bot.runtime.deps
    async with deps.uow() as uow:
        uow.session.add(DirectoryPublication(files=files, published_by=None))
        # 12 learners were shown help for a mental-health need in Kosovo (one of them twice),
        # 3 for a violence_perpetrator need: the lifeline reached 12, the SIT service 3.
        for user_id in range(1000, 1012):
            for ref in ("a", "b"):
                await deps.help.count(
                    uow,
                    "help_shown",
                    user_id=user_id,
                    category="mental_health",
                    locale="en",
                    country="xk",
                    ref=f"{user_id}{ref}",
                )
        for user_id in range(2000, 2003):
            await deps.help.count(
                uow,
                "help_shown",
                user_id=user_id,
                category="violence_perpetrator",
                locale="en",
                country="xk",
                ref="x",
            )
        await deps.help.count(  # another country's learner is not counted
            uow,
            "help_shown",
            user_id=3000,
            category="mental_health",
            locale="en",
            country="rs",
            ref="x",
        )
    reply = await bot.say(MOD, "/directory_admin")
    assert "8 entries need re-verifying" in reply.text  # Kosovo's 6 and 2 shipped ones
    assert "xk-lifeline (" in reply.text
    line = next(line for line in reply.text.splitlines() if "xk-lifeline" in line)
    assert line.endswith("shown to 10 learners"), line  # 12, rounded to the nearest 5
    line = next(line for line in reply.text.splitlines() if "xk-sit-counselling-men" in line)
    assert line.endswith("shown to <10 learners"), line
    line = next(line for line in reply.text.splitlines() if "xk-victim-advocates" in line)
    assert line.endswith("shown to <10 learners"), line  # nobody: not told apart from a few

    sent = await bot.press(MOD, "Download the files")
    assert sent.document is not None and sent.document[0] == "directory.zip"
    with zipfile.ZipFile(io.BytesIO(sent.document[1])) as archive:
        assert archive.read("directory/xk.yaml").decode() == old
        assert len(archive.namelist()) == len(files)


async def test_a_learners_forged_directory_buttons_change_nothing(bot: Harness) -> None:
    await make_moderator(bot)
    await upload(bot, MOD, "xk.yaml", xk(NEW_ENTRY).encode())
    await bot.say(LEARNER, "/start")
    before = await dbcheck.dump(bot.settings.database_url)
    dead = menus.dead_button(bot.runtime.deps.catalogs.get("en"))
    for data in ("v1:S:dir:pub:1", "v1:S:dir:del:1", "v1:S:dir:dl", "v1:S:dir:pv:1:xk:support"):
        count = len(bot.api.bot_messages(LEARNER))
        bot.api.forge_press(LEARNER, 1, data)
        await bot.pump()
        assert bot.api.callback_answers[-1].get("text") == dead
        assert len(bot.api.bot_messages(LEARNER)) == count
    after = await dbcheck.dump(bot.settings.database_url)
    moving = ("users", "processed_updates")  # last seen, updates handled
    assert {k: v for k, v in after.items() if k not in moving} == {
        k: v for k, v in before.items() if k not in moving
    }


def test_shipped_files_load_from_memory_as_from_the_folder(tmp_path: Path) -> None:
    from bot.help.directory import directory_files, load_directory, load_directory_files

    files = directory_files(DIRECTORY)
    assert load_directory_files(files) == load_directory(DIRECTORY)
