"""The referral directory: `referrals/directory/<cc>.yaml` validated into frozen dataclasses.

The bot shows a young man phone numbers from this directory and from nowhere else, so a bad
number is worse than a missing one. Every file is checked in one pass and every problem is
reported with its file, line and field, like the lesson files (`bot.learning.loader`).
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from sqlalchemy import func, select

from bot.db.staff_models import DirectoryPublication
from bot.files import ContentError, ContentInvalid, YamlReader, line_of
from bot.help.directory_schema import COUNTRIES, COUNTRY_NAMES, CountryFile, ServiceFile
from bot.help.directory_texts import missing_texts, pick_text

if TYPE_CHECKING:
    from bot.db.uow import UnitOfWork

__all__ = [
    "COUNTRIES",
    "Country",
    "Directory",
    "DirectoryStore",
    "Service",
    "load_directory",
    "load_directory_files",
]

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Service:
    """One helpline or service, as the help flow shows it."""

    key: str
    country: str
    name: str  # in English, for moderators and statistics; learners see `name_for`
    names: dict[str, str]
    about: dict[str, str]
    categories: tuple[str, ...]
    emergency: bool
    region: str | None
    phone: str | None
    website: str | None
    telegram: str | None
    hours: dict[str, str] | None
    cost: str
    anonymous: bool | None
    languages: tuple[str, ...]
    source: str
    verified_on: date | None

    def name_for(self, locale: str) -> str:
        """The name in the reader's language, else along `directory_chain` (ky → ru → en)."""
        return pick_text(self.names, locale)

    def about_for(self, locale: str) -> str:
        """The description in the reader's language, else along `directory_chain`."""
        return pick_text(self.about, locale)

    def hours_for(self, locale: str) -> str | None:
        return pick_text(self.hours, locale) if self.hours else None


@dataclass(frozen=True)
class Country:
    """One country file: its names and its services in file order."""

    code: str
    names: dict[str, str]
    services: tuple[Service, ...]

    def name_for(self, locale: str) -> str:
        """The country's name in `locale` (any ISO code in the file), else along the chain."""
        return pick_text(self.names, locale)


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
        name=f.name["en"],
        names=dict(f.name),
        about=dict(f.about),
        categories=tuple(f.categories),
        emergency=f.emergency,
        region=f.region,
        phone=f.phone,
        website=f.website,
        telegram=f.telegram,
        hours=dict(f.hours) if f.hours else None,
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
        texts = {"name": f.name, "about": f.about, "hours": f.hours}
        for field, code in missing_texts(cc, texts):
            self.reader.error(path, node, [*loc, field], f'no "{code}" text')
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


# ---------------------------------------------------------------------------- published sets


def is_directory_file(name: str) -> bool:
    """A file that belongs to the directory's set: `<cc>.yaml` (and `.yml`, to be refused)."""
    return Path(name).name == name and name.endswith((".yaml", ".yml"))


def directory_files(root: Path) -> dict[str, str]:
    """The directory files in a folder (the ones shipped with Ura), by file name."""
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(root.iterdir())
        if path.is_file() and not path.name.startswith(".") and is_directory_file(path.name)
    }


def load_directory_files(files: Mapping[str, str], *, today: date | None = None) -> Directory:
    """Validate a set of files held in memory (an upload, a publication) with the very same
    loader as the folder; errors name the file by its own name, not a temporary path."""
    with tempfile.TemporaryDirectory(prefix="ura-directory-") as tmp:
        root = Path(tmp)
        for name, text in files.items():
            if not is_directory_file(name):
                raise ContentInvalid(
                    [ContentError(Path(name), 1, "(file name)", "name it <cc>.yaml")]
                )
            (root / name).write_text(text, encoding="utf-8")
        try:
            return load_directory(root, today=today)
        except ContentInvalid as exc:
            errors = [replace(e, path=Path(e.path.name)) for e in exc.errors]
            raise ContentInvalid(errors) from None


class DirectoryStore:
    """The directory this process serves, from memory (help must work with the database
    down), following the newest publication.

    A path that already has a unit of work calls `refresh`: at most every `check_every`
    seconds it asks for the newest publication id (one indexed `max`) and loads that set
    when it is newer. `check_every=None` never looks (the shipped files only). With no
    publication at all, the files shipped with Ura are served.
    """

    def __init__(
        self,
        directory: Directory,
        *,
        root: Path | None = None,
        check_every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._directory, self._root = directory, root
        self._files: dict[str, str] | None = None
        self._version = 0  # 0: the shipped files
        self._check_every, self._clock = check_every, clock
        self._checked_at: float | None = None

    @property
    def directory(self) -> Directory:
        """What this process serves now (possibly a few seconds behind)."""
        return self._directory

    @property
    def version(self) -> int:
        """The publication served (0 for the shipped files)."""
        return self._version

    def files(self) -> dict[str, str]:
        """The files of the set served now, by name (for a download, or to merge an upload)."""
        if self._files is None:
            self._files = directory_files(self._root) if self._root else {}
        return dict(self._files)

    async def refresh(self, uow: UnitOfWork, *, force: bool = False) -> Directory:
        """The directory, re-read first if a newer set was published since the last look."""
        now = self._clock()
        due = self._checked_at is None or now - self._checked_at >= (self._check_every or 0)
        if not force and (self._check_every is None or not due):
            return self._directory
        self._checked_at = now
        newest = await uow.session.scalar(select(func.max(DirectoryPublication.id)))
        if newest and newest != self._version:
            row = await uow.session.get(DirectoryPublication, newest)
            if row is not None:
                self.install(row.id, dict(row.files))
        return self._directory

    def install(self, version: int, files: Mapping[str, str]) -> None:
        """Serve this published set; a set that no longer loads keeps the old one (logged)."""
        try:
            directory = load_directory_files(files, today=date.max)
        except ContentInvalid as exc:
            log.error(
                "directory publication %d does not load (%d errors)", version, len(exc.errors)
            )
            self._version = version  # do not try it again on every look
            return
        self._directory, self._files, self._version = directory, dict(files), version
