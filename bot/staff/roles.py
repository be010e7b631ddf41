"""Staff roles as rows keyed by numeric Telegram id, re-checked at every privileged action,
and the audit trail every change leaves (who, what, when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
