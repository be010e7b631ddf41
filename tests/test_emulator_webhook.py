"""The emulator's webhook: it pushes updates as Telegram does, and delivers a refused one again."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot
from telegram.error import Conflict

from fake_telegram import BotApiEmulator, EmulatorRequest

USER = 1001


class Receiver:
    """A webhook endpoint that answers with the statuses it is given, then 200."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.got = statuses, []  # type: ignore[var-annotated]
        self.port = _free_port()

    async def hook(self, request: Request) -> Response:
        self.got.append(
            (request.headers.get("x-telegram-bot-api-secret-token"), await request.json())
        )
        return Response(status_code=self.statuses.pop(0) if self.statuses else 200)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def served() -> AsyncIterator[Any]:
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def serve(receiver: Receiver) -> None:
        app = Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])
        server = uvicorn.Server(uvicorn.Config(app, port=receiver.port, log_config=None))
        task = asyncio.create_task(server.serve())
        servers.append((server, task))
        while not server.started:
            await asyncio.sleep(0.01)

    yield serve
    for server, task in servers:
        server.should_exit = True
        await task


async def wait_until(check: Any) -> None:
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_updates_are_pushed_with_the_secret_and_refused_ones_come_again(served: Any) -> None:
    emu, receiver = BotApiEmulator(), Receiver([500, 403])
    await served(receiver)
    request = EmulatorRequest(emu)
    bot = Bot("123:ABC", request=request, get_updates_request=request)
    await bot.initialize()
    try:
        await bot.set_webhook(receiver.url, secret_token="s3cret-token-0123")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        first = emu.user_text(USER, "one")
        second = emu.user_text(USER, "two")
        await wait_until(lambda: not emu.pending)
        ids = [body["update_id"] for _, body in receiver.got]
        # Refused twice, then delivered; the chat's next update waits for the one before.
        assert ids == [first, first, first, second]
        assert {secret for secret, _ in receiver.got} == {"s3cret-token-0123"}
        assert emu.deliveries == {500: 1, 403: 1, 200: 2}
        info = await bot.get_webhook_info()
        assert info.url == receiver.url and info.pending_update_count == 0
        await bot.delete_webhook()
        emu.user_text(USER, "three")
        assert [u.message.text for u in await bot.get_updates() if u.message] == ["three"]
    finally:
        await emu.stop_webhook()
        await bot.shutdown()


async def test_balance_spreads_deliveries_over_several_urls(served: Any) -> None:
    emu, one, two = BotApiEmulator(), Receiver([]), Receiver([])
    await served(one)
    await served(two)
    request = EmulatorRequest(emu)
    bot = Bot("123:ABC", request=request, get_updates_request=request)
    await bot.initialize()
    try:
        await bot.set_webhook("https://example.invalid/hook")
        emu.balance([one.url, two.url])
        for user in range(1, 9):
            emu.user_text(user, "hi")
        await wait_until(lambda: not emu.pending)
        assert len(one.got) + len(two.got) == 8 and one.got and two.got
    finally:
        await emu.stop_webhook()
        await bot.shutdown()
