"""Help categories: the names screening, the directory, events and the audit command share.

Plain data, like `bot.i18n.locales`. The order is the priority when a message matches several:
the most urgent need is answered first.
"""

from __future__ import annotations

CRISIS = "crisis"
NONE = "none"

# Most urgent first; `none` is not a help category.
HELP_CATEGORIES: tuple[str, ...] = (
    CRISIS,
    "violence_perpetrator",
    "violence_victim",
    "mental_health",
    "substance",
    "health",
    "support",
)

CATEGORIES: tuple[str, ...] = (*HELP_CATEGORIES, NONE)


def priority(category: str) -> int:
    """Lower is more urgent; unknown categories sort last."""
    return HELP_CATEGORIES.index(category) if category in HELP_CATEGORIES else len(HELP_CATEGORIES)
