"""The referral directory: `referrals/directory/<cc>.yaml` validated into frozen dataclasses.

The bot shows a young man phone numbers from this directory and from nowhere else, so a bad
number is worse than a missing one. Every file is checked in one pass and every problem is
reported with its file, line and field, like the lesson files (`bot.content.loader`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.categories import HELP_CATEGORIES
from bot.content.loader import ContentError, ContentInvalid, YamlReader
from bot.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, fallback_chain

COUNTRIES: tuple[str, ...] = ("xk", "rs", "mk", "al", "kg", "kz", "uz", "tj")

# For messages only: the moderator sees which country a code means.
COUNTRY_NAMES: dict[str, str] = {
    "xk": "Kosovo",
    "rs": "Serbia",
    "mk": "North Macedonia",
    "al": "Albania",
    "kg": "Kyrgyzstan",
    "kz": "Kazakhstan",
    "uz": "Uzbekistan",
    "tj": "Tajikistan",
}

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


# ---------------------------------------------------------------------------- file schema


class _Strict(BaseModel):
    """Unknown fields are mistakes: a misspelt key must not silently drop a number."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceFile(_Strict):
    """One entry under `services:`."""

    id: str
    name: ShortText
    about: dict[str, AboutText]
    categories: list[str] = Field(min_length=1)
    emergency: bool = False
    region: ShortText | None = None
    phone: str | None = None
    website: str | None = None
    telegram: str | None = None
    hours: ShortText | None = None
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

    @field_validator("about")
    @classmethod
    def _about_locales(cls, about: dict[str, str]) -> dict[str, str]:
        """English is the last step of every fallback chain, so it must exist."""
        if DEFAULT_LOCALE not in about:
            raise ValueError("needs an English text: add `en: ...`")
        unknown = sorted(set(about) - set(SUPPORTED_LOCALES))
        if unknown:
            raise ValueError(f"unknown locale(s) {unknown}; use {list(SUPPORTED_LOCALES)}")
        return about

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

    country: Literal["xk", "rs", "mk", "al", "kg", "kz", "uz", "tj"]
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


# ---------------------------------------------------------------------------- values


def _pick(texts: dict[str, str], locale: str) -> str:
    """The text in `locale`, else the first one along its fallback chain (ending in English)."""
    for candidate in (locale, *fallback_chain(locale)):
        if candidate in texts:
            return texts[candidate]
    return texts[DEFAULT_LOCALE]


@dataclass(frozen=True)
class Service:
    """One helpline or service, as the help flow shows it."""

    key: str
    country: str
    name: str
    about: dict[str, str]
    categories: tuple[str, ...]
    emergency: bool
    region: str | None
    phone: str | None
    website: str | None
    telegram: str | None
    hours: str | None
    cost: str
    anonymous: bool | None
    languages: tuple[str, ...]
    source: str
    verified_on: date | None

    def about_for(self, locale: str) -> str:
        """The description in the reader's language, falling back as lessons do (ky → ru → en)."""
        return _pick(self.about, locale)


@dataclass(frozen=True)
class Country:
    """One country file: its names and its services in file order."""

    code: str
    names: dict[str, str]
    services: tuple[Service, ...]

    def name_for(self, locale: str) -> str:
        """The country's name in `locale` (any ISO code in the file), else along the chain."""
        return _pick(self.names, locale)


@dataclass(frozen=True)
class Directory:
    """Every country, in the order of `COUNTRIES`."""

    countries: tuple[Country, ...]

    def country(self, code: str) -> Country | None:
        """The country with this code, or None for a code the directory does not cover."""
        return next((c for c in self.countries if c.code == code), None)

    def emergency(self, code: str) -> tuple[Service, ...]:
        """The emergency numbers shown with every crisis answer for that country."""
        found = self.country(code)
        return tuple(s for s in found.services if s.emergency) if found else ()

    def services_for(self, code: str, category: str) -> tuple[Service, ...]:
        """Non-emergency services for one help category, in the order the file lists them."""
        found = self.country(code)
        if found is None:
            return ()
        return tuple(s for s in found.services if not s.emergency and category in s.categories)

    def stale(self, *, today: date, max_age_days: int) -> tuple[Service, ...]:
        """Entries a coordinator should re-check: never verified, or verified too long ago."""
        limit = today - timedelta(days=max_age_days)
        return tuple(
            s
            for c in self.countries
            for s in c.services
            if s.verified_on is None or s.verified_on < limit
        )


# ---------------------------------------------------------------------------- loading


def _service(country: str, f: ServiceFile) -> Service:
    return Service(
        key=f.id,
        country=country,
        name=f.name,
        about=dict(f.about),
        categories=tuple(f.categories),
        emergency=f.emergency,
        region=f.region,
        phone=f.phone,
        website=f.website,
        telegram=f.telegram,
        hours=f.hours,
        cost=f.cost,
        anonymous=f.anonymous,
        languages=tuple(f.languages),
        source=f.source,
        verified_on=f.verified_on,
    )


def _id_line(node: yaml.Node, index: int) -> int:
    """The line of `services[index].id`, so a duplicate can point at the first one."""
    line: int = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        services = next((v for k, v in node.value if k.value == "services"), None)
        if isinstance(services, yaml.SequenceNode) and index < len(services.value):
            item = services.value[index]
            line = item.start_mark.line + 1
            if isinstance(item, yaml.MappingNode):
                key = next((k for k, _ in item.value if k.value == "id"), None)
                line = key.start_mark.line + 1 if key is not None else line
    return line


class _Checker:
    """Checks that need more than one field: per service, per file and across files."""

    def __init__(self, reader: YamlReader, today: date) -> None:
        self.reader = reader
        self.today = today
        self.seen: dict[str, tuple[Path, int]] = {}

    def service(self, path: Path, node: yaml.Node, index: int, f: ServiceFile, cc: str) -> None:
        loc: list[str | int] = ["services", index]
        if not f.id.startswith(f"{cc}-"):
            self.reader.error(path, node, [*loc, "id"], f"must start with the country code: {cc}-")
        if f.id in self.seen:
            other, line = self.seen[f.id]
            self.reader.error(
                path, node, [*loc, "id"], f"id {f.id!r} is already used in {other.name}:{line}"
            )
        else:
            self.seen[f.id] = (path, _id_line(node, index))
        if f.emergency and f.phone is None:
            self.reader.error(path, node, [*loc, "phone"], "an emergency entry needs a phone")
        if f.phone is None and f.website is None and f.telegram is None:
            self.reader.error(
                path, node, [*loc, "phone"], "give at least one of phone, website or telegram"
            )
        if f.verified_on is not None and f.verified_on > self.today:
            self.reader.error(
                path,
                node,
                [*loc, "verified_on"],
                f"{f.verified_on} is in the future (today is {self.today})",
            )

    def country(self, path: Path, node: yaml.Node, f: CountryFile) -> Country | None:
        """Validate one parsed file; None if it names the wrong country."""
        if f.country != path.stem:
            self.reader.error(
                path, node, ["country"], f"is {f.country!r} but the file is {path.name}"
            )
            return None
        for index, service in enumerate(f.services):
            self.service(path, node, index, service, f.country)
        if not any(s.emergency and s.phone for s in f.services):
            self.reader.error(
                path,
                node,
                ["services"],
                "every country needs at least one service with `emergency: true` and a phone",
            )
        return Country(
            code=f.country,
            names=dict(f.name),
            services=tuple(_service(f.country, s) for s in f.services),
        )


def load_directory(root: Path, *, today: date | None = None) -> Directory:
    """Load and validate every `<cc>.yaml` under `root`; raise `ContentInvalid` listing all errors.

    `today` is when `verified_on` may not be later than (the real date unless given).
    """
    reader = YamlReader()
    if not root.is_dir():
        raise ContentInvalid([ContentError(root, 1, "(folder)", "directory folder not found")])
    checker = _Checker(reader, today or date.today())
    found: dict[str, Country] = {}
    for path in sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.suffix == ".yml":
            reader.errors.append(ContentError(path, 1, "(file name)", "name it <cc>.yaml"))
            continue
        if path.suffix != ".yaml":
            continue  # README and notes may live beside the data
        if path.stem not in COUNTRIES:
            reader.errors.append(
                ContentError(
                    path,
                    1,
                    "country",
                    f"unknown country file {path.name!r}; use one of "
                    + ", ".join(f"{c}.yaml ({COUNTRY_NAMES[c]})" for c in COUNTRIES),
                )
            )
            continue
        parsed = reader.parse(path, CountryFile)
        country = checker.country(path, parsed[1], parsed[0]) if parsed else None
        # A broken file was reported already; do not report its country as missing too.
        found[path.stem] = country or Country(path.stem, {}, ())
    for code in COUNTRIES:
        if code not in found:
            reader.errors.append(
                ContentError(
                    root / f"{code}.yaml",
                    1,
                    "(file)",
                    f"no file for {COUNTRY_NAMES[code]}: every country needs its emergency numbers",
                )
            )
    if reader.errors:
        raise ContentInvalid(reader.errors)
    return Directory(countries=tuple(found[code] for code in COUNTRIES))
