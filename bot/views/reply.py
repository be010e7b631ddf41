"""The shape every view returns: text plus rows of buttons, independent of Telegram's classes."""

from __future__ import annotations

from dataclasses import dataclass, field

TELEGRAM_TEXT_LIMIT = 4096


@dataclass(frozen=True)
class Button:
    """An inline button: callback data, or a URL to open."""

    label: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message: text and an inline keyboard."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.text or len(self.text) > TELEGRAM_TEXT_LIMIT:
            raise ValueError(f"reply text must be 1..{TELEGRAM_TEXT_LIMIT} characters")


def rows(buttons: list[Button], per_row: int = 1) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out `per_row` to a row."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
