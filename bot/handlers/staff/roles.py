"""/staff (admins grant and revoke roles), /myid (anyone), and each staff member's own
command menu, set per chat and language whenever his roles change and at every start."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.deps import Deps
from bot.handlers.context import UraContext
from bot.handlers.send import send, show
from bot.handlers.staff.access import allowed, requires
from bot.i18n.catalogs import Catalogs
from bot.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from bot.staff import roles
from bot.views import menus
from bot.views import staff_roles as view
from bot.views.reply import Reply

log = logging.getLogger(__name__)
VERBS = {"grant": True, "revoke": False}
MENUS_SET = "staff_menus_set"  # bot_data key: staff whose menu this process has set


async def refresh_menu(bot: Bot, catalogs: Catalogs, user_id: int, held: Iterable[str]) -> bool:
    """His own menu in every language: learners' commands plus his staff commands, or back
    to the learners' menu (deleteMyCommands) when he holds no role. False if Telegram said no
    (he never opened the bot, say): the next start tries again."""
    held, scope = frozenset(held), BotCommandScopeChat(chat_id=user_id)
    try:
        for locale in SUPPORTED_LOCALES:
            tr, code = catalogs.get(locale), None if locale == DEFAULT_LOCALE else locale
            if held:
                commands = [BotCommand(c, d) for c, d in view.staff_menu(held, tr)]
                await bot.set_my_commands(commands, scope=scope, language_code=code)
            else:
                await bot.delete_my_commands(scope=scope, language_code=code)
    except TelegramError as exc:
        log.warning("could not set a staff member's command menu (%s)", type(exc).__name__)
        return False
    return True


async def sync_menus(bot: Bot, deps: Deps, done: set[int]) -> None:
    """At start-up: every staff member's menu, and a plain one for whoever lost his roles
    (also from the command line, while no bot was running). `done` gathers those set."""
    async with deps.uow() as uow:
        staff, former = await roles.members(uow), await roles.former_members(uow)
    for member in staff:
        if await refresh_menu(bot, deps.catalogs, member.user_id, member.roles):
            done.add(member.user_id)
    for user_id in former:
        await refresh_menu(bot, deps.catalogs, user_id, ())


async def on_start_menu(update: Update, context: UraContext) -> None:
    """Before /start is answered: a staff member whose menu Telegram refused at start-up (he
    had never opened the bot) gets it now, once per process. Best effort: /start goes on."""
    done: set[int] = context.bot_data.setdefault(MENUS_SET, set())
    if context.user_id in done:
        return
    try:
        async with context.deps.uow() as uow:
            held = await roles.roles_of(uow, context.user_id)
    except Exception as exc:  # the learner's /start must not depend on this
        log.warning("could not read a staff member's roles (%s)", type(exc).__name__)
        return
    if not held or await refresh_menu(context.bot, context.deps.catalogs, context.user_id, held):
        done.add(context.user_id)


async def apply(context: UraContext, *, user_id: int, role: str, granting: bool) -> roles.Change:
    """One grant or revoke by the sender, audited, then the subject's menu follows."""
    deps = context.deps
    async with deps.uow() as uow:
        outcome = await roles.change(
            uow,
            user_id=user_id,
            role=role,
            granting=granting,
            actor=context.user_id,
            configured=frozenset(deps.settings.admin_ids),
        )
        held = await roles.roles_of(uow, user_id)
    if outcome is roles.Change.DONE:
        await refresh_menu(context.bot, deps.catalogs, user_id, held)
    return outcome


async def _command(context: UraContext, args: list[str]) -> Reply:
    """`grant|revoke <id> <role>`: one clear line for anything else."""
    if len(args) != 3 or args[0].lower() not in VERBS:
        return view.bad_usage(context.tr)
    user_id, role = roles.parse_id(args[1]), roles.parse_role(args[2])
    if user_id is None:
        return view.bad_id(context.tr)
    if role is None:
        return view.bad_role(context.tr)
    granting = VERBS[args[0].lower()]
    outcome = await apply(context, user_id=user_id, role=role, granting=granting)
    return view.changed(outcome, user_id=user_id, role=role, granting=granting, tr=context.tr)


@requires(roles.ADMIN)
async def on_staff(update: Update, context: UraContext) -> None:
    """/staff lists staff with revoke buttons; /staff grant|revoke <id> <role> changes one."""
    if context.args:
        await send(update, await _command(context, list(context.args)))
        return
    async with context.deps.uow() as uow:
        found = await roles.members(uow)
    await send(update, view.members(found, context.tr))
    mine = next((m.roles for m in found if m.user_id == context.user_id), ())
    # A configured admin's menu cannot be set before he ever opened the chat: do it now.
    await refresh_menu(context.bot, context.deps.catalogs, context.user_id, mine)


async def on_revoke_button(update: Update, context: UraContext, arg: str) -> str | None:
    """'Revoke <role> from <id>': re-checked now, then the list is redrawn."""
    if not await allowed(update, context, (roles.ADMIN,)):
        return menus.dead_button(context.tr)
    verb, _, rest = arg.partition(":")
    role_text, _, id_text = rest.partition(":")
    user_id, role = roles.parse_id(id_text), roles.parse_role(role_text)
    if verb != "revoke" or user_id is None or role is None:
        return menus.dead_button(context.tr)
    outcome = await apply(context, user_id=user_id, role=role, granting=False)
    async with context.deps.uow() as uow:
        found = await roles.members(uow)
    await show(update, view.members(found, context.tr))
    if outcome is roles.Change.DONE:
        return view.revoked_toast(context.tr)
    return view.changed(outcome, user_id=user_id, role=role, granting=False, tr=context.tr).text


async def on_myid(update: Update, context: UraContext) -> None:
    """Anyone's own numeric id, so he can give it to an admin; nothing is written."""
    user = update.effective_user
    if user is not None:
        await send(update, view.my_id(user.id, context.tr))


# access.requires returns an Awaitable-typed handler where PTB's stubs want a coroutine.
COMMANDS: list[BaseHandler[Any, Any, Any]] = [
    CommandHandler("staff", on_staff, filters=filters.ChatType.PRIVATE),
    CommandHandler("myid", on_myid, filters=filters.ChatType.PRIVATE),
]
TOOLS = {view.TOOL: on_revoke_button}
# Run in their own group, before the learner's /start in group 0.
EARLY: list[BaseHandler[Any, Any, Any]] = [
    CommandHandler("start", on_start_menu, filters=filters.ChatType.PRIVATE),
]
