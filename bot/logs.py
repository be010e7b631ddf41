"""Privacy for every log line: no typed text, names, usernames or Telegram ids, ever.

People write to Ura about crises; a log line is copied to terminals, files and services we
do not control. So every record is made safe when it is created (a record factory, not a
handler filter), and every handler - ours, pytest's, anyone's - sees only safe text:

- records of other libraries (telegram, httpx, sqlalchemy, ...) keep their logger, level and
  message template (its first line), with every argument replaced by a placeholder: their
  arguments are Bot API parameters, URLs with the token, SQL parameters, raw updates;
- our own records (`bot`, `fake_telegram`) keep their arguments, which by convention are
  ids of updates and counts, except exceptions, which become their type name;
- exception info on any record keeps the type names and the traceback frames (code), never
  a message: messages of Telegram, SQL or our own errors may quote what a person typed.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

PLACEHOLDER = "…"
OWN_LOGGERS = ("bot", "fake_telegram")
# Loggers that format their arguments into the message themselves: keep the first word.
SELF_FORMATTING = ("httpcore",)

RecordFactory: TypeAlias = Callable[..., logging.LogRecord]

# One %-conversion (with mapping key, flags, width, precision, length), or a literal %%.
_CONVERSION = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[a-zA-Z%]")


class SanitizedError(Exception):
    """Stands in for a logged exception: the same type name and frames, no message."""


_classes: dict[type[BaseException], type[SanitizedError]] = {}


def _stand_in_class(original: type[BaseException]) -> type[SanitizedError]:
    """A class printed with the original's qualified name, so a traceback still says what."""
    made = _classes.get(original)
    if made is None:
        made = type(
            original.__name__,
            (SanitizedError,),
            {"__module__": original.__module__, "__qualname__": original.__qualname__},
        )
        _classes[original] = made
    return made


def sanitize_exception(exc: BaseException, _seen: set[int] | None = None) -> SanitizedError:
    """A message-free copy of `exc` with its traceback; its causes become type names too."""
    if isinstance(exc, SanitizedError):
        return exc
    seen = _seen if _seen is not None else set()
    seen.add(id(exc))
    message = PLACEHOLDER
    if isinstance(exc, BaseExceptionGroup):
        message += " (" + ", ".join(type(e).__qualname__ for e in exc.exceptions) + ")"
    safe = _stand_in_class(type(exc))(message).with_traceback(exc.__traceback__)
    cause, context = exc.__cause__, exc.__context__
    if cause is not None and id(cause) not in seen:
        safe.__cause__ = sanitize_exception(cause, seen)
    elif context is not None and id(context) not in seen and not exc.__suppress_context__:
        safe.__context__ = sanitize_exception(context, seen)
    safe.__suppress_context__ = exc.__suppress_context__ or cause is not None
    return safe


def format_exception(exc: BaseException) -> str:
    """The sanitized traceback of `exc`, as `traceback` prints it."""
    return "".join(traceback.format_exception(sanitize_exception(exc)))


def _template(msg: str) -> str:
    """The message template with every conversion replaced by the placeholder."""
    return _CONVERSION.sub(lambda m: "%" if m.group() == "%%" else PLACEHOLDER, msg)


def _is_own(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS)


def _safe_arg(arg: object) -> object:
    return f"<{type(arg).__qualname__}>" if isinstance(arg, BaseException) else arg


def sanitize_record(record: logging.LogRecord) -> logging.LogRecord:
    """Make one record safe in place (see the module's docstring); returns it."""
    if not isinstance(record.msg, str):  # an object logged as the message: its str is data
        record.msg, record.args = f"<{type(record.msg).__qualname__}>", ()
    if not _is_own(record.name):
        # A template is one line; more lines were formatted in (asyncio's task reprs).
        template = record.msg.split("\n", 1)[0]
        if record.name.split(".", 1)[0] in SELF_FORMATTING:
            template = template.split(" ", 1)[0]
        record.msg = _template(template) if record.args else template
        record.args = ()
    elif isinstance(record.args, tuple):
        record.args = tuple(_safe_arg(arg) for arg in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {key: _safe_arg(value) for key, value in record.args.items()}
    if record.exc_info and record.exc_info[1] is not None:
        safe = sanitize_exception(record.exc_info[1])
        record.exc_info = (type(safe), safe, safe.__traceback__)
    record.exc_text = None
    return record


class _PrivacyFactory:
    """Wraps the record factory that was installed before it."""

    def __init__(self, inner: RecordFactory) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return sanitize_record(self.inner(*args, **kwargs))


def install_privacy() -> Callable[[], None]:
    """Sanitize every record from now on (idempotent); returns what undoes it, for tests."""
    current = logging.getLogRecordFactory()
    if isinstance(current, _PrivacyFactory):
        return lambda: None
    installed = _PrivacyFactory(current)
    logging.setLogRecordFactory(installed)

    def undo() -> None:
        if logging.getLogRecordFactory() is installed:
            logging.setLogRecordFactory(current)

    return undo
