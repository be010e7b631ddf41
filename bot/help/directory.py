"""The referral directory: `referrals/directory/<cc>.yaml` validated into frozen dataclasses.

The bot shows a young man phone numbers from this directory and from nowhere else, so a bad
number is worse than a missing one. Every file is checked in one pass and every problem is
reported with its file, line and field, like the lesson files (`bot.learning.loader`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from bot.files import ContentError, ContentInvalid, YamlReader, line_of
from bot.help.directory_schema import COUNTRIES, COUNTRY_NAMES, CountryFile, ServiceFile
from bot.i18n.locales import pick

__all__ = ["COUNTRIES", "Country", "Directory", "Service", "load_directory"]

# ---------------------------------------------------------------------------- values


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
        return pick(self.about, locale)


@dataclass(frozen=True)
class Country:
    """One country file: its names and its services in file order."""

    code: str
    names: dict[str, str]
    services: tuple[Service, ...]

    def name_for(self, locale: str) -> str:
        """The country's name in `locale` (any ISO code in the file), else along the chain."""
        return pick(self.names, locale)


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
            self.seen[f.id] = (path, line_of(node, [*loc, "id"]))
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
            reader.file_error(path, "(file name)", "name it <cc>.yaml")
            continue
        if path.suffix != ".yaml":
            continue  # README and notes may live beside the data
        if path.stem not in COUNTRIES:
            reader.file_error(
                path,
                "country",
                f"unknown country file {path.name!r}; use one of "
                + ", ".join(f"{c}.yaml ({COUNTRY_NAMES[c]})" for c in COUNTRIES),
            )
            continue
        parsed = reader.parse(path, CountryFile)
        country = checker.country(path, parsed[1], parsed[0]) if parsed else None
        # A broken file was reported already; do not report its country as missing too.
        found[path.stem] = country or Country(path.stem, {}, ())
    for code in COUNTRIES:
        if code not in found:
            reader.file_error(
                root / f"{code}.yaml",
                "(file)",
                f"no file for {COUNTRY_NAMES[code]}: every country needs its emergency numbers",
            )
    reader.raise_if_any()
    return Directory(countries=tuple(found[code] for code in COUNTRIES))
