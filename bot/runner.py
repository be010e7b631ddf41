"""Serving: migrate-ready dependencies, the Application, the command menu, the poll loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from telegram import Bot, BotCommand
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.app import UraApplication, build_application
from bot.config import Settings
from bot.db.models import utcnow
from bot.db.staff_models import OutboxMessage
from bot.db.update_log import UpdateLog
from bot.delivery.role import Role
from bot.delivery.sender import Sender
from bot.deps import Content, Deps, build_deps
from bot.handlers.send import markup
from bot.handlers.staff.roles import MENUS_SET, sync_menus
from bot.i18n.catalogs import Catalogs
from bot.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from bot.inbound.durable import DurableHandler
from bot.inbound.polling import Poller
from bot.staff.roles import bootstrap
from bot.transport import AiohttpRequest
from bot.views import reminders
from bot.views.menus import command_menu, profile

log = logging.getLogger(__name__)


async def set_command_menus(
    app: Application[Any, Any, Any, Any, Any, Any], catalogs: Catalogs
) -> None:
    """Commands and descriptions once per language, plus English for everyone else: all at
    once, since each is a round trip to Telegram and start-up waits for them."""
    calls = []
    for locale in SUPPORTED_LOCALES:
        tr, code = catalogs.get(locale), None if locale == DEFAULT_LOCALE else locale
        commands = [BotCommand(c, d) for c, d in command_menu(tr)]
        description, short = profile(tr)
        calls += [
            app.bot.set_my_commands(commands, language_code=code),
            app.bot.set_my_description(description, language_code=code),
            app.bot.set_my_short_description(short, language_code=code),
        ]
    await asyncio.gather(*calls)


async def _bootstrap_admins(deps: Deps) -> None:
    """URA_ADMIN_IDS become admins, granted once by configuration; a process starting at
    the same moment may have just granted them (its row wins, ours is rolled back)."""
    for last in (False, True):
        try:
            async with deps.uow() as uow:
                await bootstrap(uow, deps.settings.admin_ids)
            return
        except IntegrityError:
            if last:
                raise


class Runtime:
    """A started bot: dependencies, initialized Application and its poller."""

    def __init__(self, deps: Deps, app: UraApplication, poller: Poller, bulk: Bot):
        self.deps, self.app, self.poller = deps, app, poller
        # The dispatcher plans and drains the outbox beside the poller, at its own pace and
        # through its own Bot (the same connections, without the replies' rate limiter), so
        # replies to learners never queue behind bulk sends; a 429 pauses the bulk lane.
        self._sender_stop = asyncio.Event()
        self.sender = Sender(
            deps.uow,
            lambda chat, reply, silent: bulk.send_message(
                chat, reply.text, reply_markup=markup(reply), disable_notification=silent
            ),
            lambda due: reminders.compose(due, deps.catalogs.get(due.locale or DEFAULT_LOCALE)),
            rate=deps.settings.sender_rate,
            idle_seconds=deps.settings.sender_idle_seconds,
            role=Role(deps.engine),
        )
        self._sender_task = asyncio.create_task(self.sender.run(self._sender_stop))

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        token: str,
        request: BaseRequest | None = None,
        content: Content | None = None,
    ) -> Runtime:
        """Build and initialize everything; publish the configured lesson files if this set
        of files was never published (once per deployment)."""
        deps = await build_deps(settings, content=content, publish_lessons=True)
        try:
            await _bootstrap_admins(deps)
        except BaseException:
            await deps.close()
            raise
        stale = deps.help.directory.stale(
            today=date.today(), max_age_days=settings.referral_max_age_days
        )
        if stale:  # coordinators re-verify these; `ura referrals check` lists them
            log.warning("%d referral entries are stale or unverified", len(stale))
        # The network: a pool for calls, one connection to long-poll (PTB's own split).
        calls, polls = (request, request) if request else (AiohttpRequest(), AiohttpRequest(1))
        app = build_application(deps, token=token, request=calls, updates_request=polls)
        try:
            await app.initialize()
            await set_command_menus(app, deps.catalogs)
            # Staff see their own commands, learners never do.
            await sync_menus(app.bot, deps, app.bot_data.setdefault(MENUS_SET, set()))
        except BaseException:  # Telegram unreachable or the token refused: close what is open
            for each in {calls, polls}:
                await each.shutdown()
            await deps.close()
            raise
        durable = DurableHandler(app, UpdateLog(deps.engine, deps.turn, deps.reads), deps.outage)
        bulk = Bot(
            token,
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_api_base_file_url,
            request=app.bot.request,  # shut down with the Application's bot
        )
        await bulk.initialize()
        return cls(deps, app, Poller(durable, timeout=settings.poll_timeout), bulk)

    async def probe(self) -> dict[str, Any]:
        """Health for the webhook's /healthz and /metrics: the database answers, whether
        this process dispatches, what waits in the outbox, what went out in the last minute."""
        async with self.deps.uow() as uow:
            queued = await uow.session.scalar(
                select(func.count()).where(OutboxMessage.status == "queued")
            )
            sent = await uow.session.scalar(
                select(func.count()).where(
                    OutboxMessage.status == "sent",
                    OutboxMessage.sent_at > utcnow() - timedelta(minutes=1),
                )
            )
        role = self.sender.role
        return {
            "database": "ok",
            "dispatcher": role is None or role.held,
            "outbox_queued": int(queued or 0),
            "sent_last_minute": int(sent or 0),
        }

    async def stop(self) -> None:
        """Shut the Application down and close the database."""
        self._sender_stop.set()
        await self._sender_task
        if self.sender.role is not None:
            await self.sender.role.release()
        await self.app.shutdown()
        await self.deps.close()


async def serve(settings: Settings, *, token: str) -> None:
    """Long-poll, or serve the webhook, until SIGINT/SIGTERM."""
    runtime = await Runtime.start(settings, token=token)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    log.info("Ura is serving as @%s (%s)", runtime.app.bot.username, settings.mode)
    try:
        if settings.mode == "webhook":
            await serve_webhook(runtime, settings, stop)
        else:
            await runtime.poller.run(stop)
    finally:
        await runtime.stop()


async def serve_webhook(runtime: Runtime, settings: Settings, stop: asyncio.Event) -> None:
    """Register the webhook with its secret, then serve it (uvicorn) until `stop`."""
    import uvicorn

    from bot.inbound.polling import ALLOWED_UPDATES
    from bot.inbound.webhook import build

    app = build(
        runtime.poller.durable,
        secret=settings.webhook_secret,
        max_body=settings.webhook_max_body,
        probe=runtime.probe,
    )
    config = uvicorn.Config(
        app, host=settings.webhook_host, port=settings.webhook_port, log_config=None
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():  # listen first, then tell Telegram
        await asyncio.sleep(0.02)
    if task.done():
        await task  # it could not listen: say why
        return
    await runtime.app.bot.set_webhook(
        settings.webhook_url.rstrip("/") + "/telegram",
        secret_token=settings.webhook_secret,
        allowed_updates=ALLOWED_UPDATES,
    )
    await stop.wait()
    server.should_exit = True
    await task
