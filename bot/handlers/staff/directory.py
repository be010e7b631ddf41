"""The referral directory from Telegram (moderators): a `<cc>.yaml` or `directory.zip` sent as
a document is checked and previewed, then published or discarded; /directory_admin lists
entries to re-verify and sends the current files."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.handlers.context import UraContext
from bot.handlers.send import send, show
from bot.handlers.staff.access import allowed, requires
from bot.help.categories import HELP_CATEGORIES
from bot.help.directory import COUNTRIES, DirectoryStore
from bot.staff import directory as use
from bot.staff import uploads
from bot.staff.roles import MODERATOR
from bot.views import menus
from bot.views import staff_directory as view

# What a directory upload is called: a country file, or a zip named after the folder. Other
# documents (lesson files and zips) are left to the lesson tools.
_NAME = re.compile(r"^(?:[a-z]{2}\.ya?ml|(?:referrals|directory)[\w.-]*\.zip)$", re.IGNORECASE)


class _DirectoryFile(filters.MessageFilter):
    """A document named like a directory upload."""

    def filter(self, message: Message) -> bool:
        document = message.document
        return bool(document and document.file_name and _NAME.match(document.file_name))


def _limits(context: UraContext) -> uploads.Limits:
    """The same limits as lesson uploads (URA_UPLOAD_MAX_*)."""
    s = context.deps.settings
    return uploads.Limits(s.upload_max_bytes, s.upload_max_files, s.upload_max_unpacked)


async def _download(message: Message, context: UraContext) -> bytes:
    """The document's bytes, refused unread when Telegram says it is over the limit."""
    document = message.document
    assert document is not None
    uploads.check_size(document.file_size, _limits(context))
    file = await context.bot.get_file(document.file_id)
    return bytes(await file.download_as_bytearray())


async def on_document(update: Update, context: UraContext) -> None:
    """A moderator's directory file: errors, or a preview with Publish / Discard."""
    message = update.effective_message
    if message is None or not await allowed(update, context, (MODERATOR,)):
        await send(update, menus.not_text(context.tr))  # what any learner's file gets
        return
    name = message.document.file_name if message.document else None
    try:
        files = use.unpack(name or "", await _download(message, context), _limits(context))
    except uploads.UploadRejected as exc:
        await send(update, view.refused(exc, context.tr))
        return
    async with context.deps.uow() as uow:
        result = await use.receive(
            uow, _store(context), user_id=context.user_id, files=files, today=date.today()
        )
    if isinstance(result, use.Invalid):
        await send(update, view.invalid(result.errors, context.tr))
        return
    await send(update, view.checked(result, context.tr))
    await send(update, view.first_preview(result, context.tr))


@requires(MODERATOR)
async def on_admin(update: Update, context: UraContext) -> None:
    """/directory_admin: entries past their review date, with the learners they reached."""
    store, settings = _store(context), context.deps.settings
    async with context.deps.uow() as uow:
        directory = await store.refresh(uow, force=True)  # rare: always the newest set
        report = await use.stale(
            uow, directory, today=date.today(), max_age_days=settings.referral_max_age_days
        )
    await send(update, view.admin(report, directory, context.tr))


def _store(context: UraContext) -> DirectoryStore:
    """The directory this process serves (the help service's), refreshed as it is used."""
    return context.deps.help.directory_store


async def _preview(update: Update, context: UraContext, upload: int, cc: str, need: str) -> None:
    async with context.deps.uow() as uow:
        result = await use.pending(
            uow, _store(context), upload_id=upload, user_id=context.user_id, today=date.today()
        )
    if isinstance(result, use.Checked) and cc in COUNTRIES and need in HELP_CATEGORIES:
        await show(update, view.preview(result, cc, need, context.tr))
    elif isinstance(result, use.Invalid):
        await show(update, view.invalid(result.errors, context.tr))


async def _publish(update: Update, context: UraContext, upload: int) -> str | None:
    store = _store(context)
    async with context.deps.uow() as uow:
        result = await use.publish(
            uow, store, upload_id=upload, user_id=context.user_id, today=date.today()
        )
    if result is None:
        return view.gone(context.tr)
    if isinstance(result, use.Invalid):
        await show(update, view.invalid(result.errors, context.tr))
        return None
    store.install(result.version, result.files)  # committed: serve it here at once
    await show(update, view.published(result.names, context.tr))
    return None


async def _discard(update: Update, context: UraContext, upload: int) -> str | None:
    async with context.deps.uow() as uow:
        done = await use.discard(uow, upload_id=upload, user_id=context.user_id)
    if not done:
        return view.gone(context.tr)
    await show(update, view.discarded(context.tr))
    return None


async def _send_files(update: Update, context: UraContext) -> None:
    store = _store(context)
    async with context.deps.uow() as uow:
        await store.refresh(uow, force=True)
    chat = update.effective_chat
    if chat is not None:
        caption = view.download_caption(store.version, context.tr)
        data = use.zipped(store.files())
        await chat.send_document(data, filename=view.ZIP_NAME, caption=caption)


async def on_button(update: Update, context: UraContext, arg: str) -> str | None:
    """Preview another need or country, Publish, Discard, or download the files."""
    if not await allowed(update, context, (MODERATOR,)):
        return menus.dead_button(context.tr)
    action, *rest = arg.split(":")
    ids = [int(part) for part in rest[:1] if part.isdigit()]
    if action == "pv" and ids and len(rest) == 3:
        await _preview(update, context, ids[0], rest[1], rest[2])
    elif action == "pub" and ids:
        return await _publish(update, context, ids[0])
    elif action == "del" and ids:
        return await _discard(update, context, ids[0])
    elif action == "dl":
        await _send_files(update, context)
    else:
        return menus.dead_button(context.tr)
    return None


PRIVATE = filters.ChatType.PRIVATE
# access.requires returns an Awaitable-typed handler where PTB's stubs want a coroutine.
COMMANDS: list[BaseHandler[Any, Any, Any]] = [
    CommandHandler("directory_admin", on_admin, filters=PRIVATE),
    MessageHandler(filters.Document.ALL & PRIVATE & _DirectoryFile(), on_document),
]
TOOLS = {view.TOOL: on_button}
