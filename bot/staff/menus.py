"""Which commands each role adds to a staff member's own command menu: the one list every
staff tool refers to. Learners never see these; a staff member sees the learners' commands
plus his own (set per chat and language, `bot/handlers/staff/roles.py`)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.db.staff_models import ROLES
from bot.i18n.catalogs import N_

ADMIN, MODERATOR, COORDINATOR = ROLES

# role → (command, description msgid), in the order the menu shows them.
STAFF_COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    ADMIN: (("staff", N_("Staff: roles and who holds them")),),
    MODERATOR: (
        ("lessons_admin", N_("Lessons: versions, reviews, publishing")),
        ("directory_admin", N_("Referral directory: upload and review")),
        ("announce", N_("Send an announcement to learners")),
    ),
    COORDINATOR: (
        ("stats", N_("Statistics: who uses Ura and what helps")),
        ("stats_csv", N_("Statistics as CSV files")),
        ("cohorts", N_("Cohort codes: links and QR codes")),
    ),
}


def commands_for(roles: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The staff commands (untranslated descriptions) these roles open; admins hold every
    role, so they get them all. Empty for a learner."""
    held = set(roles)
    shown = ROLES if ADMIN in held else tuple(role for role in ROLES if role in held)
    return tuple(command for role in shown for command in STAFF_COMMANDS[role])
