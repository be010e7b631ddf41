"""Catalog checks CI runs (`ura i18n check`): the template is current, every catalog
compiles, and every translation keeps its msgid's placeholders.

The template is compared by its messages (id, plural, context, flags), never by the header
the extractor writes, so a new Babel release cannot turn CI red on its own.
"""

from __future__ import annotations

import io
import string
from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogs import DOMAIN
from bot.i18n.completeness import msgids, msgstrs, read_catalog

# The same extraction `make i18n` runs (babel.cfg; `N_` marks strings defined ahead of use).
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
Key = tuple[object, object, frozenset[str]]


def extract(package: Path) -> PoCatalog:
    """The messages the code of the `bot` package (at `package`) asks for today."""
    fresh = PoCatalog(project="Ura")
    found = extract_from_dir(str(package), method_map=[("**.py", "python")], keywords=KEYWORDS)
    for _file, _line, message, comments, context in found:
        fresh.add(message, None, auto_comments=comments, context=context)
    buffer = io.BytesIO()  # round-trip, so flags are computed the way the .pot's were
    write_po(buffer, fresh, omit_header=True, no_location=True)
    buffer.seek(0)
    return read_po(buffer)


def _keys(catalog: PoCatalog) -> set[Key]:
    return {(m.id, m.context, frozenset(m.flags) - {"fuzzy"}) for m in catalog if m.id}


def template_drift(package: Path, locale_dir: Path) -> list[str]:
    """What differs between the code's messages and `locale/ura.pot`, one line each."""
    committed = _keys(read_catalog(locale_dir / f"{DOMAIN}.pot"))
    fresh = _keys(extract(package))
    lines = [f"missing from {DOMAIN}.pot: {key[0]!r}" for key in fresh - committed]
    lines += [f"no longer in the code: {key[0]!r}" for key in committed - fresh]
    return sorted(lines)


def compile_errors(locale_dir: Path) -> list[str]:
    """Catalogs that are malformed or would not compile to `.mo` (fuzzy entries included, as
    the build does). Stricter than `pybabel compile`, which warns and goes on."""
    errors: list[str] = []
    for path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, abort_invalid=True)
            write_mo(io.BytesIO(), catalog, use_fuzzy=True)
        except Exception as exc:  # babel raises several kinds; each is one clear line here
            errors.append(f"{path}: does not compile: {exc}")
    return errors


def _fields(text: str) -> set[str]:
    """The named `{placeholders}` of a str.format template."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:  # an unbalanced brace: str.format would fail at run time
        return {f"<broken: {exc}>"}


def placeholder_errors(locale_dir: Path) -> list[str]:
    """Every translation whose placeholders differ from its msgid's: `file:line: problem`.

    A translator who renames `{title}` would make `str.format` raise for every user of that
    language, so CI fails on it instead.
    """
    errors: list[str] = []
    for path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        for message in read_catalog(path):
            if not message.id:
                continue
            expected = set().union(*(_fields(i) for i in msgids(message)))
            for form, text in enumerate(msgstrs(message)):
                if text and _fields(text) != expected:
                    where = f"[{form}]" if message.pluralizable else ""
                    errors.append(
                        f"{path}:{message.lineno}: msgstr{where} has "
                        f"{sorted(_fields(text))}, msgid has {sorted(expected)}"
                    )
    return errors
