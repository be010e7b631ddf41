"""What escapes a `ura` command becomes one clear line and an exit code, never a traceback.

An operator needs to know what to fix (the token, the network, the database, the build);
a traceback hides that, and its messages may quote what a person typed. With URA_DEBUG=1
the traceback is printed too, sanitized like every log line (`bot.logs`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TextIO

EXIT_CONTENT = 1  # a lesson, directory or phrase file is invalid
EXIT_UNEXPECTED = 1
EXIT_CONFIG = 2  # as a missing token: the environment needs fixing
EXIT_TOKEN = 3
EXIT_NETWORK = 4
EXIT_DATABASE = 5
EXIT_BUILD = 6  # the compiled catalogs are missing
EXIT_CONFLICT = 7  # another process polls with this token
EXIT_FILE = 8

_FILE_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what it was raised from or while handling, once each."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _named(exc: BaseException, module: str, names: tuple[str, ...]) -> bool:
    """Whether `exc` is one of these classes of `module`, without importing it."""
    return any(
        cls.__module__.startswith(module) and cls.__name__ in names for cls in type(exc).__mro__
    )


def _classify(exc: BaseException) -> tuple[int, str] | None:
    """The exit code and line for an operational failure the operator can fix."""
    kind = type(exc).__name__
    if _named(exc, "telegram", ("InvalidToken",)):
        return EXIT_TOKEN, f"Telegram rejected TELEGRAM_BOT_TOKEN ({kind})"
    if _named(exc, "telegram", ("NetworkError",)):
        return EXIT_NETWORK, f"cannot reach Telegram ({kind})"
    if _named(exc, "telegram", ("Conflict",)):
        return EXIT_CONFLICT, f"another process is already polling with this token ({kind})"
    if _named(exc, "bot.i18n", ("CatalogsMissing",)):
        return EXIT_BUILD, f"the compiled translations are missing: run `make i18n` ({kind})"
    if _named(exc, "pydantic", ("ValidationError",)):
        return EXIT_CONFIG, f"a setting is invalid: {_fields(exc)} ({kind})"
    if _named(exc, "sqlalchemy", ("OperationalError", "InterfaceError")) or _named(
        exc, "asyncpg", ("PostgresError", "InterfaceError")
    ):
        return EXIT_DATABASE, f"cannot use the database (check DATABASE_URL) ({kind})"
    if isinstance(exc, _FILE_ERRORS):
        where = f": {exc.filename}" if exc.filename else ""
        return EXIT_FILE, f"{exc.strerror or 'cannot use a file'}{where} ({kind})"
    if isinstance(exc, OSError):  # connecting: refused, unknown host, timed out
        reason = f": {exc.strerror}" if exc.strerror else ""
        return EXIT_DATABASE, f"cannot reach the database{reason} ({kind})"
    return None


def _fields(exc: BaseException) -> str:
    """The settings a pydantic error names, never the values it was given."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return "?"
    return ", ".join(".".join(map(str, e.get("loc", ()))) for e in errors()) or "?"


def report(exc: BaseException, err: TextIO | None = None) -> int:
    """Print what went wrong in a line or a list of `file:line` errors; the exit code."""
    from bot.files import ContentInvalid

    out = err or sys.stderr
    for link in _chain(exc):
        if isinstance(link, ContentInvalid):
            for error in link.errors:
                print(error, file=out)
            print(f"ura: {len(link.errors)} problem(s) found in the files above.", file=out)
            return EXIT_CONTENT
    found = next((c for c in map(_classify, _chain(exc)) if c is not None), None)
    code, line = found or (
        EXIT_UNEXPECTED,
        f"unexpected error ({type(exc).__name__}); run with URA_DEBUG=1 for the traceback",
    )
    if os.environ.get("URA_DEBUG") == "1":
        from bot.logs import format_exception

        print(format_exception(exc), end="", file=out)
    print(f"ura: {line}", file=out)
    return code
