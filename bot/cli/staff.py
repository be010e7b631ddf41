"""`ura staff grant|revoke|list|audit` and `ura cohorts list|create`: the command line as a
second door to roles and cohort codes. Each migrates first, says one clear line on bad
input, and is audited with no actor (the command line)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.config import Settings

if TYPE_CHECKING:
    from bot.db.uow import UnitOfWork
    from bot.staff.roles import Audited

T = TypeVar("T")
EXIT_USAGE = 2

app = typer.Typer(help="Staff roles: grant, revoke, list, audit.", no_args_is_help=True)
cohorts_app = typer.Typer(help="Cohort codes for deep links.", no_args_is_help=True)


def _in_transaction(settings: Settings, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Migrate, then run `work` in one unit of work."""
    from bot.db import migrate
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.db.uow import UnitOfWork

    migrate.upgrade(settings.database_url)

    async def run() -> T:
        engine = make_engine(settings.database_url)
        try:
            async with UnitOfWork(make_sessionmaker(engine)) as uow:
                return await work(uow)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _fail(line: str) -> typer.Exit:
    typer.echo(f"ura: {line}", err=True)
    return typer.Exit(code=EXIT_USAGE)


def _parse(user_id: str, role: str) -> tuple[int, str]:
    from bot.db.staff_models import ROLES
    from bot.staff.roles import parse_id, parse_role

    parsed_id, parsed_role = parse_id(user_id), parse_role(role)
    if parsed_id is None:
        raise _fail("the id must be a numeric Telegram id (the person sends /myid to the bot)")
    if parsed_role is None:
        raise _fail(f"no such role; roles: {', '.join(ROLES)}")
    return parsed_id, parsed_role


def _change(user_id: str, role: str, *, granting: bool) -> None:
    from bot.staff import roles

    settings = Settings()
    who, what = _parse(user_id, role)

    async def work(uow: UnitOfWork) -> tuple[roles.Change, frozenset[str]]:
        outcome = await roles.change(
            uow,
            user_id=who,
            role=what,
            granting=granting,
            actor=None,
            configured=frozenset(settings.admin_ids),
        )
        return outcome, await roles.roles_of(uow, who)

    outcome, held = _in_transaction(settings, work)
    verb = "granted" if granting else "revoked"
    if outcome is roles.Change.CONFIGURED:
        raise _fail(f"{who} is an admin by configuration (URA_ADMIN_IDS): remove him there")
    if outcome is roles.Change.UNCHANGED:
        typer.echo(f"nothing to do: {who} {'already has' if granting else 'does not have'} {what}")
        return
    typer.echo(
        f"{verb} {what} {'to' if granting else 'from'} {who}; roles now: "
        f"{', '.join(sorted(held)) or 'none'}"
    )
    typer.echo(_push_menu(settings, who, held))


def _push_menu(settings: Settings, user_id: int, held: frozenset[str]) -> str:
    """Update his command menu now if a token is configured; a running bot's next start
    does it anyway."""
    later = "his command menu changes when the bot next starts"
    if not settings.telegram_bot_token:
        return later
    from telegram import Bot

    from bot.handlers.staff.roles import refresh_menu
    from bot.i18n.catalogs import Catalogs

    async def push() -> bool:
        bot = Bot(settings.telegram_bot_token or "", base_url=settings.telegram_api_base_url)
        async with bot:
            return await refresh_menu(bot, Catalogs(settings.locale_dir), user_id, held)

    try:
        return "his command menu is updated" if asyncio.run(push()) else later
    except Exception as exc:  # the token or the network: the roles are saved all the same
        return f"{later} (Telegram: {type(exc).__name__})"


@app.command("grant")
def staff_grant(user_id: str, role: str) -> None:
    """Give ROLE (admin, moderator, coordinator) to the numeric Telegram id USER_ID."""
    _change(user_id, role, granting=True)


@app.command("revoke")
def staff_revoke(user_id: str, role: str) -> None:
    """Take ROLE from the numeric Telegram id USER_ID."""
    _change(user_id, role, granting=False)


@app.command("list")
def staff_list() -> None:
    """Every staff member: numeric id and roles."""
    from bot.staff.roles import members

    found = _in_transaction(Settings(), members)
    for member in found:
        typer.echo(f"{member.user_id}\t{', '.join(member.roles)}")
    if not found:
        typer.echo("nobody holds a staff role")


@app.command("audit")
def staff_audit(limit: int = typer.Option(50, min=1, help="How many lines.")) -> None:
    """The newest lines of the audit trail: when, who (id, or 'cli/config'), what."""
    from bot.staff.roles import trail

    async def work(uow: UnitOfWork) -> tuple[Audited, ...]:
        return await trail(uow, limit=limit)

    for line in _in_transaction(Settings(), work):
        actor = line.actor if line.actor is not None else "cli/config"
        typer.echo(f"{line.at:%Y-%m-%d %H:%M:%S}\t{actor}\t{line.action}\t{line.subject}")


@cohorts_app.command("list")
def cohorts_list() -> None:
    """Every cohort code and its name, newest first."""
    from bot.staff.cohorts import all_cohorts

    found = _in_transaction(Settings(), all_cohorts)
    for cohort in found:
        typer.echo(f"{cohort.code}\t{cohort.name}")
    if not found:
        typer.echo("no cohort codes yet")


@cohorts_app.command("create")
def cohorts_create(
    name: str,
    bot: Annotated[str | None, typer.Option(help="The bot's username, for the link.")] = None,
    qr: Annotated[Path | None, typer.Option(help="Write the link's QR code (PNG) here.")] = None,
) -> None:
    """Make a cohort code for NAME (a club, a school, a campaign)."""
    from bot.staff import cohorts

    clean = cohorts.clean_name(name)
    if clean is None:
        raise _fail(f"the name must be 1 to {cohorts.NAME_LIMIT} characters")
    if qr is not None and bot is None:
        raise _fail("--qr needs --bot (the bot's username) to make the link")

    async def work(uow: UnitOfWork) -> cohorts.CohortInfo:
        return await cohorts.create(uow, name=clean, actor=None)

    made = _in_transaction(Settings(), work)
    typer.echo(made.code)
    if bot is not None:
        link = cohorts.deep_link(bot.lstrip("@"), made.code)
        typer.echo(link)
        if qr is not None:
            qr.write_bytes(cohorts.qr_png(link))
            typer.echo(f"QR code written to {qr}")
