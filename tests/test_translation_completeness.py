"""Translation coverage and the catalog checks CI runs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import write_po
from typer.testing import CliRunner

from bot.cli import app
from bot.i18n.checks import compile_errors, placeholder_errors, template_drift
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


def _copy_package(tmp_path: Path) -> Path:
    package = tmp_path / "bot"
    shutil.copytree(ROOT / "bot", package, ignore=shutil.ignore_patterns("__pycache__"))
    return package


def test_the_template_is_current_whatever_header_the_extractor_writes(tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", locale)
    pot = locale / "ura.pot"
    text = pot.read_text(encoding="utf-8")
    header = re.sub(r'"Generated-By: Babel [^"]*"', '"Generated-By: Babel 9.99.0\\\\n"', text)
    header = re.sub(
        r'"POT-Creation-Date: [^"]*"', '"POT-Creation-Date: 2030-01-01 00:00+0000\\\\n"', header
    )
    assert header != text
    pot.write_text(header, encoding="utf-8")
    assert template_drift(ROOT / "bot", locale) == []


def test_a_new_or_removed_message_makes_the_template_stale(tmp_path: Path) -> None:
    package = _copy_package(tmp_path)
    view = package / "views" / "menus.py"
    source = view.read_text(encoding="utf-8")
    view.write_text(source + '\n\ndef extra(tr):\n    return tr.gettext("A brand new line")\n')
    drift = template_drift(package, ROOT / "locale")
    assert drift == ["missing from ura.pot: 'A brand new line'"]
    view.write_text(source.replace('tr.gettext("Choose your language:")', '"Choose"'))
    drift = template_drift(package, ROOT / "locale")
    assert drift == ["no longer in the code: 'Choose your language:'"]


def test_a_catalog_that_does_not_compile_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "sq" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "ura.po").write_text('msgid "One"\nmsgstr "Një\nmsgid\n', encoding="utf-8")
    errors = compile_errors(tmp_path)
    assert len(errors) == 1 and "sq/LC_MESSAGES/ura.po: does not compile" in errors[0]
    assert compile_errors(ROOT / "locale") == []
