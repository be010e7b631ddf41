"""Charts (PNG) of a stats `Report`, made to be read on a phone: large type, few bars each.

Bars are the privacy-safe cells of the report and nothing else: a withheld cell ("<10",
"*") draws no bar, only its label. Rendering uses matplotlib's `Figure` with the Agg
canvas directly (no pyplot state), so it can run in a worker thread.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.i18n.catalogs import Translator
from bot.i18n.locales import LANGUAGE_NAMES
from bot.learning.model import Catalog
from bot.staff.privacy import Cell
from bot.staff.stats import Report, shown

TOP = 8  # groups of bars per chart, at most
BARS = 16  # bars per chart, at most: a chart with more series shows fewer groups
COLOURS = ("#2b6cb0", "#f6ad55", "#68d391", "#fc8181", "#a0aec0")
FONT = 15


@dataclass(frozen=True)
class Chart:
    """One picture: a file name (ASCII, stable) and its PNG bytes."""

    name: str
    title: str
    png: bytes


@dataclass(frozen=True)
class Series:
    """One colour of bars: its legend label and a cell per bar."""

    label: str
    cells: tuple[Cell, ...]


def _wrap(label: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(label, width, max_lines=2, placeholder="…")) or label


def _bars(title: str, labels: Sequence[str], series: Sequence[Series], note: str) -> bytes:
    """Horizontal grouped bars, one group per label, each bar labelled with its cell."""
    keep = max(1, BARS // len(series))
    labels = labels[-keep:] if keep < len(labels) else labels
    series = [Series(s.label, s.cells[-len(labels) :]) for s in series]
    count = len(labels)
    # Imported here: matplotlib costs 0.7 s of every start-up, and only /stats draws.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 1.6 + count * (0.45 + 0.38 * len(series))), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    height = 0.8 / len(series)
    top = max([shown(c) for s in series for c in s.cells] + [1])
    for index, one in enumerate(series):
        ys = [i + (index - (len(series) - 1) / 2) * height for i in range(count)]
        values = [shown(c) for c in one.cells]
        ax.barh(ys, values, height=height * 0.92, color=COLOURS[index], label=one.label)
        for y, value, c in zip(ys, values, one.cells, strict=True):
            ax.text(value + top * 0.015, y, str(c), va="center", fontsize=FONT - 2)
    ax.set_yticks(range(count), [_wrap(label) for label in labels], fontsize=FONT - 1)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.18)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(_wrap(title, 40), fontsize=FONT + 2, loc="left", fontweight="bold")
    if len(series) > 1:
        ax.legend(fontsize=FONT - 2, loc="lower right", frameon=False)
    fig.text(0.01, 0.005, _wrap(note, 90), fontsize=FONT - 5, color="#555555", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _note(tr: Translator) -> str:
    return tr.gettext(
        "Figures under 10 show as <10, others are rounded to the nearest 5; * hides a figure "
        "that could reveal a small one."
    )


def _lesson_titles(catalog: Catalog, locale: str) -> dict[str, str]:
    return {ls.key: ls.text_for(locale).title for track in catalog.tracks for ls in track.lessons}


def _weekly(report: Report, tr: Translator) -> Chart | None:
    rows = report["weekly"].rows[-BARS // 2 :]
    if not rows:
        return None
    labels = [tr.date(date.fromisoformat(r[0])) for r in rows]
    series = (
        Series(tr.gettext("New learners"), tuple(r[1] for r in rows)),
        Series(tr.gettext("Active learners"), tuple(r[2] for r in rows)),
    )
    title = tr.gettext("New and active learners per week")
    return Chart("weekly", title, _bars(title, labels, series, _note(tr)))


def _funnels(report: Report, catalog: Catalog, tr: Translator) -> list[Chart]:
    titles, charts = _lesson_titles(catalog, tr.locale), []
    for track in catalog.tracks:
        rows = [r for r in report["funnel"].rows if r[0] == track.key]
        if not rows or not shown(rows[0][2]):
            continue
        labels = [
            tr.gettext("Started")
            if step == "started"
            else tr.gettext("Completed the track")
            if step == "completed"
            else f"{n}. {titles[step]}"
            for n, (_, step, _) in enumerate(rows)
        ]
        title = tr.gettext("{track}: from start to finish", track=track.text_for(tr.locale).title)
        series = (Series(tr.gettext("Learners"), tuple(r[2] for r in rows)),)
        png = _bars(title, labels, series, _note(tr))
        charts.append(Chart(f"funnel-{track.key}", title, png))
    return charts


def _completion(report: Report, name: str, tr: Translator) -> Chart | None:
    rows = report[name].rows[:TOP]
    if not rows:
        return None
    if name == "by_language":
        labels = [LANGUAGE_NAMES.get(r[0], r[0] or "?") for r in rows]
        title = tr.gettext("Lessons started and completed, by language")
    else:
        labels = [r[0] for r in rows]
        title = tr.gettext("Lessons started and completed, by cohort")
    series = (
        Series(tr.gettext("Started a lesson"), tuple(r[1] for r in rows)),
        Series(tr.gettext("Completed a lesson"), tuple(r[2] for r in rows)),
    )
    return Chart(name, title, _bars(title, labels, series, _note(tr)))


def _top(rows: Sequence[tuple[Cell, ...]], first: int, limit: int = TOP) -> list[tuple[Cell, ...]]:
    """The `limit` rows with the most shown in their cells, in their original order."""
    ranked = sorted(rows, key=lambda r: -sum(shown(c) for c in r[first:]))[:limit]
    return [r for r in rows if r in ranked]


def _per_lesson(report: Report, catalog: Catalog, tr: Translator) -> list[Chart]:
    """Quiz answers, ACT! reached and usefulness: one bar group per lesson (its title)."""
    titles = _lesson_titles(catalog, tr.locale)
    quiz = [(tr.gettext("Option {number}", number=i + 1), 1 + i) for i in range(4)]
    specs = [
        ("quiz", tr.gettext("Quiz answers per option"), 1, BARS // 4, quiz),
        (
            "act",
            tr.gettext("Who reached the ACT! step"),
            1,
            TOP,
            [(tr.gettext("Opened the lesson"), 1), (tr.gettext("Reached ACT!"), 2)],
        ),
        (
            "feedback",
            tr.gettext("Was this lesson useful?"),
            2,
            TOP,
            [(tr.gettext("Useful"), 2), (tr.gettext("Not really"), 3)],
        ),
    ]
    charts = []
    for name, title, first, limit, columns in specs:
        rows = _top(report[name].rows, first, limit)
        if rows:
            series = [Series(label, tuple(r[i] for r in rows)) for label, i in columns]
            labels = [titles.get(str(r[0]), str(r[0])) for r in rows]
            charts.append(Chart(name, title, _bars(title, labels, series, _note(tr))))
    return charts


def _help(report: Report, tr: Translator, category_names: dict[str, str]) -> list[Chart]:
    charts = []
    by_category = report["help_by_category"].rows
    if by_category:
        title = tr.gettext("Learners shown help, by need")
        labels = [category_names.get(str(r[0]), str(r[0])) for r in by_category]
        one = [Series(tr.gettext("Learners"), tuple(r[1] for r in by_category))]
        charts.append(Chart("help-category", title, _bars(title, labels, one, _note(tr))))
    by_country = report["help_by_country"].rows[:TOP]
    if by_country:
        title = tr.gettext("Help opened and shown, by country")
        labels = [str(r[0]).upper() for r in by_country]
        series = (
            Series(tr.gettext("Opened help"), tuple(r[1] for r in by_country)),
            Series(tr.gettext("Shown a service"), tuple(r[2] for r in by_country)),
        )
        charts.append(Chart("help-country", title, _bars(title, labels, series, _note(tr))))
    return charts


def render(
    report: Report, catalog: Catalog, tr: Translator, category_names: dict[str, str]
) -> list[Chart]:
    """Every chart that has something to show, in the coordinator's language."""
    charts = [
        _weekly(report, tr),
        *_funnels(report, catalog, tr),
        _completion(report, "by_language", tr),
        _completion(report, "by_cohort", tr),
        *_per_lesson(report, catalog, tr),
        *_help(report, tr, category_names),
    ]
    return [c for c in charts if c is not None]
