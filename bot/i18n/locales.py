"""The languages Ura speaks and how each falls back; plain data, shared by content and i18n."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")

DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "sq", "sr", "ru", "ky", "kk", "uz", "tg")

# Each language's own name, shown in the picker (never translated: a person looks for his own).
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "sq": "Shqip",
    "sr": "Srpski",
    "ru": "Русский",
    "ky": "Кыргызча",
    "kk": "Қазақша",
    "uz": "Oʻzbekcha",
    "tg": "Тоҷикӣ",
}

# The CLDR locale that formats dates and numbers in the script we write (Serbian and Uzbek in
# Latin letters; CLDR's plain `sr` is Cyrillic).
FORMAT_LOCALES: dict[str, str] = {"sr": "sr_Latn", "uz": "uz_Latn"}

_PARENTS: dict[str, str] = {"ky": "ru", "kk": "ru", "uz": "ru", "tg": "ru", "ru": "en"}


def fallback_chain(locale: str) -> tuple[str, ...]:
    """The locales to try in order, e.g. ky → ru → en; always ends in English."""
    chain = [locale] if locale in SUPPORTED_LOCALES else []
    current = locale
    while current in _PARENTS:
        current = _PARENTS[current]
        chain.append(current)
    if DEFAULT_LOCALE not in chain:
        chain.append(DEFAULT_LOCALE)
    return tuple(chain)


def pick(texts: Mapping[str, T], locale: str) -> T:
    """The text in `locale`, else the first along its fallback chain; English always exists."""
    for candidate in (locale, *fallback_chain(locale)):
        if candidate in texts:
            return texts[candidate]
    return texts[DEFAULT_LOCALE]


def negotiate(language_code: str | None) -> str:
    """Map Telegram's `language_code` (e.g. 'sr-Latn', 'ru-RU') to a supported locale."""
    if not language_code:
        return DEFAULT_LOCALE
    base = language_code.replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED_LOCALES else DEFAULT_LOCALE
