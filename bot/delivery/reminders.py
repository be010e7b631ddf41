"""His choices about messages Ura starts: rhythm, hour, zone, quiet hours, silence, pause,
stop. Every change takes effect at once: stopping cancels what is queued for him."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.db.models import utcnow
from bot.db.rhythm_models import RHYTHMS, Rhythm
from bot.db.staff_models import OutboxMessage
from bot.db.uow import UnitOfWork
from bot.delivery.rhythm import ZONES

HOURS = (8, 12, 16, 18, 20)  # the hours offered for the next lesson (his clock)
QUIET = {"2208": (22, 8), "2307": (23, 7), "2109": (21, 9), "none": (0, 0)}
PAUSES = (1, 7, 30)  # days
CHECKIN_ANSWERS = ("tried", "notyet", "badly")


class Reminders:
    """Reads and changes one learner's rhythm row."""

    async def get(self, uow: UnitOfWork, user_id: int) -> Rhythm | None:
        """His row (made with his account, `Accounts.ensure`); None if he is unknown."""
        return await uow.session.get(Rhythm, user_id)

    async def choose(self, uow: UnitOfWork, user_id: int, action: str, arg: str) -> Rhythm | None:
        """Apply one settings button; None when the action or its argument is not offered."""
        rhythm = await self.get(uow, user_id)
        if rhythm is None:
            return None
        if action == "rhythm" and arg in RHYTHMS:
            rhythm.rhythm = arg
        elif action == "hour" and arg.isdigit() and int(arg) in HOURS:
            rhythm.hour = int(arg)
        elif action == "zone" and arg.isdigit() and int(arg) < len(ZONES):
            rhythm.timezone, rhythm.chose_timezone = ZONES[int(arg)], True
        elif action == "quiet" and arg in QUIET:
            rhythm.quiet_start, rhythm.quiet_end = QUIET[arg]
        elif action == "silent" and arg in ("on", "off"):
            rhythm.silent = arg == "on"
        elif action == "pause" and arg.isdigit() and int(arg) in PAUSES:
            rhythm.paused_until = utcnow() + timedelta(days=int(arg))
            await cancel_queued(uow, [user_id])
        elif action not in ("menu", "hours", "zones", "quiets"):
            return None
        return rhythm

    async def stop(self, uow: UnitOfWork, user_id: int) -> bool:
        """/stop or "Stop these messages": nothing more until /start; False if unknown."""
        rhythm = await self.get(uow, user_id)
        if rhythm is None:
            return False
        rhythm.stopped_at = rhythm.stopped_at or utcnow()
        await cancel_queued(uow, [user_id])
        return True

    async def resume(self, uow: UnitOfWork, user_id: int) -> None:
        """/start after /stop or a pause: messages may come again, on his rhythm."""
        rhythm = await self.get(uow, user_id)
        if rhythm is not None and (rhythm.stopped_at or rhythm.paused_until):
            rhythm.stopped_at = rhythm.paused_until = None


async def cancel_queued(uow: UnitOfWork, user_ids: list[int]) -> None:
    """Nothing more goes to these learners: /stop, "Stop these messages", a pause, a block."""
    await uow.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.user_id.in_(user_ids), OutboxMessage.status == "queued")
        .values(status="cancelled")
    )
