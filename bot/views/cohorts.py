"""What coordinators see of cohort codes (/cohorts)."""

from __future__ import annotations

from bot.i18n.catalogs import Translator
from bot.staff.cohorts import NAME_LIMIT, CohortInfo
from bot.views.reply import Reply

SHOWN = 50  # the newest ones; keeps the message within Telegram's limit


def usage(tr: Translator) -> str:
    """How to make a new code."""
    return tr.gettext(
        "Make a new code with /cohorts new <name>, e.g. /cohorts new Youth club Prishtina."
    )


def listing(found: tuple[CohortInfo, ...], tr: Translator) -> Reply:
    """/cohorts: every code with its name, newest first."""
    if not found:
        return Reply(tr.gettext("No cohort codes yet.") + "\n\n" + usage(tr))
    lines = [tr.gettext("Cohort codes (newest first):")]
    lines += [f"• {cohort.code}: {cohort.name}" for cohort in found[:SHOWN]]
    if len(found) > SHOWN:
        more = len(found) - SHOWN
        lines.append(tr.ngettext("…and {n} more.", "…and {n} more.", more))
    lines += ["", usage(tr)]
    return Reply("\n".join(lines))


def created(cohort: CohortInfo, link: str, tr: Translator) -> Reply:
    """A new code: the link to share; the QR code picture follows."""
    return Reply(
        tr.gettext(
            "New cohort “{name}”: code {code}.\nLink: {link}\nLearners who open this link are "
            "counted in this cohort. The QR code below opens the same link: print it on a poster.",
            name=cohort.name,
            code=cohort.code,
            link=link,
        )
    )


def qr_caption(cohort: CohortInfo, link: str, tr: Translator) -> str:
    """The caption under the QR code picture."""
    return tr.gettext("{name}: {link}", name=cohort.name, link=link)


def bad_name(tr: Translator) -> Reply:
    """A missing or too long name."""
    return Reply(
        tr.gettext(
            "Give the cohort a name of at most {limit} characters: /cohorts new <name>.",
            limit=NAME_LIMIT,
        )
    )
