"""The baseline for bench/presses.py: a bare python-telegram-bot bot doing a lesson step's
two Bot API calls (answer the press, edit the message), and nothing else.

PTB's defaults throughout: its own Updater for polling; for the webhook the same Starlette
and uvicorn as Ura, handing each update to `process_update` before answering 200.
`BARE_CONCURRENT=4` lets it handle four updates at once, as Ura does;
`BARE_TRANSPORT=aiohttp` gives it Ura's Bot API transport instead of PTB's default (httpx).

    BARE_TOKEN=… BARE_API=http://127.0.0.1:PORT/bot [BARE_WEBHOOK_PORT=…] python bench/bare_bot.py
"""

from __future__ import annotations

import asyncio
import os
import signal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    SimpleUpdateProcessor,
)

NEXT = InlineKeyboardMarkup([[InlineKeyboardButton("Next ▸", callback_data="next")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The first card, with its Next button."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Card 0", reply_markup=NEXT)


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and show the next card: the two calls a lesson step makes."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    step = int(query.message.text.split()[-1]) + 1 if query.message.text else 1  # type: ignore[union-attr]
    await query.edit_message_text(f"Card {step}", reply_markup=NEXT)


def build() -> Application:  # type: ignore[type-arg]
    """PTB's defaults, with its own concurrent update processor when asked."""
    at_once = int(os.environ.get("BARE_CONCURRENT", "1"))
    builder = Application.builder().token(os.environ["BARE_TOKEN"]).base_url(os.environ["BARE_API"])
    if os.environ.get("BARE_TRANSPORT") == "aiohttp":  # Ura's transport, for a like-for-like run
        from bot.transport import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(1))
    if at_once > 1:
        builder = builder.concurrent_updates(SimpleUpdateProcessor(at_once))
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(press))
    return app


async def webhook(app: Application, port: int) -> None:  # type: ignore[type-arg]
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def telegram(request: Request) -> Response:
        update = Update.de_json(await request.json(), app.bot)
        await app.process_update(update)
        return Response(status_code=200)

    await app.initialize()
    await app.bot.set_webhook("https://bench.invalid/telegram")
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/telegram", telegram, methods=["POST"])]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    task = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await task
    await app.shutdown()


def main() -> None:
    app = build()
    port = os.environ.get("BARE_WEBHOOK_PORT")
    if port:
        asyncio.run(webhook(app, int(port)))
    else:
        app.run_polling(poll_interval=0, timeout=10, stop_signals=(signal.SIGTERM,))


if __name__ == "__main__":
    main()
