"""What a moderator sees of the referral directory: an upload's errors or its preview (the
very text a learner of that country sees), Publish / Discard, and /directory_admin."""

from __future__ import annotations

from bot.help.categories import CRISIS, HELP_CATEGORIES
from bot.help.directory import Directory
from bot.help.service import HelpOffer
from bot.i18n.catalogs import Translator
from bot.staff import uploads
from bot.staff.directory import Checked, StaleReport
from bot.views import uploads as upload_view
from bot.views.callbacks import Staff, encode
from bot.views.help import CATEGORY_LABELS, country_name
from bot.views.help import offer as offer_view
from bot.views.reply import TELEGRAM_TEXT_LIMIT, Button, Reply, rows

TOOL = "dir"
ZIP_NAME = "directory.zip"


def button(label: str, arg: str) -> Button:
    """A directory tool's button."""
    return Button(label, encode(Staff(TOOL, arg)))


def _fit(lines: list[str], tail: str, tr: Translator) -> str:
    """Lines that fit one message, with a count of those left out."""
    text, shown = "", 0
    for line in lines:
        if len(text) + len(line) + len(tail) + 80 > TELEGRAM_TEXT_LIMIT:
            break
        text, shown = text + line + "\n", shown + 1
    if shown < len(lines):
        more = len(lines) - shown
        text += tr.ngettext("…and {n} more.", "…and {n} more.", more) + "\n"
    return (text + tail).strip()


def refused(exc: uploads.UploadRejected, tr: Translator) -> Reply:
    """A hostile or unusable upload: one clear line; nothing was kept."""
    v = exc.values
    own: upload_view.Lines = {
        uploads.UNSAFE_PATH: lambda: tr.gettext(
            "The zip holds {path}, which is outside the directory folder. Nothing was published.",
            path=v.get("path"),
        ),
        uploads.EMPTY: lambda: tr.gettext(
            "The zip holds no directory files (<cc>.yaml). Nothing was published."
        ),
    }
    fallback = tr.gettext(
        "Send a directory file such as xk.yaml, or a zip of the directory folder named "
        "directory.zip. Nothing was published."
    )
    return upload_view.refused(exc, tr, own, fallback)


def invalid(errors: tuple[str, ...], tr: Translator) -> Reply:
    """The loader's errors, each as file:line: field: message; nothing was kept."""
    head = tr.ngettext(
        "The directory has {n} problem; nothing was published. Fix it and send the file again:",
        "The directory has {n} problems; nothing was published. Fix them and send the file again:",
        len(errors),
    )
    return Reply(_fit([head, *errors], "", tr))


def checked(result: Checked, tr: Translator) -> Reply:
    """A valid upload: what changes; the preview follows in its own message."""
    names = ", ".join(result.names)
    return Reply(
        tr.gettext(
            "The directory is valid with {files}. Below is what a learner sees; choose a need "
            "or a country to see more, then Publish or Discard.",
            files=names,
        )
    )


def preview(result: Checked, country: str, category: str, tr: Translator) -> Reply:
    """Exactly the text a learner in `country` sees for `category`, with the choices."""
    directory = result.directory
    offer = HelpOffer(
        category,
        country,
        directory.services_for(country, category),
        directory.emergency(country),
    )
    text = offer_view(offer, directory, tr, None).text
    return Reply(text, _preview_buttons(result, country, category, tr))


def _preview_buttons(
    result: Checked, country: str, category: str, tr: Translator
) -> tuple[tuple[Button, ...], ...]:
    upload = result.upload_id
    needs = [
        button(tr.gettext(CATEGORY_LABELS[c]), f"pv:{upload}:{country}:{c}")
        for c in HELP_CATEGORIES
        if c != category
    ]
    places = [
        button(country_name(result.directory, code, tr), f"pv:{upload}:{code}:{category}")
        for code in result.countries
        if code != country
    ]
    decide = [
        button(tr.gettext("Publish"), f"pub:{upload}"),
        button(tr.gettext("Discard"), f"del:{upload}"),
    ]
    return rows(needs) + rows(places, per_row=2) + rows(decide, per_row=2)


def first_preview(result: Checked, tr: Translator) -> Reply:
    """The crisis answer of the first country the upload changes: the one that matters most."""
    return preview(result, result.countries[0], CRISIS, tr)


def published(names: tuple[str, ...], tr: Translator) -> Reply:
    """After Publish."""
    return Reply(
        tr.gettext(
            "Published: {files}. Learners see the new directory within seconds.",
            files=", ".join(names),
        )
    )


def discarded(tr: Translator) -> Reply:
    """After Discard."""
    return Reply(tr.gettext("Discarded. Nothing was published."))


def gone(tr: Translator) -> str:
    """Toast: the upload was already published or discarded."""
    return tr.gettext("This upload was already published or discarded.")


def admin(report: StaleReport, directory: Directory, tr: Translator) -> Reply:
    """/directory_admin: what to re-verify, how many learners each entry reached, the files."""
    how = tr.gettext(
        "To change the directory, send me a country file such as xk.yaml, or a zip of the "
        "directory folder named directory.zip."
    )
    if not report.entries:
        head = tr.gettext(
            "Every entry was verified in the last {days} days.", days=report.max_age_days
        )
        return Reply(head + "\n\n" + how, rows([button(tr.gettext("Download the files"), "dl")]))
    head = tr.ngettext(
        "{n} entry needs re-verifying (never verified, or older than {days} days):",
        "{n} entries need re-verifying (never verified, or older than {days} days):",
        report.total,
        days=report.max_age_days,
    )
    lines = [head]
    for entry in report.entries:
        when = tr.date(entry.verified_on) if entry.verified_on else tr.gettext("never verified")
        lines.append(
            tr.gettext(
                "• {key} ({name}), {when}: shown to {count} learners",
                key=entry.key,
                name=entry.name,
                when=when,
                count=entry.shown_to,
            )
        )
    if report.total > len(report.entries):
        more = report.total - len(report.entries)
        lines.append(tr.ngettext("…and {n} more.", "…and {n} more.", more))
    text = _fit(lines, "\n" + how, tr)
    return Reply(text, rows([button(tr.gettext("Download the files"), "dl")]))


def download_caption(version: int, tr: Translator) -> str:
    """The caption of the zip of the directory served now."""
    if version == 0:
        return tr.gettext("The directory as shipped with Ura (nothing published from here yet).")
    return tr.gettext("The directory as published (version {version}).", version=version)
