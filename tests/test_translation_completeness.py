"""Translation coverage and the catalog checks CI runs."""

from __future__ import annotations

import json
from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import write_po
from typer.testing import CliRunner

from bot.cli import app
from bot.i18n.checks import placeholder_errors
from bot.i18n.completeness import measure
from bot.i18n.locales import SUPPORTED_LOCALES
from bot.learning.loader import load_catalog

ROOT = Path(__file__).resolve().parent.parent
LESSONS = load_catalog(ROOT / "lessons")


def test_coverage_json_has_the_agreed_shape() -> None:
    result = CliRunner().invoke(app, ["i18n", "coverage", "--json", "--dir", str(ROOT / "lessons")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["tracks"] == len(LESSONS.tracks) and data["lessons"] == 24
    assert set(data["locales"]) == set(SUPPORTED_LOCALES)
    for figures in data["locales"].values():
        assert set(figures) == {
            "ui",
            "ui_reviewed",
            "lessons",
            "lessons_reviewed",
            "complete_tracks",
        }
        assert all(0 <= figures[k] <= 1 for k in figures if k != "complete_tracks")


def test_the_curriculum_meets_the_coverage_promise() -> None:
    """Every UI string in all eight locales; lessons whole in en, sq, sr, ru, and at least
    one whole track in ky, kk, uz, tg. Drafts count as translated, not as reviewed."""
    coverage = measure(LESSONS, ROOT / "locale")
    assert coverage.tracks == 4 and all(len(t.lessons) >= 6 for t in LESSONS.tracks)
    for locale, c in coverage.locales.items():
        assert c.ui == 1.0, f"{locale}: UI strings missing; run `make i18n` and translate"
        assert c.lessons_reviewed <= c.lessons and c.ui_reviewed <= c.ui
        if locale in ("en", "sq", "sr", "ru"):
            assert c.lessons == 1.0 and c.complete_tracks == 4, locale
        else:
            assert c.complete_tracks >= 1, locale
    assert coverage.locales["en"].lessons_reviewed == 1.0
    assert coverage.locales["sq"].lessons_reviewed == 0.0, "drafts are not counted as reviewed"


def test_drafted_and_reviewed_are_counted_apart(tmp_path: Path) -> None:
    template = PoCatalog(locale=None)
    for text in ("One", "Two", "Three", "Four"):
        template.add(text)
    (tmp_path / "ura.pot").write_bytes(_po_bytes(template))
    catalog = PoCatalog(locale="sq")
    catalog.add("One", "Një")
    catalog.add("Two", "Dy", flags=("fuzzy",))
    catalog.add("Three", "")
    folder = tmp_path / "sq" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "ura.po").write_bytes(_po_bytes(catalog))
    coverage = measure(LESSONS, tmp_path)
    assert (coverage.locales["sq"].ui, coverage.locales["sq"].ui_reviewed) == (0.5, 0.25)
    assert coverage.locales["kk"].ui == 0.0, "no catalog at all"


def test_a_renamed_placeholder_is_caught(tmp_path: Path) -> None:
    catalog = PoCatalog(locale="sr")
    catalog.add("Continue: {title}", "Nastavi: {naslov}")
    catalog.add("Fine: {title}", "U redu: {title}")
    catalog.add(("{n} lesson", "{n} lessons"), ("{n} lekcija", "{n} lekcije", "lekcija"))
    folder = tmp_path / "sr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "ura.po").write_bytes(_po_bytes(catalog))
    errors = placeholder_errors(tmp_path)
    assert len(errors) == 2
    assert "['naslov']" in errors[0] and "ura.po:" in errors[0]
    assert "msgstr[2]" in errors[1]


def test_the_real_catalogs_keep_every_placeholder() -> None:
    assert placeholder_errors(ROOT / "locale") == []


def _po_bytes(catalog: PoCatalog) -> bytes:
    import io

    out = io.BytesIO()
    write_po(out, catalog)
    return out.getvalue()
