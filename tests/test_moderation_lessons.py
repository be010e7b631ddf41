"""Moderators publish lessons in Telegram: upload → check → preview → publish, versions that
learners part-way through keep, hostile uploads, /lessons_admin, and forged presses."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from bot.learning.loader import load_catalog
from bot.staff.roles import MODERATOR, grant
from tests.dbcheck import query, scalar
from tests.harness import Harness

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "fatherhood" / "01-leave.en.yaml"
RU = ROOT / "lessons" / "fatherhood" / "01-leave.ru.yaml"
FIRST = load_catalog(ROOT / "lessons").lesson("dad-leave")
MOD, LEARNER = 7001, 7002
NEW_CARD = "A brand-new first card: the week he stayed home, told again."


async def make_moderator(bot: Harness, user_id: int = MOD) -> None:
    await bot.say(user_id, "/start")
    async with bot.runtime.deps.uow() as uow:
        await grant(uow, user_id=user_id, role=MODERATOR, actor=None)


def edited(path: Path, new_first_card: str) -> str:
    """The file with its first card replaced."""
    assert FIRST is not None
    text = path.read_text(encoding="utf-8")
    old = FIRST.texts[path.name.split(".")[1]].cards[0]
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("  - "))
    assert old[:20] in text
    end = next(j for j in range(index + 1, len(lines)) if lines[j].startswith(("  - ", "think")))
    return "\n".join([*lines[:index], f'  - "{new_first_card}"', *lines[end:]]) + "\n"


def zipped(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


async def upload(bot: Harness, name: str, content: bytes, user_id: int = MOD) -> str:
    bot.api.user_document(user_id, name, content)
    await bot.pump()
    return bot.api.last(user_id).text


async def test_a_broken_file_gets_its_errors(bot: Harness) -> None:
    await make_moderator(bot)
    broken = LESSON.read_text(encoding="utf-8").replace("think:", "thinkk:")
    reply = await upload(bot, "01-leave.en.yaml", broken.encode())
    assert "problem" in reply
    assert "fatherhood/01-leave.en.yaml:" in reply and "thinkk" in reply
    assert await scalar(bot.settings.database_url, "SELECT count(*) FROM uploads") == 0


async def test_upload_preview_in_two_languages_publish_and_the_old_version_finishes(
    bot: Harness, database_url: str
) -> None:
    assert FIRST is not None
    # A learner is part-way through the lesson (on its second card) before the publish.
    await bot.say(LEARNER, "/start")
    await bot.press(LEARNER, "English")
    await bot.press(LEARNER, "Fatherhood")
    await bot.press(LEARNER, 1)
    await bot.press(LEARNER, "Next")

    await make_moderator(bot)
    files = {
        "fatherhood/01-leave.en.yaml": edited(LESSON, NEW_CARD),
        "fatherhood/01-leave.ru.yaml": edited(RU, "Новая первая карточка."),
    }
    reply = await upload(bot, "fatherhood.zip", zipped(dict(files)))
    assert "The files are valid" in reply, reply
    checked = bot.api.last(MOD)
    assert {"English", "Русский", "Publish", "Discard"} <= set(checked.labels())

    await bot.press(MOD, "English")
    texts = [m.text for m in bot.api.bot_messages(MOD)]
    assert any(NEW_CARD in t for t in texts)
    assert any("THINK!" in t for t in texts) and any("ACT!" in t for t in texts)
    await bot.press(MOD, "Русский")
    assert any("Новая первая карточка." in m.text for m in bot.api.bot_messages(MOD))

    done = await bot.press(MOD, "Publish")
    assert "version 2" in done.text
    rows = await query(
        database_url,
        "SELECT version, created_by FROM lesson_versions "
        "WHERE lesson_key = 'dad-leave' ORDER BY version",
    )
    assert rows == [(1, None), (2, MOD)]
    again = (
        bot.api.press(MOD, done.message_id, done.find_button("Publish")) if done.buttons else None
    )
    assert again is None  # the decision replaced the buttons
    sources = await query(database_url, "SELECT source FROM publications ORDER BY id")
    assert sources[-1] == ("upload",)

    # The learner finishes the version he started: its cards and quiz, not the new ones.
    card = await bot.press(LEARNER, "Next")
    assert FIRST.source.cards[2][:30] in card.text
    while "Quiz" not in card.text:
        card = await bot.press(LEARNER, "Next")
    assert FIRST.source.options[0].text in card.labels()

    # A second process on the same database serves the new version to a new start.
    other = Harness(database_url, lessons_dir=ROOT / "lessons")
    other.api = bot.api  # one Telegram, two processes (update ids must not repeat)
    await other.start()
    try:
        await other.say(LEARNER + 1, "/start")
        await other.press(LEARNER + 1, "English")
        await other.press(LEARNER + 1, "Fatherhood")
        first = await other.press(LEARNER + 1, 1)
        assert NEW_CARD in first.text
    finally:
        await other.stop()


async def test_a_second_publish_press_and_discard_change_nothing(bot: Harness) -> None:
    await make_moderator(bot)
    await upload(bot, "01-leave.en.yaml", edited(LESSON, NEW_CARD).encode())
    picker = bot.api.last(MOD)
    publish = next(d for row in picker.buttons for label, d in row if label == "Publish")
    await bot.press(MOD, "Discard", message=picker)
    url = bot.settings.database_url
    assert await scalar(url, "SELECT status FROM uploads") == "discarded"
    bot.api.forge_press(MOD, picker.message_id, publish)
    await bot.pump()
    assert "already decided" in bot.api.callback_answers[-1].get("text", "")
    assert await scalar(url, "SELECT count(*) FROM lesson_versions WHERE version = 2") == 0


async def test_a_learners_forged_publish_changes_nothing(bot: Harness) -> None:
    await make_moderator(bot)
    await upload(bot, "01-leave.en.yaml", edited(LESSON, NEW_CARD).encode())
    data = next(d for row in bot.api.last(MOD).buttons for label, d in row if label == "Discard")
    data = data.replace(":d:", ":p:")
    menu = await bot.say(LEARNER, "/start")
    bot.api.forge_press(LEARNER, menu.message_id, data)
    await bot.pump()
    assert "doesn't work" in bot.api.callback_answers[-1].get("text", "")
    url = bot.settings.database_url
    assert await scalar(url, "SELECT status FROM uploads") == "pending"
    assert await scalar(url, "SELECT count(*) FROM lesson_versions WHERE version = 2") == 0
    learner_file = await upload(bot, "01-leave.en.yaml", b"id: x", user_id=LEARNER)
    assert "only read text" in learner_file
    admin = await bot.say(LEARNER, "/lessons_admin")
    assert "didn't quite get that" in admin.text


async def test_hostile_uploads_each_get_one_line(bot: Harness) -> None:
    await make_moderator(bot)
    bomb = zipped({"fatherhood/01-leave.en.yaml": b"a" * 6_000_000})
    many = zipped({f"fatherhood/{i:02d}-x.en.yaml": b"id: x" for i in range(201)})
    cases = {
        ("evil.zip", zipped({"../escape.en.yaml": b"x"})): "outside",
        ("evil.zip", zipped({"/etc/track.en.yaml": b"x"})): "outside",
        ("two.zip", zipped({"a/track.en.yaml": b"x", "b/track.en.yaml": b"x"})): "more than one",
        ("many.zip", many): "the limit is 200",
        ("bomb.zip", bomb): "unpacks to more than",
        ("notes.txt", b"hello"): "not a YAML",
        ("01-leave.en.yaml", "title: é".encode("latin-1")): "not UTF-8",
        ("broken.zip", b"PK\x03\x04 not really"): "cannot be read",
        ("big.yaml", b"#" * 1_000_001): "too big",
    }
    for (name, data), expected in cases.items():
        reply = await upload(bot, name, data)
        assert expected in reply and "\n" not in reply, (name, reply)
    assert await scalar(bot.settings.database_url, "SELECT count(*) FROM uploads") == 0
    assert await scalar(bot.settings.database_url, "SELECT count(*) FROM publications") == 1


async def test_lessons_admin_unpublish_republish_review_download(bot: Harness) -> None:
    await make_moderator(bot)
    admin = await bot.say(MOD, "/lessons_admin")
    assert "dad-leave v1" in admin.text and "published" in admin.text
    await bot.press(MOD, "Fatherhood")
    card = await bot.press(MOD, FIRST.source.title)
    assert "Version 1" in card.text
    card = await bot.press(MOD, "Unpublish")
    assert "unpublished" in card.text
    await bot.say(LEARNER, "/start")
    await bot.press(LEARNER, "English")
    track = await bot.press(LEARNER, "Fatherhood")
    assert not any(FIRST.source.title in label for label in track.labels())  # type: ignore[union-attr]
    card = await bot.press(MOD, "Republish", message=card)
    assert "unpublished" not in card.text
    track = await bot.say(LEARNER, "/lessons")
    track = await bot.press(LEARNER, "Fatherhood")
    assert any(FIRST.source.title in label for label in track.labels())  # type: ignore[union-attr]

    card = await bot.press(MOD, "Mark Oʻzbekcha reviewed", message=card)
    url = bot.settings.database_url
    assert await query(url, "SELECT locale, reviewed_by FROM lesson_reviews") == [("uz", MOD)]
    actions = {row[0] for row in await query(url, "SELECT action FROM audit_events")}
    assert {"unpublish", "republish", "review"} <= actions

    await bot.press(MOD, "Back", message=card)
    sent = await bot.press(MOD, "Download")
    assert sent.document is not None and sent.document[0] == "fatherhood.zip"
    names = zipfile.ZipFile(io.BytesIO(sent.document[1])).namelist()
    assert "fatherhood/01-dad-leave.en.yaml" in names and "fatherhood/track.ru.yaml" in names


async def test_a_new_lesson_in_one_language_is_offered_in_that_language_only(
    bot: Harness,
) -> None:
    await make_moderator(bot)
    text = RU.read_text(encoding="utf-8").replace("id: dad-leave", "id: only-ru")
    text = text.replace("order: 1", "order: 7")
    await upload(bot, "07-only-ru.ru.yaml", text.encode())
    await bot.press(MOD, "Publish")
    title = next(line for line in text.splitlines() if line.startswith("title:"))[7:]
    for lang, locale_button, seen in (("sq", "Shqip", False), ("ky", "Кыргызча", True)):
        user, tr = LEARNER + (1 if lang == "sq" else 2), bot.runtime.deps.catalogs.get(lang)
        await bot.say(user, "/start", lang=lang)
        await bot.press(user, locale_button)
        await bot.say(user, "/lessons", lang=lang)
        track = await bot.press(user, 1)
        # Offered along his fallback chain (ky → ru), named in his own words, never in a
        # second script; not offered at all to an Albanian speaker (sq → en).
        label = tr.gettext(
            "Lesson {number}, not translated yet ({where})",
            number=7,
            where=tr.gettext("in Russian"),
        )
        assert (label in track.labels()) is seen, track.labels()
        assert not any(title.strip() in shown for shown in track.labels())


async def test_a_review_in_the_bot_counts_in_i18n_coverage(bot: Harness) -> None:
    from bot.i18n.completeness import measure
    from bot.staff.moderation import review, reviewed_now

    catalog = load_catalog(ROOT / "lessons")
    draft = next(
        (lesson.key, loc)
        for track in catalog.tracks
        for lesson in track.lessons
        for loc, text in lesson.texts.items()
        if text.status == "draft"
    )
    before = measure(catalog, bot.settings.locale_dir).locales[draft[1]].lessons_reviewed
    async with bot.runtime.deps.uow() as uow:
        published = await bot.runtime.deps.player.store.fresh(uow)
        assert await review(uow, published, key=draft[0], locale=draft[1], by=MOD) is not None
    async with bot.runtime.deps.uow() as uow:
        marked = frozenset(await reviewed_now(uow))
    after = measure(catalog, bot.settings.locale_dir, marked).locales[draft[1]].lessons_reviewed
    assert after > before
