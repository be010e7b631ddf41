"""In-process transport: a PTB request backend that answers from the emulator, no network.

Pass one ``EmulatorRequest`` as both ``request`` and ``get_updates_request``: otherwise PTB would
still long-poll api.telegram.org through a default HTTPXRequest.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from telegram.request import BaseRequest, RequestData

from .core import BotApiEmulator


class EmulatorRequest(BaseRequest):
    """PTB request backend answering from a BotApiEmulator instead of the network.

    One instance may serve as both ``request`` and ``get_updates_request``: it holds no
    connection state, so initialize/shutdown are idempotent.
    """

    __slots__ = ("_emulator",)

    def __init__(self, emulator: BotApiEmulator) -> None:
        self._emulator = emulator

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout PTB adds to long-poll timeouts."""
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open: there is no network."""

    async def shutdown(self) -> None:
        """Nothing to close: there is no network."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Dispatch to the emulator; the JSON round trip catches what would not survive the wire."""
        api_method = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        params = json.loads(json.dumps(request_data.parameters)) if request_data else {}
        status, body = await self._emulator.handle(api_method, params)
        return status, json.dumps(body, ensure_ascii=False).encode("utf-8")
