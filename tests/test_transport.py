"""Ura's Bot API transport (aiohttp under PTB's `BaseRequest`) over real HTTP, against the
emulator: what PTB's own transport does, it does - uploads, timeouts, failures, shutdown."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.transport import AiohttpRequest
from fake_telegram import BotApiEmulator, close_http, serve_http

TOKEN = "123456:TRANSPORT"


@pytest.fixture
async def served() -> AsyncIterator[tuple[BotApiEmulator, str]]:
    api = BotApiEmulator()
    server, port = await serve_http(api)
    try:
        yield api, f"http://127.0.0.1:{port}/bot"
    finally:
        await close_http(server)


async def test_calls_and_uploads_arrive_as_sent(served: tuple[BotApiEmulator, str]) -> None:
    api, url = served
    api.user_text(7, "/start")
    bot = Bot(TOKEN, base_url=url, request=AiohttpRequest(4))
    async with bot:
        await bot.send_message(7, "Привет – ok ✓")
        await bot.send_document(7, b"a,b\n1,2\n", filename="stats.csv", caption="CSV")
    texts = [m.text for m in api.bot_messages(7)]
    assert "Привет – ok ✓" in texts
    document = api.last(7).document
    assert document == ("stats.csv", b"a,b\n1,2\n")
    assert api.last(7).caption == "CSV"
    assert not api.errors


async def test_a_stalled_call_times_out_as_ptb_says(served: tuple[BotApiEmulator, str]) -> None:
    api, url = served
    api.user_text(7, "/start")
    bot = Bot(TOKEN, base_url=url, request=AiohttpRequest(4, read_timeout=0.3))
    async with bot:
        api.stall_next("sendMessage", 2)
        with pytest.raises(TimedOut):
            await bot.send_message(7, "late")
        await bot.send_message(7, "on time")  # the pool is still usable
    assert [m.text for m in api.bot_messages(7)] == ["on time"]


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request).get_me()
    finally:
        await request.shutdown()


async def test_shared_between_bots_initialise_and_shut_down_twice(
    served: tuple[BotApiEmulator, str],
) -> None:
    _, url = served
    request = AiohttpRequest(4)
    first, second = (Bot(TOKEN, base_url=url, request=request) for _ in range(2))
    await first.initialize()
    await second.initialize()
    assert (await second.get_me()).is_bot
    await first.shutdown()
    await second.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(url + TOKEN + "/getMe", "POST")
