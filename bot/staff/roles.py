"""Staff roles as rows keyed by numeric Telegram id, re-checked at every privileged action,
and the audit trail every change leaves (who, what, when)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import delete, select

from bot.db.staff_models import ROLES, AuditEvent, StaffRole
from bot.db.uow import UnitOfWork

ADMIN, MODERATOR, COORDINATOR = ROLES


@dataclass(frozen=True)
class Member:
    """One staff member and his roles."""

    user_id: int
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Audited:
    """One line of the audit trail."""

    actor: int | None
    action: str
    subject: str
    at: datetime


async def roles_of(uow: UnitOfWork, user_id: int) -> frozenset[str]:
    """His roles now (read in this transaction, so a revoke takes effect at once)."""
    rows = await uow.session.scalars(select(StaffRole.role).where(StaffRole.user_id == user_id))
    return frozenset(rows)


async def has_role(uow: UnitOfWork, user_id: int, *wanted: str) -> bool:
    """True when he holds any of `wanted` (admins hold every role)."""
    held = await roles_of(uow, user_id)
    return ADMIN in held or any(role in held for role in wanted)


async def audit(uow: UnitOfWork, *, actor: int | None, action: str, subject: str) -> None:
    """Add a line to the audit trail, in the caller's transaction."""
    uow.session.add(AuditEvent(actor=actor, action=action, subject=subject[:160]))


async def grant(uow: UnitOfWork, *, user_id: int, role: str, actor: int | None) -> bool:
    """Give `role` to `user_id`; False if the role is unknown or already held."""
    if role not in ROLES or role in await roles_of(uow, user_id):
        return False
    uow.session.add(StaffRole(user_id=user_id, role=role, granted_by=actor))
    await audit(uow, actor=actor, action="grant", subject=f"{role} to {user_id}")
    await uow.session.flush()
    return True


async def revoke(uow: UnitOfWork, *, user_id: int, role: str, actor: int | None) -> bool:
    """Take `role` from `user_id`; False if he did not hold it."""
    if role not in await roles_of(uow, user_id):
        return False
    await uow.session.execute(
        delete(StaffRole).where(StaffRole.user_id == user_id, StaffRole.role == role)
    )
    await audit(uow, actor=actor, action="revoke", subject=f"{role} from {user_id}")
    return True


async def members(uow: UnitOfWork) -> tuple[Member, ...]:
    """Every staff member with his roles, by id."""
    rows = (await uow.session.execute(select(StaffRole.user_id, StaffRole.role))).tuples()
    by_user: dict[int, list[str]] = {}
    for user_id, role in rows:
        by_user.setdefault(user_id, []).append(role)
    return tuple(
        Member(user_id, tuple(sorted(roles, key=ROLES.index)))
        for user_id, roles in sorted(by_user.items())
    )


class Change(Enum):
    """What became of a grant or a revoke an admin asked for."""

    DONE = "done"
    UNCHANGED = "unchanged"  # he already held it (grant) or did not (revoke)
    CONFIGURED = "configured"  # an admin from URA_ADMIN_IDS: configuration gives it back


# Telegram ids are positive and fit in 52 bits today; the column holds 63.
_ID = re.compile(r"[1-9][0-9]{0,17}")


def parse_id(text: str) -> int | None:
    """A numeric Telegram id as an admin types it, or None."""
    return int(text) if _ID.fullmatch(text.strip()) else None


def parse_role(text: str) -> str | None:
    """A role name as an admin types it (any case), or None."""
    role = text.strip().lower()
    return role if role in ROLES else None


async def change(
    uow: UnitOfWork,
    *,
    user_id: int,
    role: str,
    granting: bool,
    actor: int | None,
    configured: frozenset[int] = frozenset(),
) -> Change:
    """Grant or revoke one role, audited; a configured admin's admin role is not revoked
    here, since the next start would give it back without anyone noticing."""
    if granting:
        done = await grant(uow, user_id=user_id, role=role, actor=actor)
    elif role == ADMIN and user_id in configured:
        return Change.CONFIGURED
    else:
        done = await revoke(uow, user_id=user_id, role=role, actor=actor)
    return Change.DONE if done else Change.UNCHANGED


async def bootstrap(uow: UnitOfWork, admin_ids: tuple[int, ...]) -> tuple[int, ...]:
    """Make the configured ids admins (URA_ADMIN_IDS); audited once each, as granted by
    configuration, so a restart changes nothing. Returns the ids made admins now."""
    made: list[int] = []
    for user_id in admin_ids:
        if ADMIN in await roles_of(uow, user_id):
            continue
        uow.session.add(StaffRole(user_id=user_id, role=ADMIN, granted_by=None))
        await audit(uow, actor=None, action="grant", subject=f"admin to {user_id} (configuration)")
        made.append(user_id)
    await uow.session.flush()
    return tuple(made)


async def former_members(uow: UnitOfWork) -> tuple[int, ...]:
    """Who lost every role (per the audit trail), so their menus can be reset at start-up
    even when the revoke came from the command line while no bot was running."""
    subjects = await uow.session.scalars(
        select(AuditEvent.subject).where(AuditEvent.action == "revoke").distinct()
    )
    revoked = {int(m.group(1)) for s in subjects if (m := _FROM.search(s))}
    current = {member.user_id for member in await members(uow)}
    return tuple(sorted(revoked - current))


async def trail(uow: UnitOfWork, *, limit: int = 50) -> tuple[Audited, ...]:
    """The newest lines of the audit trail, newest first."""
    rows = await uow.session.scalars(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    )
    return tuple(Audited(r.actor, r.action, r.subject, r.at) for r in rows)


_FROM = re.compile(r" from (\d+)$")
