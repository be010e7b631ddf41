"""UI strings through Babel gettext catalogs, with each locale's fallback chain.

A `Translator` is built per update from the user's locale and passed along explicitly;
there is no global or context-variable locale that could leak between concurrent updates.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from bot.i18n.locales import DEFAULT_LOCALE, FORMAT_LOCALES, SUPPORTED_LOCALES, fallback_chain

DOMAIN = "ura"


class CatalogsMissing(RuntimeError):
    """The compiled `.mo` files are absent: the build step was skipped."""


class Translator:
    """Translates and formats for one locale."""

    def __init__(self, locale: str, translations: gettext.NullTranslations) -> None:
        self.locale = locale
        self._format_locale = FORMAT_LOCALES.get(locale, locale)
        self._t = translations

    def gettext(self, message: str, /, **values: Any) -> str:
        """The translated message with its named placeholders filled in."""
        text = self._t.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The plural form for `n` under this language's rules; `{n}` is filled in."""
        return self._t.ngettext(singular, plural, n).format(n=self.number(n), **values)

    def number(self, value: int) -> str:
        """A number written the local way."""
        return format_decimal(value, locale=self._format_locale)

    def date(self, value: date | datetime) -> str:
        """A date written the local way (e.g. '22 nov. 2026', '22 нояб. 2026 г.')."""
        return format_date(value, format="medium", locale=self._format_locale)


class Catalogs:
    """Every locale's translator, loaded once at start-up."""

    def __init__(self, locale_dir: Path) -> None:
        self._translators: dict[str, Translator] = {}
        compiled = list(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
        if not compiled:
            raise CatalogsMissing(
                f"no compiled catalogs under {locale_dir}: run `make i18n` (pybabel compile)"
            )
        for locale in SUPPORTED_LOCALES:
            chain: NullTranslations | None = None
            for candidate in reversed(fallback_chain(locale)):
                loaded = Translations.load(str(locale_dir), [candidate], domain=DOMAIN)
                if chain is not None:
                    loaded.add_fallback(chain)
                chain = loaded
            assert chain is not None
            self._translators[locale] = Translator(locale, chain)

    def get(self, locale: str | None) -> Translator:
        """The translator for a locale, English for anything unknown."""
        return self._translators.get(locale or DEFAULT_LOCALE, self._translators[DEFAULT_LOCALE])


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message
