"""Time for messages Ura starts: his rhythm's days, his hour and quiet hours, in his zone.

Plain functions over `zoneinfo`, no database and no Telegram. Everything is keyed by his
*local date*: an offer or a check-in is planned once per local day, whatever the clock
does, so a daylight-saving change or a new time zone never sends twice or skips a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.db.rhythm_models import RHYTHMS

__all__ = ["RHYTHMS", "ZONES", "default_zone", "due_on", "local", "quiet", "start_of_day"]

# The zones offered in /settings, in the order shown: where these young men live and work.
ZONES: tuple[str, ...] = (
    "Europe/Belgrade",  # Kosovo, Serbia, Albania, North Macedonia, Bosnia, Montenegro
    "Europe/Berlin",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Asia/Bishkek",
    "Asia/Almaty",
    "Asia/Tashkent",
    "Asia/Dushanbe",
)
_BY_COUNTRY = {
    "xk": "Europe/Belgrade", "rs": "Europe/Belgrade", "mk": "Europe/Belgrade",
    "al": "Europe/Belgrade", "ba": "Europe/Belgrade", "me": "Europe/Belgrade",
    "de": "Europe/Berlin", "tr": "Europe/Istanbul", "ru": "Europe/Moscow",
    "kg": "Asia/Bishkek", "kz": "Asia/Almaty", "uz": "Asia/Tashkent", "tj": "Asia/Dushanbe",
}  # fmt: skip
_BY_LOCALE = {
    "en": "Europe/Belgrade", "sq": "Europe/Belgrade", "sr": "Europe/Belgrade",
    "ru": "Europe/Moscow", "ky": "Asia/Bishkek", "kk": "Asia/Almaty",
    "uz": "Asia/Tashkent", "tg": "Asia/Dushanbe",
}  # fmt: skip
# Lessons on these local weekdays (Monday is 0); "ask" never.
_DAYS = {"daily": frozenset(range(7)), "3week": frozenset({0, 2, 4}), "weekly": frozenset({0})}


def default_zone(country: str | None, locale: str | None) -> str:
    """The zone suggested from his country, else from his language; he can change it."""
    return _BY_COUNTRY.get(country or "") or _BY_LOCALE.get(locale or "", ZONES[0])


def local(zone: str, now: datetime) -> datetime:
    """`now` on his clock."""
    return now.astimezone(ZoneInfo(zone))


def due_on(rhythm: str, day: date) -> bool:
    """Whether his rhythm offers a lesson on this local day."""
    return day.weekday() in _DAYS.get(rhythm, frozenset())


def quiet(hour: int, start: int, end: int) -> bool:
    """Whether a local hour falls in quiet hours [start, end), which may wrap midnight."""
    if start == end:
        return False
    return start <= hour < end if start < end else hour >= start or hour < end


def start_of_day(zone: str, day: date) -> datetime:
    """The instant (UTC) his local `day` begins: where DST moves midnight, its first hour."""
    begins = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
    return begins.astimezone(UTC)
