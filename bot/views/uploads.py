"""One clear line for a hostile or unusable upload, shared by the lesson and directory tools:
what went wrong, in the moderator's language, and that nothing was published."""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n.catalogs import Translator
from bot.staff import uploads
from bot.views.reply import Reply

Lines = dict[str, Callable[[], str]]


def refused(exc: uploads.UploadRejected, tr: Translator, own: Lines, fallback: str) -> Reply:
    """The line for `exc.reason`: a tool's `own` lines first, then the ones every upload shares,
    else the tool's `fallback` (what to send instead)."""
    v = exc.values
    shared: Lines = {
        uploads.TOO_BIG: lambda: tr.gettext(
            "This file is too big ({size} bytes; the limit is {limit}). Nothing was published.",
            size=v.get("size"),
            limit=v.get("limit"),
        ),
        uploads.NOT_ZIP: lambda: tr.gettext(
            "This zip file cannot be read (damaged or encrypted). Nothing was published."
        ),
        uploads.TOO_MANY_FILES: lambda: tr.gettext(
            "The zip holds {count} files; the limit is {limit}. Nothing was published.",
            count=v.get("count"),
            limit=v.get("limit"),
        ),
        uploads.BOMB: lambda: tr.gettext(
            "The zip unpacks to more than {limit} bytes. Nothing was published.",
            limit=v.get("limit"),
        ),
        uploads.NOT_UTF8: lambda: tr.gettext(
            "{path} is not UTF-8 text. Save it as UTF-8 and send it again. Nothing was published.",
            path=v.get("path"),
        ),
    }
    make = own.get(exc.reason) or shared.get(exc.reason)
    return Reply(make() if make is not None else fallback)
