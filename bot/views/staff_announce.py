"""What a moderator sees while writing an announcement: the draft, its segment, the preview
(each language's text exactly as learners get it) and Confirm / Cancel."""

from __future__ import annotations

from bot.i18n.catalogs import Translator
from bot.i18n.locales import LANGUAGE_NAMES, SUPPORTED_LOCALES
from bot.staff.announcements import Draft, Queued, Segment
from bot.staff.privacy import cell
from bot.views.callbacks import Staff, encode
from bot.views.reply import Button, Reply, rows

TOOL = "ann"


def usage(tr: Translator) -> Reply:
    """How to write one, step by step."""
    return Reply(
        tr.gettext(
            "To write an announcement:\n"
            "1. /announce <language> <text>, once for each language (e.g. /announce sq "
            "Mirëdita!). Sending a language again replaces its text.\n"
            "2. /announce_to to choose who gets it, e.g. /announce_to lang=sq country=xk "
            "days=30 (also track=<track> and cohort=<code>); nothing means everyone.\n"
            "3. /announce_preview to see it and how many learners it reaches, then Confirm."
        )
    )


def _segment(segment: Segment, tr: Translator) -> str:
    parts = []
    if segment.lang:
        parts.append(tr.gettext("language {language}", language=LANGUAGE_NAMES[segment.lang]))
    if segment.country:
        parts.append(tr.gettext("country {country}", country=segment.country))
    if segment.track:
        parts.append(tr.gettext("track {track}", track=segment.track))
    if segment.cohort:
        parts.append(tr.gettext("cohort {cohort}", cohort=segment.cohort))
    if segment.days:
        parts.append(tr.gettext("seen in the last {days} days", days=segment.days))
    return ", ".join(parts) if parts else tr.gettext("every learner")


def _languages(draft: Draft) -> str:
    shown = [LANGUAGE_NAMES[loc] for loc in SUPPORTED_LOCALES if loc in draft.texts]
    return ", ".join(shown) or "-"


def draft(found: Draft, tr: Translator) -> Reply:
    """The draft after a change: texts so far, who it is for, how many it reaches."""
    return Reply(
        tr.gettext(
            "Your draft announcement. Texts: {languages}. For: {segment}. It would reach "
            "{count} learners. When it is ready: /announce_preview",
            languages=_languages(found),
            segment=_segment(found.segment, tr),
            count=cell(found.audience),
        )
    )


def texts(found: Draft) -> list[Reply]:
    """Each language's text exactly as a learner gets it (no buttons), in menu order."""
    return [Reply(found.texts[loc]) for loc in SUPPORTED_LOCALES if loc in found.texts]


def confirm(found: Draft, tr: Translator) -> Reply:
    """After the texts: who it reaches, and Confirm / Cancel."""
    text = tr.gettext(
        "Above are the texts as learners will see them ({languages}). It goes to: {segment}, "
        "about {count} learners, in each one's language (else the nearest one written). "
        "It is queued when you confirm and sent within minutes.",
        languages=_languages(found),
        segment=_segment(found.segment, tr),
        count=cell(found.audience),
    )
    buttons = [
        Button(tr.gettext("Confirm and queue"), encode(Staff(TOOL, f"ok:{found.id}"))),
        Button(tr.gettext("Cancel"), encode(Staff(TOOL, f"no:{found.id}"))),
    ]
    return Reply(text, rows(buttons, per_row=2))


def no_draft(tr: Translator) -> Reply:
    """Preview or segment before any text."""
    return Reply(
        tr.gettext(
            "You have no announcement being written. Start with /announce <language> <text>."
        )
    )


def bad_language(tr: Translator) -> Reply:
    """/announce with a language we do not speak."""
    return Reply(
        tr.gettext(
            "Start with one of these language codes: {codes}. For example: /announce sq Mirëdita!",
            codes=", ".join(SUPPORTED_LOCALES),
        )
    )


def bad_segment(word: str, tr: Translator) -> Reply:
    """/announce_to with a term it does not accept."""
    return Reply(
        tr.gettext(
            "I can't use {word}. Write terms like lang=sq country=xk track=<track> "
            "cohort=<code> days=30.",
            word=word,
        )
    )


def unknown_track(tr: Translator) -> Reply:
    """/announce_to naming a track that does not exist."""
    return Reply(tr.gettext("There is no track with that name. /lessons lists the tracks."))


def queued(done: Queued, tr: Translator) -> Reply:
    """After Confirm."""
    return Reply(
        tr.gettext(
            "Queued for about {count} learners. It goes out at Telegram's pace, a few minutes "
            "for thousands.",
            count=cell(done.count),
        )
    )


def cancelled(tr: Translator) -> Reply:
    """After Cancel."""
    return Reply(tr.gettext("Cancelled. Nothing was sent."))


def gone(tr: Translator) -> str:
    """Toast: this draft was already queued or cancelled."""
    return tr.gettext("This announcement was already queued or cancelled.")
