"""The shape of `referrals/directory/<cc>.yaml`: what a moderator may write, checked per field.

Checks that need more than one field, or more than one file, live in `bot.help.directory`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.help.categories import HELP_CATEGORIES
from bot.help.directory_texts import check_texts, is_neutral
from bot.i18n.locales import DEFAULT_LOCALE

# The countries we cover, in the order the country question lists them. The English names
# are for moderators' messages only; learners see each file's own `name:`. The last, `zz`,
# is "another country, or rather not say": what helps anywhere (112, international lists).
COUNTRY_NAMES: dict[str, str] = {
    "xk": "Kosovo",
    "rs": "Serbia",
    "mk": "North Macedonia",
    "al": "Albania",
    "kg": "Kyrgyzstan",
    "kz": "Kazakhstan",
    "uz": "Uzbekistan",
    "tj": "Tajikistan",
    "ru": "Russia",
    "ba": "Bosnia and Herzegovina",
    "me": "Montenegro",
    "tr": "Türkiye",
    "de": "Germany",
    "zz": "Another country (international options)",
}
COUNTRIES: tuple[str, ...] = tuple(COUNTRY_NAMES)

# Where speakers of each language most often are (home, then where many work): their
# countries come first in a list of numbers and in the country question, so a young man in
# Osh does not scroll past the Balkans to find Kyrgyzstan.
LIKELY_COUNTRIES: dict[str, tuple[str, ...]] = {
    "sq": ("xk", "al", "mk", "me", "de"),
    "sr": ("rs", "ba", "me", "xk", "de"),
    "ru": ("ru", "kz", "kg"),
    "ky": ("kg", "ru", "kz"),
    "kk": ("kz", "ru"),
    "uz": ("uz", "ru", "kz", "tr"),
    "tg": ("tj", "ru"),
}


def likely_first(codes: tuple[str, ...] | list[str], locale: str) -> list[str]:
    """`codes` with the countries likely for speakers of `locale` first, the rest in order."""
    likely = LIKELY_COUNTRIES.get(locale, ())
    return sorted(codes, key=lambda code: likely.index(code) if code in likely else len(likely))


SERVICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,47}$")
PHONE = re.compile(r"^\+?[0-9]+( [0-9]+)*$")
TELEGRAM = re.compile(r"^@[A-Za-z0-9_]{4,32}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
MIN_CITATION_CHARS = 20

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
AboutText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]


def _check_url(value: str) -> str:
    """Only http(s) links to a real host: a typo here sends a person in crisis nowhere."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in value:
        raise ValueError(f"not a web address: {value!r}; write it as https://example.org/page")
    return value


class _Strict(BaseModel):
    """Unknown fields are mistakes: a misspelt key must not silently drop a number."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceFile(_Strict):
    """One entry under `services:`."""

    id: str
    name: dict[str, ShortText]
    about: dict[str, AboutText]
    categories: list[str] = Field(min_length=1)
    emergency: bool = False
    region: ShortText | None = None
    phone: str | None = None
    website: str | None = None
    telegram: str | None = None
    hours: dict[str, ShortText] | None = None
    cost: Literal["free", "paid", "low_cost", "unknown"] = "unknown"
    anonymous: bool | None = None
    languages: list[str] = Field(default_factory=list)
    source: str
    verified_on: date | None

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        """Ids are stable keys in links and statistics, so keep them plain."""
        if not SERVICE_ID.match(value):
            raise ValueError(
                f"use 3 to 48 small letters, digits and '-' (like rs-emergency), not {value!r}"
            )
        return value

    @field_validator("name", mode="before")
    @classmethod
    def _name_per_language(cls, value: object) -> object:
        """A name is read by people in several languages, so it is written in each."""
        if isinstance(value, str):
            raise ValueError(f"write the name in each language: name: {{en: {value}, ...}}")
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _hours_per_language(cls, value: object) -> object:
        """'24/7' reads the same in every language; 'every day 14:00–23:00' does not."""
        if isinstance(value, str):
            if not is_neutral(value):
                raise ValueError(
                    f"{value!r} has words in it: write it in each language, "
                    f'hours: {{en: {value}, ...}}; only hours such as "24/7" may be one text'
                )
            return {DEFAULT_LOCALE: value}
        return value

    @field_validator("name", "about", "hours")
    @classmethod
    def _text_locales(cls, texts: dict[str, str] | None) -> dict[str, str] | None:
        """English is the last step of every fallback chain, so it must exist."""
        if texts is not None:
            check_texts(texts)
        return texts

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, categories: list[str]) -> list[str]:
        """Screening maps a message to these names; any other name would never be shown."""
        unknown = sorted(set(categories) - set(HELP_CATEGORIES))
        if unknown:
            raise ValueError(f"unknown category {unknown}; allowed: {list(HELP_CATEGORIES)}")
        if len(set(categories)) != len(categories):
            raise ValueError("a category is listed twice")
        return categories

    @field_validator("phone", mode="before")
    @classmethod
    def _phone_format(cls, value: object) -> object:
        """As people dial it; `112` unquoted in YAML is a number, and 0800 numbers lose zeros."""
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(f'put the number in quotes, e.g. phone: "{value}"')
        if isinstance(value, str) and not PHONE.match(value):
            raise ValueError(
                f"not a phone number: {value!r}; use digits, spaces and a leading + only"
            )
        return value

    @field_validator("website")
    @classmethod
    def _website_format(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value)

    @field_validator("telegram")
    @classmethod
    def _telegram_format(cls, value: str | None) -> str | None:
        if value is not None and not TELEGRAM.match(value):
            raise ValueError(f"not a Telegram username: {value!r}; write it as @name")
        return value

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, languages: list[str]) -> list[str]:
        bad = [code for code in languages if not LANGUAGE.match(code)]
        if bad:
            raise ValueError(f"use ISO language codes such as sq, sr, ru, en; not {bad}")
        return languages

    @field_validator("source")
    @classmethod
    def _source_traceable(cls, value: str) -> str:
        """A number nobody can trace back to where it was published cannot be re-checked."""
        value = value.strip()
        if value.startswith(("http://", "https://")):
            return _check_url(value)
        if len(value) < MIN_CITATION_CHARS:
            raise ValueError(
                "give the web address where the number was published, or a precise citation"
            )
        return value


class CountryFile(_Strict):
    """`referrals/directory/<cc>.yaml`."""

    country: str  # must be the file name's code: the loader checks it
    name: dict[str, ShortText]
    services: list[ServiceFile] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _name_locales(cls, name: dict[str, str]) -> dict[str, str]:
        if DEFAULT_LOCALE not in name:
            raise ValueError("needs an English name: add `en: ...`")
        bad = [code for code in name if not LANGUAGE.match(code)]
        if bad:
            raise ValueError(f"use ISO language codes as keys, not {bad}")
        return name
