"""Ura's HTTP client for the Bot API: aiohttp under PTB's own request interface.

Why not PTB's default (httpx): every press costs two Bot API calls, and httpx spends far more
of the event loop on each than the rest of a lesson step does. Measured by
`bench/transport.py`: 1.3 ms of CPU a call with httpx (2.4 ms with 50 calls in flight, as
httpcore checks every pooled connection on each request) against 0.3-0.5 ms with aiohttp. Everything above the transport - PTB's Bot, its errors, flood control,
retries - is unchanged; only the bytes move through aiohttp.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's defaults for its own request class, so a swap changes no behaviour but the cost.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0


def _given(value: Any, default: float | None) -> float | None:
    """A timeout PTB passed, or ours where it passed its 'use the default' marker."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _total(*parts: float | None) -> float | None:
    """aiohttp has no write timeout: the whole call is bounded by the sum instead."""
    return None if any(part is None for part in parts) else sum(p for p in parts if p)


class AiohttpRequest(BaseRequest):
    """PTB's `BaseRequest` on one aiohttp session (a pool of `connections`).

    Timeouts keep PTB's meaning: `read_timeout` bounds the wait for each chunk of the answer
    (getUpdates adds its long-poll time to it), `connect_timeout` a new connection, and the
    pool wait plus connecting must fit in `pool_timeout + connect_timeout`. Any timeout is
    PTB's `TimedOut`, any other failure its `NetworkError`, so callers see what they would
    see with httpx. Initialising or shutting down twice is harmless: the bulk sender shares
    the Application bot's request.
    """

    def __init__(self, connections: int = 256, *, read_timeout: float | None = READ_TIMEOUT):
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                # Telegram's answers are small JSON; no cookies, no proxies from the environment.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("This AiohttpRequest is not initialized")
        fields = request_data.json_parameters if request_data else None
        files = request_data.multipart_data if request_data else None
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if files else WRITE_TIMEOUT)
        connect = _given(connect_timeout, CONNECT_TIMEOUT)
        pool = _given(pool_timeout, POOL_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            total=_total(pool, connect, write, read),
            connect=_total(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(fields, files),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp raises the builtin for every timeout
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}") from err


def _body(fields: dict[str, str] | None, files: dict[str, Any] | None) -> Any:
    """The form PTB's httpx transport would send: url-encoded parameters, or multipart
    with the same parameters as fields when there are files."""
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in (fields or {}).items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, *rest = part
        form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
    return form
