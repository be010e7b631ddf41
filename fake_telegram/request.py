"""In-process transport: a PTB request backend that answers from the emulator, no network.

Pass one ``EmulatorRequest`` as both ``request`` and ``get_updates_request``: otherwise PTB would
still long-poll api.telegram.org through a default HTTPXRequest. Uploaded files (PTB's
multipart parts) reach the emulator as ``Upload``; a GET of ``.../file/bot<token>/<path>`` (how
PTB downloads a ``File``, whatever ``base_file_url``) answers the file's bytes.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from .core import BotApiEmulator
from .errors import ApiError
from .model import Upload

_FILE_PATH_RE: Final = re.compile(r"/file/bot[^/]+/(.+)$")


class EmulatorRequest(BaseRequest):
    """PTB request backend answering from a BotApiEmulator instead of the network.

    One instance may serve as both ``request`` and ``get_updates_request``: it holds no
    connection state, so initialize/shutdown are idempotent.
    """

    __slots__ = ("_emulator", "_read_timeout")

    def __init__(self, emulator: BotApiEmulator, *, read_timeout: float | None = 5.0) -> None:
        self._emulator = emulator
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout, which PTB also adds to long-poll timeouts; a call answered
        later (see ``BotApiEmulator.stall_next``) raises TimedOut as over the network."""
        return self._read_timeout

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
        if method == "GET":
            return self._download(url)
        api_method = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        params: dict[str, Any] = (
            json.loads(json.dumps(request_data.parameters)) if request_data else {}
        )
        if request_data is not None:
            for name, (filename, content, mime) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else content.read()
                params[name] = Upload(filename, bytes(data), mime)
        # PTB passes seconds, None (wait for ever) or a DefaultValue (this request's default).
        timeout = (
            read_timeout if isinstance(read_timeout, int | float | None) else self.read_timeout
        )
        call = self._emulator.handle(api_method, params)
        try:
            status, body = await asyncio.wait_for(call, timeout)
        except TimeoutError:
            raise TimedOut(f"{api_method} got no answer within {timeout}s") from None
        return status, json.dumps(body, ensure_ascii=False).encode("utf-8")

    def _download(self, url: str) -> tuple[int, bytes]:
        path = urlsplit(url).path
        match = _FILE_PATH_RE.search(path)
        try:
            return 200, self._emulator.download(unquote(match.group(1) if match else path))
        except ApiError as exc:
            return exc.code, json.dumps(exc.to_json()).encode("utf-8")
