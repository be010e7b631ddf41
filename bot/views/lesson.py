"""How each step of a lesson looks: one message edited in place as the learner moves on."""

from __future__ import annotations

from bot.i18n.catalogs import Translator
from bot.i18n.locales import LANGUAGE_NAMES
from bot.learning.steps import Screen, Stage
from bot.views.callbacks import Answer, Feedback, Next, OpenLesson, OpenMenu, encode
from bot.views.help import talk_button
from bot.views.reply import Button, Reply, rows


def _next_button(screen: Screen, tr: Translator) -> Button:
    return Button(tr.gettext("Next ▸"), encode(Next(screen.lesson_key, screen.step)))


def _body(screen: Screen, tr: Translator) -> tuple[str, list[Button]]:
    text = screen.text
    match screen.stage:
        case Stage.CARD:
            index = screen.step + 1
            counter = tr.gettext("{index} of {count}", index=index, count=screen.card_count)
            return f"{text.cards[screen.step]}\n\n{counter}", [_next_button(screen, tr)]
        case Stage.THINK:
            body = tr.gettext(
                "THINK!\n{question}\n\nAnswer in your head, or write it here if you like: "
                "nobody reads it and it is not saved.",
                question=text.think,
            )
            return body, [_next_button(screen, tr)]
        case Stage.QUIZ:
            options = [
                Button(option.text, encode(Answer(screen.lesson_key, index)))
                for index, option in enumerate(text.options)
            ]
            return tr.gettext("Quiz\n{question}", question=text.question), options
        case Stage.FEEDBACK:
            chosen = text.options[screen.chosen or 0]
            body = tr.gettext(
                "Quiz\n{question}\n\nYour answer: {answer}\n\n{feedback}",
                question=text.question,
                answer=chosen.text,
                feedback=chosen.feedback,
            )
            return body, [_next_button(screen, tr)]
        case Stage.ACT:
            body = tr.gettext("ACT!\n{challenge}", challenge=text.act)
            return body, [
                Button(tr.gettext("I'll try it ✓"), encode(Next(screen.lesson_key, screen.step)))
            ]
        case Stage.DONE:
            body = tr.gettext("You finished “{title}”. Well done.", title=text.title)
            buttons = []
            if screen.next_lesson is not None:
                label = tr.gettext("Next lesson: {title}", title=screen.next_lesson.title)
                buttons.append(Button(label, encode(OpenLesson(screen.next_lesson.key))))
            else:
                body += "\n\n" + tr.gettext("That was the last lesson of this track.")
            if screen.heavy:  # assumes nothing about him; the button is right below
                body += "\n\n" + tr.gettext(
                    "If anything in this lesson stirred something up, talking helps. "
                    "Tap “Talk to someone” below, any time."
                )
            buttons.append(Button(tr.gettext("All lessons"), encode(OpenMenu())))
            return body, buttons


def _feedback_row(screen: Screen, tr: Translator) -> tuple[Button, ...]:
    """One tap to say whether the lesson helped (kept per lesson version)."""
    labels = (
        ("useful", tr.gettext("👍 Useful")),
        ("not_really", tr.gettext("Not really")),
        ("skip", tr.gettext("Skip")),
    )
    return tuple(Button(label, encode(Feedback(screen.lesson_key, a))) for a, label in labels)


def feedback_thanks(screen: Screen, tr: Translator) -> Reply:
    """The DONE screen once he answered "Was this useful?": thanks instead of the question."""
    return lesson_screen(screen, tr, thanked=True)


def lesson_screen(screen: Screen, tr: Translator, *, thanked: bool = False) -> Reply:
    """One step of a lesson, with the lesson title on top and a note if it fell back; the
    DONE screen asks "Was this useful?" (or thanks him once he answered)."""
    body, buttons = _body(screen, tr)
    asked: tuple[tuple[Button, ...], ...] = ()
    if screen.stage is Stage.DONE:
        asked = () if thanked else (_feedback_row(screen, tr),)
        question = (
            tr.gettext("Thank you for telling us.") if thanked else tr.gettext("Was this useful?")
        )
        body = f"{body}\n\n{question}"
    buttons.append(talk_button(tr, screen.lesson_key))
    head = f"📘 {screen.text.title}"
    if screen.fell_back:
        note = tr.gettext(
            "(This lesson is not in your language yet, so here it is in {language}.)",
            language=LANGUAGE_NAMES[screen.text.locale],
        )
        head = f"{head}\n{note}"
    return Reply(f"{head}\n\n{body}", rows(buttons) + asked)


def think_acknowledged(tr: Translator) -> Reply:
    """The reply to a THINK! answer: thanks, and a reminder that it was not kept."""
    return Reply(tr.gettext("Thank you for thinking it through. What you wrote stays with you."))
