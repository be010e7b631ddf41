"""What a moderator sees of lessons: upload errors, the preview, the outcome, the admin."""

from __future__ import annotations

from bot.i18n.catalogs import Translator
from bot.i18n.locales import LANGUAGE_NAMES
from bot.learning.model import Lesson
from bot.learning.steps import Screen, Stage, stage_of, step_of
from bot.staff import uploads
from bot.staff.moderation import NO_TRACK, LessonInfo, Outcome
from bot.views import uploads as upload_view
from bot.views.callbacks import Staff, encode
from bot.views.lesson import lesson_screen
from bot.views.reply import TELEGRAM_TEXT_LIMIT, Button, Reply, rows

TOOL = "lessons"
# The tool's actions, the first part of its button argument.
PICK, PUBLISH, DISCARD, NOOP = "v", "p", "d", "x"
TRACK, LESSON, UNPUB, REPUB, ZIP, REVIEW = "t", "l", "u", "r", "z", "rv"


def _button(label: str, action: str, *args: object) -> Button:
    return Button(label, encode(Staff(TOOL, ":".join((action, *map(str, args))))))


def _fit(text: str) -> str:
    return text if len(text) <= TELEGRAM_TEXT_LIMIT else text[: TELEGRAM_TEXT_LIMIT - 1] + "…"


def refused(exc: uploads.UploadRejected, tr: Translator) -> Reply:
    """A hostile or unusable upload: one clear line; nothing was kept or published."""
    v = exc.values
    own: upload_view.Lines = {
        uploads.UNSAFE_PATH: lambda: tr.gettext(
            "The zip holds {path}, which is outside its track folder. Nothing was published.",
            path=v.get("path"),
        ),
        uploads.SEVERAL_TRACKS: lambda: tr.gettext(
            "The zip holds more than one track ({tracks}); send one track at a time. "
            "Nothing was published.",
            tracks=v.get("tracks"),
        ),
        uploads.NOT_YAML: lambda: tr.gettext(
            "{path} is not a YAML lesson file. Nothing was published.", path=v.get("path")
        ),
        uploads.EMPTY: lambda: tr.gettext("The zip holds no lesson files. Nothing was published."),
        NO_TRACK: lambda: tr.gettext(
            "{path} does not say which track it belongs to. Nothing was published.",
            path=v.get("path"),
        ),
    }
    fallback = tr.gettext(
        "Send a lesson file named like 01-slug.en.yaml or track.en.yaml, or a zip of one "
        "track folder. Nothing was published."
    )
    return upload_view.refused(exc, tr, own, fallback)


def errors(found: tuple[str, ...], tr: Translator) -> Reply:
    """The upload's problems, each as file:line: field: message; nothing was kept."""
    head = tr.ngettext(
        "I found {n} problem in this upload. Fix it and send the file again; nothing was "
        "published.",
        "I found {n} problems in this upload. Fix them and send the files again; nothing was "
        "published.",
        len(found),
    )
    return Reply(_fit(head + "\n\n" + "\n".join(found)))


def _decision_buttons(upload_id: int, locales: tuple[str, ...], tr: Translator) -> list[Button]:
    buttons = [_button(LANGUAGE_NAMES.get(loc, loc), PICK, upload_id, loc) for loc in locales]
    buttons.append(_button(tr.gettext("Publish"), PUBLISH, upload_id))
    buttons.append(_button(tr.gettext("Discard"), DISCARD, upload_id))
    return buttons


def checked(
    upload_id: int, lessons: tuple[Lesson, ...], locales: tuple[str, ...], tr: Translator
) -> Reply:
    """A valid upload: what it holds, a language to preview it in, Publish and Discard."""
    titles = "\n".join(f"• {lesson.source.title}" for lesson in lessons)
    text = tr.gettext(
        "The files are valid. Pick a language to preview them as learners will see them, "
        "then publish or discard."
    )
    return Reply(
        _fit(f"{text}\n\n{titles}".strip()), rows(_decision_buttons(upload_id, locales, tr), 2)
    )


def preview(lesson: Lesson, locale: str, tr: Translator) -> list[Reply]:
    """Every step of a lesson exactly as the learner's view renders it, buttons inert."""
    count = lesson.card_count
    steps: list[tuple[int, int | None]] = [
        (step, None) for step in range(step_of(Stage.QUIZ, count) + 1)
    ]
    steps += [(step_of(Stage.FEEDBACK, count), i) for i in range(len(lesson.source.options))]
    steps.append((step_of(Stage.ACT, count), None))
    out = []
    for step, chosen in steps:
        screen = Screen(
            lesson_key=lesson.key,
            step=step,
            stage=stage_of(step, count),
            text=lesson.text_for(locale),
            requested_locale=locale,
            chosen=chosen,
        )
        reply = lesson_screen(screen, tr)
        inert = tuple(tuple(_button(b.label, NOOP) for b in row) for row in reply.buttons)
        out.append(Reply(reply.text, inert))
    return out


def after_preview(upload_id: int, locales: tuple[str, ...], tr: Translator) -> Reply:
    """Under a preview: another language, or the decision."""
    text = tr.gettext("That is how learners will see it. Publish it, or discard it?")
    return Reply(text, rows(_decision_buttons(upload_id, locales, tr), 2))


def published(outcome: Outcome, tr: Translator) -> Reply:
    """The outcome of Publish: the new versions, or why it could not be published now."""
    if outcome.errors:
        return errors(outcome.errors, tr)
    if not outcome.versions:
        return Reply(tr.gettext("Published. Nothing had changed, so no lesson got a new version."))
    lines = "\n".join(
        tr.gettext("• {lesson}: version {number}", lesson=key, number=number)
        for key, number in outcome.versions
    )
    head = tr.gettext("Published. Learners who start now get the new version:")
    return Reply(f"{head}\n{lines}")


def discarded(tr: Translator) -> Reply:
    """The outcome of Discard."""
    return Reply(tr.gettext("Discarded. Nothing was published."))


def decided(tr: Translator) -> str:
    """The toast for a second press on Publish or Discard."""
    return tr.gettext("This upload was already decided.")


def preview_toast(tr: Translator) -> str:
    """The toast for a button inside a preview."""
    return tr.gettext("This is a preview: the buttons work for learners.")


def _languages(info: LessonInfo, tr: Translator) -> str:
    return ", ".join(
        tr.gettext("{language} (reviewed)", language=loc)
        if reviewed
        else tr.gettext("{language} (draft)", language=loc)
        for loc, reviewed in info.languages
    )


def _status(info: LessonInfo, tr: Translator) -> str:
    return tr.gettext("published") if info.published else tr.gettext("unpublished")


def admin(infos: tuple[LessonInfo, ...], tracks: list[tuple[str, str]], tr: Translator) -> Reply:
    """/lessons_admin: every lesson with its version, languages and status; a track each."""
    lines = [tr.gettext("Lessons: version, languages, status.")]
    for track_key, title in tracks:
        lines.append(f"\n{title}")
        for info in (i for i in infos if i.track == track_key):
            version = tr.gettext("v{number}", number=info.number)
            lines.append(f"• {info.key} {version} · {_status(info, tr)} · {_languages(info, tr)}")
    buttons = [_button(title, TRACK, key) for key, title in tracks]
    return Reply(_fit("\n".join(lines)), rows(buttons))


def track(track_key: str, title: str, infos: tuple[LessonInfo, ...], tr: Translator) -> Reply:
    """One track in the admin: its lessons, and its files to download."""
    mine = [i for i in infos if i.track == track_key]
    buttons = [_button(f"{i.title} · {_status(i, tr)}", LESSON, i.key) for i in mine]
    buttons.append(_button(tr.gettext("Download the files"), ZIP, track_key))
    buttons.append(_button(tr.gettext("All lessons"), TRACK))
    return Reply(title, rows(buttons))


def lesson(info: LessonInfo, tr: Translator) -> Reply:
    """One lesson in the admin: unpublish or republish, and a review per language."""
    text = tr.gettext(
        "{title}\nVersion {number}, {status}.\nLanguages: {languages}",
        title=info.title,
        number=info.number,
        status=_status(info, tr),
        languages=_languages(info, tr),
    )
    if info.published:
        buttons = [_button(tr.gettext("Unpublish"), UNPUB, info.key)]
    else:
        buttons = [_button(tr.gettext("Republish"), REPUB, info.key)]
    buttons += [
        _button(
            tr.gettext("Mark {language} reviewed", language=LANGUAGE_NAMES.get(loc, loc)),
            REVIEW,
            info.key,
            loc,
        )
        for loc, reviewed in info.languages
        if not reviewed
    ]
    buttons.append(_button(tr.gettext("Back"), TRACK, info.track))
    return Reply(text, rows(buttons))


def done_toast(tr: Translator) -> str:
    """The toast after an admin action took effect."""
    return tr.gettext("Done.")
