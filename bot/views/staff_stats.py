"""What a coordinator reads: the /stats summary with its period and language buttons, and the
same report as CSV files and JSON. Every figure is a cell of the report (already rounded and
suppressed), so text, charts, files and `ura stats` agree."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

from bot.i18n.catalogs import N_, Translator
from bot.i18n.locales import LANGUAGE_NAMES, SUPPORTED_LOCALES
from bot.learning.model import Catalog
from bot.staff.privacy import is_shown
from bot.staff.stats import PERIODS, Filter, Report, Table
from bot.views.callbacks import Staff, encode
from bot.views.reply import Button, Reply, rows

TOOL = "stats"
ALL = "all"
_ARG = re.compile(
    rf"(?P<period>{'|'.join(PERIODS)})\.(?P<locale>{'|'.join((ALL, *SUPPORTED_LOCALES))})"
)

# Short names of the needs, for coordinators (learners see the first-person labels).
CATEGORY_NAMES: dict[str, str] = {
    "crisis": N_("Crisis"),
    "violence_perpetrator": N_("Afraid of hurting someone"),
    "violence_victim": N_("Violence against him or his family"),
    "mental_health": N_("Stress, worry or low mood"),
    "substance": N_("Alcohol or drugs"),
    "health": N_("Health and sex"),
    "support": N_("Someone to talk to"),
}


def category_names(tr: Translator) -> dict[str, str]:
    """The needs' short names in the coordinator's language."""
    return {key: tr.gettext(name) for key, name in CATEGORY_NAMES.items()}


def choice(arg: str) -> tuple[str, str | None] | None:
    """A stats button's argument → (period, language or None); None if forged."""
    match = _ARG.fullmatch(arg)
    if match is None:
        return None
    locale = match["locale"]
    return match["period"], None if locale == ALL else locale


def _period_name(period: str, tr: Translator) -> str:
    names = {
        "4w": tr.gettext("4 weeks"),
        "12w": tr.gettext("12 weeks"),
        "all": tr.gettext("All time"),
    }
    return names[period]


def _buttons(period: str, locale: str | None) -> list[tuple[str, str, bool]]:
    """(kind, value, is current) of every picker button."""
    periods = [("period", p, p == period) for p in PERIODS]
    locales = [("locale", loc, loc == (locale or ALL)) for loc in (ALL, *SUPPORTED_LOCALES)]
    return periods + locales


def _picker(period: str, locale: str | None, tr: Translator) -> tuple[tuple[Button, ...], ...]:
    made: dict[str, list[Button]] = {"period": [], "locale": []}
    for kind, value, current in _buttons(period, locale):
        if kind == "period":
            label, arg = _period_name(value, tr), f"{value}.{locale or ALL}"
        else:
            label = tr.gettext("All languages") if value == ALL else LANGUAGE_NAMES[value]
            arg = f"{period}.{value}"
        made[kind].append(Button(f"• {label}" if current else label, encode(Staff(TOOL, arg))))
    return rows(made["period"], per_row=3) + rows(made["locale"], per_row=3)


def _funnel_lines(report: Report, catalog: Catalog, tr: Translator) -> list[str]:
    lines = []
    for track in catalog.tracks:
        steps = [r for r in report["funnel"].rows if r[0] == track.key]
        if steps and is_shown(steps[0][2]):
            lines.append(
                tr.gettext(
                    "• {track}: {started} started, {completed} completed the track",
                    track=track.text_for(tr.locale).title,
                    started=steps[0][2],
                    completed=steps[-1][2],
                )
            )
    return lines or [tr.gettext("• No track has 10 learners yet.")]


def summary(report: Report, period: str, catalog: Catalog, tr: Translator) -> Reply:
    """The short text a coordinator reads first, with the period and language pickers."""
    locale = report.filter.locale
    language = LANGUAGE_NAMES[locale] if locale else tr.gettext("all languages")
    lines = [
        tr.gettext(
            "📊 Ura, {period}, {language}", period=_period_name(period, tr), language=language
        )
    ]
    weeks = report["weekly"].rows
    if weeks:
        lines.append(
            tr.gettext(
                "Last week: {new} new learners, {active} active.",
                new=weeks[-1][1],
                active=weeks[-1][2],
            )
        )
    lines += ["", tr.gettext("Tracks:"), *_funnel_lines(report, catalog, tr)]
    useful = [r for r in report["feedback"].rows if isinstance(r[2], int)]
    if useful:
        best = max(useful, key=lambda r: r[2])
        lesson = catalog.lesson(best[0])
        lines.append(
            tr.gettext(
                "Most often useful: “{title}” ({useful} useful, {not_really} not really).",
                title=lesson.text_for(tr.locale).title if lesson else best[0],
                useful=best[2],
                not_really=best[3],
            )
        )
    lines += [
        "",
        tr.gettext(
            "Figures under 10 show as <10, others are rounded to the nearest 5; * hides a "
            "figure that could reveal a small one. Nothing here is about one person."
        ),
    ]
    return Reply("\n".join(lines), _picker(period, locale, tr))


def nothing_to_show(tr: Translator) -> Reply:
    """No learner has done anything in the chosen period and language."""
    return Reply(tr.gettext("Nothing to count yet for this period and language."))


def csv_caption(tr: Translator) -> str:
    """The caption of the CSV zip: what is inside and the rule its figures follow."""
    return tr.gettext(
        "Ura statistics as CSV files, one per table. Figures under 10 show as <10, others "
        "are rounded to the nearest 5."
    )


def _csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    return buffer.getvalue().encode()


def csv_files(report: Report) -> dict[str, bytes]:
    """One CSV file per table, named after it."""
    return {f"{name}.csv": _csv(table) for name, table in report.tables.items()}


def csv_zip(report: Report) -> bytes:
    """Every CSV file in one zip, to send as one document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in csv_files(report).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data: withheld cells are the strings "<10" and "*"."""
    filter: Filter = report.filter
    return {
        "since": filter.since.isoformat() if filter.since else None,
        "language": filter.locale,
        **{name: table.as_dicts() for name, table in report.tables.items()},
    }
