"""Messages Ura starts, and their settings. The first line of anything Ura starts never names
a lesson's topic: phones are shared and show it on the lock screen."""

from __future__ import annotations

from bot.db.rhythm_models import Rhythm
from bot.delivery.reminders import HOURS, PAUSES, QUIET
from bot.delivery.rhythm import ZONES
from bot.delivery.sender import Due
from bot.i18n.catalogs import N_, Translator
from bot.views.callbacks import OpenHelp, OpenMenu, OpenSettings, Reminder, encode
from bot.views.reply import Button, Reply, rows

RHYTHM_LABELS = {
    "ask": N_("Only when I ask"),
    "daily": N_("Every day"),
    "3week": N_("Three times a week"),
    "weekly": N_("Once a week"),
}
CHECKIN_REPLIES = {
    "tried": N_("Good for you. Trying is the hard part, and you did it."),
    "notyet": N_("That's fine. It will still be there when the moment comes."),
    "badly": N_(
        "Thanks for telling me. It doesn't always go well the first time, and that's okay. "
        "If you'd like to talk it through with someone, they are here."
    ),
}


def stop_button(tr: Translator) -> Button:
    """On every message Ura starts."""
    return Button(tr.gettext("Stop these messages"), encode(Reminder("stop")))


def _quiet_label(start: int, end: int, tr: Translator) -> str:
    if start == end:
        return tr.gettext("none")
    return f"{start:02d}:00–{end:02d}:00"


def menu(rhythm: Rhythm, tr: Translator) -> Reply:
    """Reminders: the rhythm to choose, and what else can be set."""
    if rhythm.stopped_at is not None:
        state = tr.gettext("Stopped. Send /start to get messages again.")
    else:
        state = tr.gettext(RHYTHM_LABELS[rhythm.rhythm])
    hour = f"{rhythm.hour:02d}"
    text = tr.gettext(
        "Reminders\n\nMessages from me: {state}\nTime: {hour}:00\nTime zone: {zone}\n"
        "Quiet hours: {quiet}\nSilent notifications: {silent}",
        state=state,
        hour=hour,
        zone=rhythm.timezone,
        quiet=_quiet_label(rhythm.quiet_start, rhythm.quiet_end, tr),
        silent=tr.gettext("on") if rhythm.silent else tr.gettext("off"),
    )
    buttons = [
        Button(
            ("✓ " if key == rhythm.rhythm else "") + tr.gettext(label),
            encode(Reminder("rhythm", key)),
        )
        for key, label in RHYTHM_LABELS.items()
    ]
    buttons += [
        Button(tr.gettext("Time"), encode(Reminder("hours"))),
        Button(tr.gettext("Time zone"), encode(Reminder("zones"))),
        Button(tr.gettext("Quiet hours"), encode(Reminder("quiets"))),
        Button(
            tr.gettext("Silent notifications: off")
            if rhythm.silent
            else tr.gettext("Silent notifications: on"),
            encode(Reminder("silent", "off" if rhythm.silent else "on")),
        ),
        Button(tr.gettext("Back to settings"), encode(OpenSettings())),
    ]
    return Reply(text, rows(buttons[:4], per_row=2) + rows(buttons[4:]))


def hours(tr: Translator) -> Reply:
    """When the next lesson is offered, on his clock."""
    buttons = [Button(f"{h:02d}:00", encode(Reminder("hour", str(h)))) for h in HOURS]
    back = Button(tr.gettext("Back"), encode(Reminder("menu")))
    return Reply(
        tr.gettext("At what time should I offer your next lesson?"), rows(buttons, 3) + rows([back])
    )


def zones(tr: Translator) -> Reply:
    """His time zone, from the places Ura's learners live and work."""
    buttons = [
        Button(z.split("/")[1], encode(Reminder("zone", str(i)))) for i, z in enumerate(ZONES)
    ]
    back = Button(tr.gettext("Back"), encode(Reminder("menu")))
    return Reply(tr.gettext("Which time zone are you in?"), rows(buttons, 2) + rows([back]))


def quiets(tr: Translator) -> Reply:
    """Hours in which Ura never writes first."""
    buttons = [
        Button(_quiet_label(*span, tr), encode(Reminder("quiet", key)))
        for key, span in QUIET.items()
    ]
    back = Button(tr.gettext("Back"), encode(Reminder("menu")))
    return Reply(tr.gettext("When should I never write to you?"), rows(buttons, 2) + rows([back]))


def pause_question(tr: Translator) -> Reply:
    """/pause: for how long."""
    labels = {1: N_("1 day"), 7: N_("7 days"), 30: N_("30 days")}
    buttons = [Button(tr.gettext(labels[d]), encode(Reminder("pause", str(d)))) for d in PAUSES]
    return Reply(tr.gettext("Pause my messages for how long?"), rows(buttons, 3))


def paused(tr: Translator) -> Reply:
    return Reply(
        tr.gettext("Paused. I won't write first until then. /start brings me back sooner.")
    )


def stopped(tr: Translator) -> Reply:
    """/stop, or "Stop these messages"."""
    return Reply(
        tr.gettext(
            "Done. I won't write to you first. Send /start whenever you want me back; /lessons is always here."
        )
    )


def checkin_reply(answer: str, tr: Translator) -> Reply:
    """A short kind reply to a check-in answer; "went badly" also offers help."""
    buttons = (
        [Button(tr.gettext("💬 Talk to someone"), encode(OpenHelp()))] if answer == "badly" else []
    )
    buttons.append(Button(tr.gettext("All lessons"), encode(OpenMenu())))
    return Reply(tr.gettext(CHECKIN_REPLIES[answer]), rows(buttons))


def compose(due: Due, tr: Translator) -> Reply | None:
    """A message Ura starts, or None when there is nothing to say (no text in his language)."""
    stop = stop_button(tr)
    if due.kind == "lesson":
        text = tr.gettext("Your next lesson is ready. It takes a few minutes, whenever suits you.")
        return Reply(text, rows([Button(tr.gettext("Open my lessons"), encode(OpenMenu())), stop]))
    if due.kind == "checkin":
        text = tr.gettext("Yesterday you picked something small to try. How did it go?")
        answers = [
            Button(tr.gettext("I tried it"), encode(Reminder("ci", "tried"))),
            Button(tr.gettext("Not yet"), encode(Reminder("ci", "notyet"))),
            Button(tr.gettext("It went badly"), encode(Reminder("ci", "badly"))),
        ]
        return Reply(text, rows(answers) + rows([stop]))
    if due.kind == "nudge":
        if due.item_id >= 3:
            text = tr.gettext("I'll stop writing now. /lessons is here whenever you want.")
            return Reply(text)
        text = tr.gettext("Hi! Your lessons are waiting whenever you have a few minutes.")
        return Reply(text, rows([Button(tr.gettext("Open my lessons"), encode(OpenMenu())), stop]))
    if due.text:
        return Reply(due.text, rows([stop]))
    return None
