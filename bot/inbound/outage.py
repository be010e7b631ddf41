"""What this process did for updates it could not handle fully while the database was down.

The screener and the directory are in memory, so a crisis message still gets its numbers
during an outage. Handlers note here what they managed; `DurableHandler` reads it to decide
what to record, and what to try again once the database is back (an apology is not an
answer: that update is handled again, without a second apology).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outage:
    """Update ids by what happened to them; entries live only until the update is recorded."""

    unidentified: set[int] = field(default_factory=set)  # the database failed while identifying
    answered: set[int] = field(default_factory=set)  # the help answer reached him from memory
    apologised: set[int] = field(default_factory=set)  # he was told something went wrong
    unrecorded: set[int] = field(default_factory=set)  # handled, but its id not yet recorded
    undelivered: set[int] = field(default_factory=set)  # a help answer Telegram did not take
    interrupted: set[int] = field(default_factory=set)  # the database failed mid-handler

    def incomplete(self, update_id: int) -> bool:
        """True when the update must be handled again: he could not be identified and got no
        help answer, a help answer could not be delivered, or the database failed while it
        was being handled (its transaction was rolled back: nothing of it happened)."""
        if update_id in self.undelivered or update_id in self.interrupted:
            return True
        return update_id in self.unidentified and update_id not in self.answered

    def done(self, update_id: int) -> None:
        """Forget the update: it was recorded."""
        for ids in (
            self.unidentified,
            self.answered,
            self.apologised,
            self.unrecorded,
            self.undelivered,
            self.interrupted,
        ):
            ids.discard(update_id)

    def reset_attempt(self, update_id: int) -> None:
        """A new attempt at an update: who sent it, and whether replies go out, are asked again."""
        self.unidentified.discard(update_id)
        self.undelivered.discard(update_id)
        self.interrupted.discard(update_id)
