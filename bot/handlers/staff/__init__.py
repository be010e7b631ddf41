"""The staff tools' Telegram side. Each tool module offers `COMMANDS` (PTB handlers for
group 0, registered before the learner's catch-alls) and `TOOLS` (its `Staff` buttons by
tool name: each takes the update, the context and the button's argument, and returns a
toast or None). Every command and button re-checks the role at the moment of the action;
a button pressed by anyone else gets the same toast as a dead button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from bot.handlers.context import UraContext
from bot.handlers.staff import access
from bot.handlers.staff import announce as staff_announce
from bot.handlers.staff import cohorts as staff_cohorts
from bot.handlers.staff import directory as staff_directory
from bot.handlers.staff import lessons as staff_lessons
from bot.handlers.staff import roles as staff_roles
from bot.handlers.staff import stats as staff_stats

ButtonTool = Callable[[Update, UraContext, str], Awaitable[str | None]]

# The directory's document handler goes before any catch-all document handler.
_MODULES: tuple[Any, ...] = (
    access,
    staff_directory,
    staff_lessons,  # its document handler takes what the directory's leaves
    staff_announce,
    staff_roles,
    staff_cohorts,
    staff_stats,
)


def commands() -> list[BaseHandler[Any, Any, Any]]:
    """Every staff command and document handler, in order."""
    return [handler for module in _MODULES for handler in getattr(module, "COMMANDS", [])]


def early() -> list[BaseHandler[Any, Any, Any]]:
    """Staff handlers that run in their own group before the work (the menu on /start)."""
    return [handler for module in _MODULES for handler in getattr(module, "EARLY", [])]


def tools() -> dict[str, ButtonTool]:
    """Every staff button by tool name."""
    found: dict[str, ButtonTool] = {}
    for module in _MODULES:
        found.update(getattr(module, "TOOLS", {}))
    return found
