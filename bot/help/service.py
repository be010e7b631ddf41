"""The help service: screen typed text, and choose which curated services to show whom.

Screening runs before anything else for every message. The text is only classified:
only its category is kept, in an event with locale, country, pseudonym and time. Every
phone number shown comes from the curated directory, never from generated text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.accounts import suggest_zone
from bot.analytics import Analytics
from bot.db.uow import UnitOfWork
from bot.help.categories import CRISIS, HELP_CATEGORIES
from bot.help.directory import COUNTRIES, Directory, DirectoryStore, Service
from bot.help.model import combine
from bot.help.reader import MeaningReader
from bot.help.screening import Screener, Verdict
from bot.learning.catalog import CatalogStore

HELP_EVENTS = ("screened", "help_shown")
# The lists read a message of this many characters in about a millisecond on the event loop;
# longer ones take turns (`HelpService.screen`), so twenty 5,000-character messages at once
# do not hold up someone else's button press between two of its steps.
LONG_TEXT = 1000
OTHER_COUNTRY = "zz"  # none of ours, or he would rather not say: international options
COUNTRY_CHOICES: tuple[str, ...] = COUNTRIES  # `zz` last
assert COUNTRY_CHOICES[-1] == OTHER_COUNTRY


@dataclass(frozen=True)
class HelpOffer:
    """The services to show for one need, in his country (or every country's emergency
    numbers while his country is not known, so a crisis answer never waits on a question)."""

    category: str
    country: str | None
    services: tuple[Service, ...]
    emergency: tuple[Service, ...]
    # When his country has no checked service for this need: the international ones (`zz`),
    # the nearest traced alternative, rather than nothing.
    elsewhere: tuple[Service, ...] = ()

    @property
    def urgent(self) -> bool:
        """A crisis: shown at once, with emergency numbers first."""
        return self.category == CRISIS

    @property
    def needs_country(self) -> bool:
        """He has not told us his country yet."""
        return self.country is None


@dataclass(frozen=True)
class HelpMenu:
    """The help menu: every need, most urgent first, then those the open lesson is about."""

    categories: tuple[str, ...]
    country: str | None


class HelpService:
    """Screening, the help menu and the services shown; nothing here knows Telegram."""

    def __init__(
        self,
        directory: Directory,
        screener: Screener,
        analytics: Analytics,
        lessons: CatalogStore,
        *,
        directory_store: DirectoryStore | None = None,
        reader: MeaningReader | None = None,
    ) -> None:
        # The directory lives in memory (help works with the database down); the store
        # follows moderators' publications when a path with a unit of work refreshes it.
        self.directory_store = directory_store or DirectoryStore(directory)
        self._screener = screener
        self.reader = reader
        self._long = asyncio.Semaphore(1)
        self._analytics = analytics
        self._lessons = lessons

    @property
    def directory(self) -> Directory:
        """The directory served now, from memory."""
        return self.directory_store.directory

    async def screen(self, text: str, locale: str) -> Verdict:
        """The lists, then the meaning model off the event loop where they do not already
        see a crisis (a crisis answer never waits for the model)."""
        if len(text) > LONG_TEXT:
            async with self._long:  # one a turn of the loop: a burst never fills a turn
                await asyncio.sleep(0)  # what was already waiting runs first
                listed = self._screener.classify(text, locale)
        else:
            listed = self._screener.classify(text, locale)
        if listed.urgent or self.reader is None:
            return listed
        return combine(listed, await self.reader.read(text))

    async def count(
        self,
        uow: UnitOfWork,
        event: str,
        *,
        user_id: int,
        category: str,
        locale: str,
        country: str | None,
        ref: str,
    ) -> None:
        """Count a `screened` message or a `help_shown` answer by its category only (the text
        is never kept); `ref` names its cause, so a replay or a double tap counts once."""
        assert event in HELP_EVENTS, event
        await self._analytics.record(
            uow, user_id, event, locale=locale, value=category, country=country, ref=ref
        )

    async def country(self, uow: UnitOfWork, *, user_id: int) -> str | None:
        """The country he chose, if he has been asked."""
        user = await uow.users.get(user_id)
        return user.country if user is not None else None

    async def menu(
        self,
        uow: UnitOfWork,
        *,
        user_id: int,
        locale: str,
        lesson_key: str | None,
        source: str,
        ref: str | None = None,
    ) -> HelpMenu:
        """The help menu; needs the open lesson is tagged with come right after crisis."""
        catalog = self._lessons.published.catalog
        lesson = catalog.lesson(lesson_key) if lesson_key else None
        tags = set(lesson.tags) if lesson else set()
        ordered = sorted(
            HELP_CATEGORIES, key=lambda c: (c != CRISIS, c not in tags, HELP_CATEGORIES.index(c))
        )
        await self.directory_store.refresh(uow)
        country = await self.country(uow, user_id=user_id)
        await self._analytics.record(
            uow, user_id, "help_opened", locale=locale, value=source, country=country, ref=ref
        )
        return HelpMenu(tuple(ordered), country)

    async def offer(
        self, uow: UnitOfWork, *, user_id: int, category: str | None
    ) -> HelpOffer | None:
        """The services for one need in his country; None for an unknown category. Nothing
        is recorded here: `shown` counts it after it was delivered."""
        if category is None or category not in HELP_CATEGORIES:
            return None
        await self.directory_store.refresh(uow)
        return self.offer_for(category, await self.country(uow, user_id=user_id))

    def offer_for(self, category: str, country: str | None) -> HelpOffer:
        """The services for a need in a country, without recording anything."""
        if country is None:
            everywhere = (c for c in COUNTRIES if c != OTHER_COUNTRY)
            emergency = tuple(s for code in everywhere for s in self.directory.emergency(code))
            return HelpOffer(category, country, (), emergency)
        services = self.directory.services_for(country, category)
        elsewhere = (
            self.directory.services_for(OTHER_COUNTRY, category)
            if not services and country != OTHER_COUNTRY
            else ()
        )
        return HelpOffer(category, country, services, self.directory.emergency(country), elsewhere)

    async def set_country(self, uow: UnitOfWork, *, user_id: int, country: str) -> bool:
        """Save his answer to the country question; False for a code we do not offer."""
        user = await uow.users.get_for_update(user_id)
        if user is None or country not in COUNTRY_CHOICES:
            return False
        user.country = country
        await suggest_zone(uow, user)
        return True
