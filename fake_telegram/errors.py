"""Errors: ``ApiError`` (a Bot API error response) and ``UsageError`` (a test's own mistake).

``_bad`` builds the ``ApiError`` for a request the bot should never send (malformed, or using a
method, parameter or parse mode the emulator does not emulate); those are also recorded in
``BotApiEmulator.errors`` so tests can assert that the bot never misused the protocol.
"""

from __future__ import annotations

from .constants import JSONDict


class ApiError(Exception):
    """A Bot API error response; ``unexpected`` marks protocol misuse rather than a normal 4xx."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        unexpected: bool = False,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.unexpected = unexpected
        self.retry_after = retry_after

    def to_json(self) -> JSONDict:
        """Render the error envelope exactly as Telegram does, so PTB maps it to its exceptions
        (flood control carries ``parameters.retry_after``, which PTB raises as RetryAfter)."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class UsageError(AssertionError):
    """A test drove the emulator into something Telegram's UI would not allow."""


def _bad(description: str) -> ApiError:
    """A request the bot should never send: also lands in ``BotApiEmulator.errors``."""
    return ApiError(400, f"Bad Request: {description}", unexpected=True)
