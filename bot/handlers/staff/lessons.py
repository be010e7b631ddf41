"""Moderators' lesson tools in Telegram: a lesson file or a track zip sent as a document
(checked, previewed, published or discarded), and /lessons_admin. Every step re-checks the
role; a learner's document gets the learners' reply and is never downloaded."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.handlers.context import UraContext
from bot.handlers.send import send, show
from bot.handlers.staff.access import allowed, requires
from bot.learning.catalog import Published
from bot.staff import moderation as use
from bot.staff import uploads
from bot.staff.roles import MODERATOR
from bot.views import menus
from bot.views import staff_lessons as view
from bot.views.reply import Reply

PRIVATE = filters.ChatType.PRIVATE


def _limits(context: UraContext) -> uploads.Limits:
    s = context.deps.settings
    return uploads.Limits(s.upload_max_bytes, s.upload_max_files, s.upload_max_unpacked)


def _locale(context: UraContext) -> str:
    return context.account.locale if context.account else "en"


async def _published(context: UraContext) -> Published:
    async with context.deps.uow() as uow:
        return await context.deps.player.store.fresh(uow)


async def _files(message: Message, context: UraContext) -> dict[str, str]:
    """Download (after checking the size Telegram reports) and unpack the document."""
    document = message.document
    assert document is not None
    limits = _limits(context)
    uploads.check_size(document.file_size, limits)
    file = await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    return use.unpack(document.file_name or "", data, limits)


async def on_document(update: Update, context: UraContext) -> None:
    """A moderator's lesson file or track zip: its errors, or what it holds to preview."""
    message = update.effective_message
    if message is None or not await allowed(update, context, (MODERATOR,)):
        await send(update, menus.not_text(context.tr))  # what any learner's file gets
        return
    try:
        files = await _files(message, context)
    except uploads.UploadRejected as exc:
        await send(update, view.refused(exc, context.tr))
        return
    checked = use.check(use.everything(await _published(context)), files)
    if checked.catalog is None:
        await send(update, view.errors(checked.errors, context.tr))
        return
    async with context.deps.uow() as uow:
        upload_id = await use.store(uow, by=context.user_id, files=files)
    await send(update, view.checked(upload_id, checked.lessons, checked.locales, context.tr))


@requires(MODERATOR)
async def on_admin(update: Update, context: UraContext) -> None:
    """/lessons_admin: every lesson with its version, languages and status."""
    await send(update, await _admin(context))


async def _admin(context: UraContext) -> Reply:
    published = await _published(context)
    async with context.deps.uow() as uow:
        infos = await use.lessons_info(uow, published)
    tracks = [(t.key, t.text_for(_locale(context)).title) for t in published.catalog.tracks]
    return view.admin(infos, tracks, context.tr)


async def _preview(update: Update, context: UraContext, upload_id: int, locale: str) -> None:
    async with context.deps.uow() as uow:
        files = await use.pending(uow, upload_id)
    if files is None:
        return
    checked = use.check(use.everything(await _published(context)), files)
    if checked.catalog is None or locale not in checked.locales:
        return
    for lesson in checked.lessons[:3]:
        for reply in view.preview(lesson, locale, context.tr):
            await send(update, reply)
    await send(update, view.after_preview(upload_id, checked.locales, context.tr))


async def _decide(update: Update, context: UraContext, upload_id: int, publish: bool) -> str | None:
    store = context.deps.player.store
    async with context.deps.uow() as uow:
        if publish:
            outcome = await use.publish_upload(
                uow, await store.fresh(uow), upload_id=upload_id, by=context.user_id
            )
            reply = view.published(outcome, context.tr) if outcome else None
        else:
            done = await use.discard(uow, upload_id=upload_id, by=context.user_id)
            reply = view.discarded(context.tr) if done else None
    if reply is None:
        return view.decided(context.tr)
    await show(update, reply)
    return None


async def _info(context: UraContext, key: str) -> use.LessonInfo | None:
    published = await _published(context)
    async with context.deps.uow() as uow:
        infos = await use.lessons_info(uow, published)
    return next((i for i in infos if i.key == key), None)


async def _track(update: Update, context: UraContext, key: str) -> str | None:
    published = await _published(context)
    track = use.everything(published).track(key)
    if track is None:
        await show(update, await _admin(context))
        return None
    async with context.deps.uow() as uow:
        infos = await use.lessons_info(uow, published)
    await show(update, view.track(key, track.text_for(_locale(context)).title, infos, context.tr))
    return None


async def _lesson_action(update: Update, context: UraContext, action: str, rest: list[str]) -> str:
    """Unpublish, republish or review, then the lesson's card again."""
    key, by = rest[0], context.user_id
    async with context.deps.uow() as uow:
        if action == view.REVIEW and len(rest) == 2:
            published = await context.deps.player.store.fresh(uow)
            done = await use.review(uow, published, key=key, locale=rest[1], by=by) is not None
        elif action in (view.UNPUB, view.REPUB):
            done = await use.set_published(uow, key=key, publish=action == view.REPUB, by=by)
        else:
            done = False
    info = await _info(context, key) if done or action == view.LESSON else None
    if info is None:
        return menus.dead_button(context.tr)
    await show(update, view.lesson(info, context.tr))
    return view.done_toast(context.tr)


async def _send_zip(update: Update, context: UraContext, track: str) -> str | None:
    data = use.track_zip(await _published(context), track)
    chat = update.effective_chat
    if data is None or chat is None:
        return menus.dead_button(context.tr)
    await chat.send_document(data, filename=f"{track}.zip")
    return None


async def on_button(update: Update, context: UraContext, arg: str) -> str | None:
    """Every lesson tool button, after the role check."""
    if not await allowed(update, context, (MODERATOR,)):
        return menus.dead_button(context.tr)
    action, *rest = arg.split(":")
    number = int(rest[0]) if rest and rest[0].isdigit() else None
    if action == view.PICK and number is not None and len(rest) == 2:
        await _preview(update, context, number, rest[1])
    elif action in (view.PUBLISH, view.DISCARD) and number is not None:
        return await _decide(update, context, number, action == view.PUBLISH)
    elif action == view.NOOP:
        return view.preview_toast(context.tr)
    elif action == view.TRACK:
        return await (
            _track(update, context, rest[0]) if rest and rest[0] else _root(update, context)
        )
    elif action in (view.LESSON, view.UNPUB, view.REPUB, view.REVIEW) and rest:
        return await _lesson_action(update, context, action, rest)
    elif action == view.ZIP and rest:
        return await _send_zip(update, context, rest[0])
    else:
        return menus.dead_button(context.tr)
    return None


async def _root(update: Update, context: UraContext) -> None:
    await show(update, await _admin(context))


COMMANDS: list[BaseHandler[Any, Any, Any]] = [
    CommandHandler("lessons_admin", on_admin, filters=PRIVATE),
    MessageHandler(filters.Document.ALL & PRIVATE, on_document),
]
TOOLS = {view.TOOL: on_button}
