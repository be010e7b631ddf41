"""Menus and short answers: greeting, language picker, tracks, progress, help, privacy.

Every reply to something Ura does not understand carries "Talk to someone": a man who
types into a bot that does not get him may be the one who needs it most.
"""

from __future__ import annotations

from bot.i18n.catalogs import N_, Translator
from bot.i18n.locales import LANGUAGE_NAMES, SUPPORTED_LOCALES
from bot.learning.progress import LessonStatus, Overview, TrackStatus
from bot.learning.steps import Screen, Stage
from bot.views.callbacks import (
    Erase,
    OpenLesson,
    OpenMenu,
    OpenTrack,
    PickLocale,
    SetLocale,
    encode,
)
from bot.views.help import talk_button
from bot.views.reply import Button, Reply, rows

# (command, description) in the order the menu shows them; descriptions are translated.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("lessons", N_("Choose a lesson")),
    ("progress", N_("See your progress")),
    ("language", N_("Change the language")),
    ("help", N_("Talk to someone: help and services")),
    ("settings", N_("Language and country")),
    ("privacy", N_("What we keep and what we don't")),
    ("delete", N_("Erase everything about you")),
)


# The bot's profile texts, per language (setMyDescription: 512 characters at most,
# setMyShortDescription: 120).
DESCRIPTION = N_(
    "Ura shares short lessons for young men: on being a dad, on stress and anger, on mental "
    "health, on equality and relationships. A few minutes each, at your own pace, in your "
    "language. If you need someone to talk to, /help shows people who can help, privately."
)
SHORT_DESCRIPTION = N_("Short lessons for young men on fatherhood, stress, anger and respect.")


def profile(tr: Translator) -> tuple[str, str]:
    """The description and short description in one language."""
    return tr.gettext(DESCRIPTION), tr.gettext(SHORT_DESCRIPTION)


def command_menu(tr: Translator) -> list[tuple[str, str]]:
    """The command menu in one language, for setMyCommands."""
    return [(command, tr.gettext(description)) for command, description in COMMANDS]


def language_picker(tr: Translator) -> Reply:
    """Every language in its own name, two to a row."""
    buttons = [Button(LANGUAGE_NAMES[loc], encode(SetLocale(loc))) for loc in SUPPORTED_LOCALES]
    return Reply(tr.gettext("Choose your language:"), rows(buttons, per_row=2))


def welcome(tr: Translator, *, returning: bool, resume: Button | None) -> Reply:
    """The /start greeting: new learners pick a language first, returning ones go on."""
    if not returning:
        text = tr.gettext(
            "Hi! I'm Ura. I share short lessons for young men: on being a dad, on stress and "
            "anger, on mental health and on relationships. A few minutes each, at your own pace. "
            "Ura never stores what you type; /privacy says what it keeps.\n\n"
            "First, which language suits you?"
        )
        return Reply(text, language_picker(tr).buttons)
    buttons = [resume] if resume else []
    buttons.append(Button(tr.gettext("All lessons"), encode(OpenMenu())))
    return Reply(
        tr.gettext("Welcome back! Pick up where you stopped, or choose a lesson."), rows(buttons)
    )


def language_set(tr: Translator) -> Reply:
    """Confirmation after a language was chosen."""
    return Reply(tr.gettext("Done: I'll talk to you in English from now on."))


# Menus never show a second script: a title that is not in his language yet is named by
# what it is and the language it will open in, in his own language.
SHOWN_IN = {"en": N_("in English"), "ru": N_("in Russian")}


def _elsewhere(title_locale: str, tr: Translator) -> str | None:
    """The language a title is in, named in his own, when it is not his (else None)."""
    if not title_locale or title_locale == tr.locale:
        return None
    return tr.gettext(SHOWN_IN[title_locale]) if title_locale in SHOWN_IN else title_locale


def _track_title(track: TrackStatus, tr: Translator) -> str:
    where = _elsewhere(track.title_locale, tr)
    if where is None:
        return track.title
    return tr.gettext("A topic not translated yet ({where})", where=where)


def _lesson_label(lesson: LessonStatus, number: int, tr: Translator) -> str:
    where = _elsewhere(lesson.title_locale, tr)
    if where is None:
        return f"{number}. {lesson.title}"
    return tr.gettext("Lesson {number}, not translated yet ({where})", number=number, where=where)


def tracks(overview: Overview, tr: Translator) -> Reply:
    """/lessons: every track with how far this learner got."""
    lines = [tr.gettext("Choose a topic:")]
    buttons = []
    for track in overview.tracks:
        done = tr.ngettext(
            "{done} of {n} lesson done",
            "{done} of {n} lessons done",
            len(track.lessons),
            done=tr.number(track.done),
        )
        title = _track_title(track, tr)
        lines.append(f"• {title}: {done}")
        buttons.append(Button(title, encode(OpenTrack(track.key))))
    buttons.append(Button(tr.gettext("Language"), encode(PickLocale())))
    return Reply("\n".join(lines), rows(buttons))


def track(track: TrackStatus, tr: Translator) -> Reply:
    """One track's lessons: ✓ done, ▸ started."""
    buttons = []
    for number, lesson in enumerate(track.lessons, start=1):
        mark = "✓ " if lesson.done else ("▸ " if lesson.started else "")
        label = f"{mark}{_lesson_label(lesson, number, tr)}"
        buttons.append(Button(label, encode(OpenLesson(lesson.key))))
    buttons.append(Button(tr.gettext("All lessons"), encode(OpenMenu())))
    title = _track_title(track, tr)
    description = track.description if title == track.title else ""
    return Reply(f"{title}\n\n{description}".strip(), rows(buttons))


def progress(overview: Overview, tr: Translator, resume: Button | None) -> Reply:
    """/progress: lessons done per track, quiz results, and the last day he finished one."""
    lines = [
        tr.ngettext(
            "You have finished {done} of {n} lesson.",
            "You have finished {done} of {n} lessons.",
            overview.total,
            done=tr.number(overview.done),
        )
    ]
    lines += [f"• {_track_title(t, tr)}: {t.done}/{len(t.lessons)}" for t in overview.tracks]
    if overview.quiz_answered:  # a count, never a score: this is not an exam
        lines.append(
            tr.ngettext(
                "{n} quiz question answered.",
                "{n} quiz questions answered.",
                overview.quiz_answered,
            )
        )
    if overview.last_completed_at is not None:
        lines.append(
            tr.gettext("Last lesson finished: {date}", date=tr.date(overview.last_completed_at))
        )
    buttons = [resume] if resume else []
    buttons.append(Button(tr.gettext("All lessons"), encode(OpenMenu())))
    return Reply("\n".join(lines), rows(buttons))


def resume_button(title: str, lesson_key: str, tr: Translator) -> Button:
    """'Continue: <lesson>' for the lesson he has open."""
    return Button(tr.gettext("Continue: {title}", title=title), encode(OpenLesson(lesson_key)))


def resume_for(screen: Screen | None, tr: Translator) -> Button | None:
    """'Continue: <lesson>' when a lesson is open and not finished."""
    if screen is None or screen.stage is Stage.DONE:
        return None
    return resume_button(screen.text.title, screen.lesson_key, tr)


def in_a_lesson(title: str, lesson_key: str, tr: Translator) -> Reply:
    """Text typed in the middle of a lesson (not at THINK!): point back to it, gently."""
    return Reply(
        tr.gettext("You're in the middle of “{title}”. Tap below to go on.", title=title),
        rows(
            [
                resume_button(title, lesson_key, tr),
                Button(tr.gettext("All lessons"), encode(OpenMenu())),
                talk_button(tr, lesson_key),
            ]
        ),
    )


def privacy(tr: Translator) -> Reply:
    """/privacy: a short, plain policy."""
    return Reply(
        tr.gettext(
            "Your privacy, in plain words.\n\n"
            "What Ura keeps about you:\n"
            "• your Telegram user id (a number Telegram gives every account; it is not your "
            "phone number), so that replies reach you;\n"
            "• your language and country, where you are in each lesson, your quiz answers and "
            "whether a lesson helped;\n"
            "• your reminder settings: how often, at what hour, your time zone;\n"
            "• when you asked for help, or a message looked like you might need it: only the "
            "kind of need (for example “stress”), never your words.\n\n"
            "What Ura never keeps: your name, your username, your phone number or anything "
            "you write.\n\n"
            "How long: until you erase it. /delete erases all of it at once.\n\n"
            "Who sees it: nobody reads one person's history. The youth workers who run Ura "
            "see only counts of groups of 10 people or more.\n\n"
            "Ura writes first only with the reminders you chose; /stop ends them."
        )
    )


def confirm_erase(tr: Translator) -> Reply:
    """/delete: say exactly what goes, and ask before doing it."""
    text = tr.gettext(
        "This erases everything Ura keeps about you: your language and country, your "
        "progress, your quiz answers, your reminder settings and the record of when you "
        "asked for help. It cannot be undone. Erase it all?"
    )
    buttons = [
        Button(tr.gettext("Yes, erase everything"), encode(Erase())),
        Button(tr.gettext("No, keep it"), encode(OpenMenu())),
    ]
    return Reply(text, rows(buttons))


def erased(tr: Translator) -> Reply:
    """After /delete: done, and how to start again."""
    return Reply(
        tr.gettext(
            "Done: everything about you is erased. Send /start if you ever want to begin again."
        )
    )


def not_text(tr: Translator) -> Reply:
    """A sticker, photo, voice note or file."""
    return Reply(
        tr.gettext("I can only read text, so I can't open that one. Try /lessons or /help."),
        rows([talk_button(tr)]),
    )


def too_long(tr: Translator) -> Reply:
    """A very long message: kind, and clear that it was not kept."""
    return Reply(
        tr.gettext(
            "That's a long message! I only understand short ones, and I don't keep what you "
            "write. Try /lessons or /help."
        ),
        rows([talk_button(tr)]),
    )


def not_understood(tr: Translator) -> Reply:
    """Free text outside a THINK! question."""
    return Reply(
        tr.gettext("I didn't quite get that. /lessons shows the lessons and /help what I can do."),
        rows([talk_button(tr)]),
    )


def edited(tr: Translator) -> Reply:
    """An edited message: we only read new ones."""
    return Reply(
        tr.gettext("I saw you edited a message. I only read new messages, so just send it again."),
        rows([talk_button(tr)]),
    )


def private_only(tr: Translator, bot_username: str) -> Reply:
    """In a group: never show anything personal there; offer a private chat instead."""
    return Reply(
        tr.gettext("I work in private chats only. Tap below to talk to me one to one."),
        rows([Button(tr.gettext("Open a private chat"), url=f"https://t.me/{bot_username}")]),
    )


def something_went_wrong(tr: Translator) -> Reply:
    """The error handler's answer: nothing he did was lost."""
    return Reply(
        tr.gettext(
            "Sorry, something went wrong on my side. Your progress is safe; please try again."
        )
    )


def stale_button(tr: Translator) -> str:
    """Toast for a double tap or an old button: nothing changed."""
    return tr.gettext("That button is from an earlier step.")


def dead_button(tr: Translator) -> str:
    """Toast for a forged or outdated button: it does nothing."""
    return tr.gettext("That button doesn't work any more. Try /lessons.")
