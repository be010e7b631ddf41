"""Injected failures: the next calls of one method (optionally in one chat) fail or hang.

``BotApiEmulator.fail_next`` and ``stall_next`` queue a ``_Fault``; the dispatcher takes the first
queued fault matching each call before answering it. A failure is answered in Telegram's own
shape (a 429 carries ``parameters.retry_after``); a stall hangs, then drops the call unanswered
by the back end (504), so a client with a shorter read timeout sees its own timeout.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final

from .constants import CONFLICT_OTHER_POLL, JSONDict
from .errors import ApiError, UsageError
from .params import _METHOD_PARAMS

GATEWAY_TIMEOUT: Final = "Gateway Timeout"
_METHODS: Final = {name.lower(): name for name in _METHOD_PARAMS}


@dataclass
class _Fault:
    """One injected failure, for the next ``remaining`` matching calls."""

    method: str  # canonical name, e.g. "sendMessage"
    code: int
    description: str
    retry_after: int | None
    stall: float
    chat_id: int | None
    remaining: int

    def matches(self, method: str, params: JSONDict) -> bool:
        return self.method == method and (
            self.chat_id is None or params.get("chat_id") == self.chat_id
        )

    async def apply(self) -> None:
        """Hang for the stall (if any), then raise the error."""
        if self.stall > 0:
            await asyncio.sleep(self.stall)
        raise ApiError(self.code, self.description, retry_after=self.retry_after)


def _fault(
    method: str,
    code: int,
    description: str | None,
    *,
    times: int,
    chat_id: int | None,
    retry_after: int | None = None,
    stall: float = 0.0,
) -> _Fault:
    """Validate an injection the way a test means it, and build the fault."""
    name = _METHODS.get(method.lower())
    if name is None:
        raise UsageError(f"{method} is not an emulated method")
    if times < 1:
        raise UsageError("a fault applies to at least one call")
    if chat_id is not None and "chat_id" not in _METHOD_PARAMS[name]:
        raise UsageError(f"{name} has no chat_id to match a chat against")
    if code == 429 and (retry_after is None or retry_after < 1):
        raise UsageError("Telegram's 429 always says how long to wait: pass retry_after >= 1")
    if description is None:
        description = _description(code, retry_after)
    return _Fault(name, code, description, retry_after, stall, chat_id, times)


def _description(code: int, retry_after: int | None) -> str:
    if code == 429:
        return f"Too Many Requests: retry after {retry_after}"
    if code == 409:
        return CONFLICT_OTHER_POLL
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        raise UsageError(f"pass a description for status {code}") from None


def _take_fault(faults: list[_Fault], method: str, params: JSONDict) -> _Fault | None:
    """The first queued fault matching this call, used up by one (call under the lock)."""
    for fault in faults:
        if fault.matches(method, params):
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.remove(fault)
            return fault
    return None
