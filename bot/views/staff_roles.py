"""What admins see of roles (/staff), anyone's /myid, and a staff member's command menu."""

from __future__ import annotations

from collections.abc import Iterable

from bot.db.staff_models import ROLES
from bot.i18n.catalogs import Translator
from bot.staff.menus import commands_for
from bot.staff.roles import Change, Member
from bot.views.callbacks import Staff, encode
from bot.views.menus import command_menu
from bot.views.reply import Button, Reply, rows

TOOL = "staff"
SHOWN_MEMBERS = 40  # keeps the message and its buttons within Telegram's limits


def staff_menu(roles: Iterable[str], tr: Translator) -> list[tuple[str, str]]:
    """A staff member's command menu in one language: the learners' commands, then his."""
    own = [(command, tr.gettext(description)) for command, description in commands_for(roles)]
    return command_menu(tr) + own


def revoke_data(role: str, user_id: int) -> str:
    """The button that takes `role` from `user_id`."""
    return encode(Staff(TOOL, f"revoke:{role}:{user_id}"))


def _roles_list() -> str:
    return ", ".join(ROLES)


def usage(tr: Translator) -> str:
    """How to grant and revoke, on one line."""
    return tr.gettext(
        "Grant a role with /staff grant <id> <role>, take it back with /staff revoke <id> "
        "<role>. Roles: {roles}. Anyone can send /myid to learn his id.",
        roles=_roles_list(),
    )


def members(found: tuple[Member, ...], tr: Translator) -> Reply:
    """/staff: every staff member by numeric id with his roles, a button per role to revoke."""
    if not found:
        return Reply(tr.gettext("Nobody holds a staff role yet.") + "\n\n" + usage(tr))
    lines = [tr.gettext("Staff (numeric Telegram id: roles):")]
    buttons = []
    for member in found[:SHOWN_MEMBERS]:
        lines.append(f"• {member.user_id}: {', '.join(member.roles)}")
        buttons += [
            Button(
                tr.gettext("Revoke {role} from {id}", role=role, id=member.user_id),
                revoke_data(role, member.user_id),
            )
            for role in member.roles
        ]
    if len(found) > SHOWN_MEMBERS:
        more = len(found) - SHOWN_MEMBERS
        lines.append(tr.ngettext("…and {n} more.", "…and {n} more.", more))
    lines += ["", usage(tr)]
    return Reply("\n".join(lines), rows(buttons))


def changed(outcome: Change, *, user_id: int, role: str, granting: bool, tr: Translator) -> Reply:
    """The one line after /staff grant or /staff revoke."""
    if outcome is Change.CONFIGURED:
        text = tr.gettext(
            "{id} is an admin by configuration (URA_ADMIN_IDS): remove him there.", id=user_id
        )
    elif granting and outcome is Change.DONE:
        text = tr.gettext("Done: {id} now has the role {role}.", id=user_id, role=role)
    elif granting:
        text = tr.gettext("{id} already has the role {role}.", id=user_id, role=role)
    elif outcome is Change.DONE:
        text = tr.gettext("Done: {id} no longer has the role {role}.", id=user_id, role=role)
    else:
        text = tr.gettext("{id} does not have the role {role}.", id=user_id, role=role)
    return Reply(text)


def bad_id(tr: Translator) -> Reply:
    """The id was not a number."""
    return Reply(
        tr.gettext(
            "That is not a numeric Telegram id. Ask the person to send /myid to the bot, "
            "then use the number it shows."
        )
    )


def bad_role(tr: Translator) -> Reply:
    """The role is not one Ura knows."""
    return Reply(tr.gettext("There is no such role. Roles: {roles}.", roles=_roles_list()))


def bad_usage(tr: Translator) -> Reply:
    """/staff with words it does not understand."""
    return Reply(usage(tr))


def my_id(user_id: int, tr: Translator) -> Reply:
    """/myid: his number, to give to an admin (never his username, which can change hands)."""
    return Reply(
        tr.gettext(
            "Your numeric Telegram id is {id}. An admin needs it to give you a staff role.",
            id=user_id,
        )
    )


def revoked_toast(tr: Translator) -> str:
    """Toast after a revoke button."""
    return tr.gettext("Role revoked.")
