"""Every PTB handler, registered in one place, in order, with explicit groups."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import buttons, commands, help, messages, reminders, screen, staff, system
from bot.handlers.identify import hold_unidentified, identify
from bot.handlers.send import replying
from bot.views import menus

IDENTIFY_GROUP = -10
SCREEN_GROUP = -5
HOLD_GROUP = -4
STAFF_GROUP = -3
MAIN_GROUP = 0

PRIVATE = filters.ChatType.PRIVATE


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Wire the handlers. Group -10 identifies the user, group -5 screens every typed
    message for a need of help (and stops there if it finds one), group -4 stops an update
    whose sender could not be identified (one apology), group 0 does the work."""
    app.add_handler(TypeHandler(Update, identify), group=IDENTIFY_GROUP)
    typed = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND & filters.UpdateType.MESSAGES
    app.add_handler(MessageHandler(typed, screen.on_screen), group=SCREEN_GROUP)
    app.add_handler(TypeHandler(Update, hold_unidentified), group=HOLD_GROUP)
    app.add_handlers(staff.early(), group=STAFF_GROUP)
    main = [
        ChatMemberHandler(system.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & PRIVATE, replying(menus.edited)),
        CommandHandler("start", commands.on_start, filters=PRIVATE),
        CommandHandler("lessons", commands.on_lessons, filters=PRIVATE),
        CommandHandler("progress", commands.on_progress, filters=PRIVATE),
        CommandHandler("language", replying(menus.language_picker), filters=PRIVATE),
        CommandHandler(["help", "sos"], help.on_help),
        CommandHandler("settings", help.on_settings, filters=PRIVATE),
        CommandHandler("pause", reminders.on_pause, filters=PRIVATE),
        CommandHandler("stop", reminders.on_stop, filters=PRIVATE),
        CommandHandler("privacy", replying(menus.privacy), filters=PRIVATE),
        CommandHandler("delete", replying(menus.confirm_erase), filters=PRIVATE),
        *staff.commands(),
        MessageHandler(filters.COMMAND & PRIVATE, replying(menus.not_understood)),
        MessageHandler(filters.COMMAND & filters.ChatType.GROUPS, messages.on_group),
        CallbackQueryHandler(buttons.on_button),
        MessageHandler(filters.TEXT & PRIVATE & filters.UpdateType.MESSAGE, messages.on_text),
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE, replying(menus.not_text)),
    ]
    app.add_handlers(main, group=MAIN_GROUP)
    app.add_error_handler(system.on_error)
