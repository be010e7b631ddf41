"""HTTP front end: serve the emulator over real HTTP/1.1 for a bot in another process.

``serve_http`` answers ``/bot<token>/<method>`` with JSON, form or multipart bodies;
``close_http`` stops the server and its open connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import weakref
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from .constants import JSONDict
from .core import BotApiEmulator
from .errors import ApiError
from .params import _decode_form_value

_MAX_BODY: Final = 64 * 1024 * 1024
_PATH_RE: Final = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]+)/?$")
_CONNECTIONS: weakref.WeakKeyDictionary[asyncio.Server, set[asyncio.Task[Any]]] = (
    weakref.WeakKeyDictionary()
)


class _HttpProtocolError(Exception):
    """The peer did not speak HTTP/1.1 well enough to answer it."""


@dataclass
class _HttpRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


async def serve_http(
    emulator: BotApiEmulator, *, host: str = "127.0.0.1", port: int = 0
) -> tuple[asyncio.Server, int]:
    """Serve the emulator over real HTTP/1.1 for a bot running in another process.

    Answers ``POST``/``GET /bot<token>/<method>`` with JSON, form or multipart bodies. Each
    connection runs in its own task, so a long-polling getUpdates never blocks other calls.
    Returns the server and its bound port; stop it with ``close_http(server)``.
    """
    box: list[asyncio.Server] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        tasks = _CONNECTIONS.setdefault(box[0], set()) if box else set()
        if task is not None:
            tasks.add(task)
        try:
            await _serve_connection(emulator, box[0] if box else None, reader, writer)
        except asyncio.CancelledError:
            pass  # close_http or loop teardown; asyncio would log a cancelled callback task
        finally:
            if task is not None:
                tasks.discard(task)

    server = await asyncio.start_server(on_connect, host, port)
    box.append(server)
    _CONNECTIONS[server] = set()
    bound = int(server.sockets[0].getsockname()[1])
    return server, bound


async def close_http(server: asyncio.Server) -> None:
    """Stop listening and end open connections (Python 3.11's wait_closed does not wait)."""
    server.close()
    tasks = list(_CONNECTIONS.pop(server, set()))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await server.wait_closed()


async def _serve_connection(
    emulator: BotApiEmulator,
    server: asyncio.Server | None,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    try:
        while True:
            try:
                request = await _read_request(reader, writer)
            except _HttpProtocolError as exc:
                await _write_response(
                    writer,
                    400,
                    {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"},
                    False,
                )
                return
            if request is None:
                return
            status, body = await _dispatch_http(emulator, request)
            keep_alive = request.keep_alive and (server is None or server.is_serving())
            await _write_response(writer, status, body, keep_alive)
            if not keep_alive:
                return
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        return  # the peer went away or sent garbage: just drop the connection
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await writer.wait_closed()


async def _read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> _HttpRequest | None:
    """Read one request; None on a clean end of the connection."""
    line = await reader.readline()
    while line in (b"\r\n", b"\n"):  # tolerate stray CRLF between requests (RFC 9112 2.2)
        line = await reader.readline()
    if not line:
        return None
    try:
        method, target, version = line.decode("latin-1").split()
    except ValueError:
        raise _HttpProtocolError("malformed request line") from None
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if not raw:
            raise asyncio.IncompleteReadError(raw, None)
        if raw in (b"\r\n", b"\n"):
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise _HttpProtocolError("malformed header")
        headers[name.strip().lower()] = value.strip()
        if len(headers) > 100:
            raise _HttpProtocolError("too many headers")
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise _HttpProtocolError("bad Content-Length") from None
        if not 0 <= length <= _MAX_BODY:
            raise _HttpProtocolError("body too large")
        body = await reader.readexactly(length)
    connection = headers.get("connection", "").lower()
    if version.upper() == "HTTP/1.0":
        keep_alive = "keep-alive" in connection
    else:
        keep_alive = "close" not in connection
    return _HttpRequest(method.upper(), target, headers, body, keep_alive)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readline()
        try:
            size = int(size_line.split(b";")[0].strip(), 16)
        except ValueError:
            raise _HttpProtocolError("bad chunk size") from None
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers are ignored
            return b"".join(chunks)
        total += size
        if total > _MAX_BODY:
            raise _HttpProtocolError("body too large")
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def _dispatch_http(emulator: BotApiEmulator, request: _HttpRequest) -> tuple[int, JSONDict]:
    parts = urlsplit(request.target)
    match = _PATH_RE.match(parts.path)
    if request.method not in ("GET", "POST") or match is None:
        return 404, ApiError(404, "Not Found").to_json()
    params: JSONDict = {
        name: _decode_form_value(name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    }
    try:
        params.update(_decode_body(request))
    except _HttpProtocolError as exc:
        return 400, ApiError(400, f"Bad Request: {exc}").to_json()
    return await emulator.handle(match.group(2), params)


def _decode_body(request: _HttpRequest) -> JSONDict:
    """Decode the parameters of a JSON, urlencoded or multipart body."""
    if not request.body:
        return {}
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        try:
            decoded = json.loads(request.body)
        except ValueError:
            raise _HttpProtocolError("can't parse JSON body") from None
        if not isinstance(decoded, dict):
            raise _HttpProtocolError("JSON body must be an object")
        return decoded
    if mime == "multipart/form-data":
        return _parse_multipart(request.body, content_type)
    text = request.body.decode("utf-8", "replace")
    return {
        name: _decode_form_value(name, value)
        for name, value in parse_qsl(text, keep_blank_values=True)
    }


def _parse_multipart(body: bytes, content_type: str) -> JSONDict:
    """Minimal multipart/form-data reader: text fields decoded, files reduced to name and size."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise _HttpProtocolError("multipart body without boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: JSONDict = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        disposition = ""
        for header in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = header.partition(":")
            if key.strip().lower() == "content-disposition":
                disposition = value
        name = re.search(r'\bname="([^"]*)"', disposition)
        if name is None:
            continue
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if filename is not None:
            fields[name.group(1)] = {"filename": filename.group(1), "size": len(content)}
        else:
            fields[name.group(1)] = _decode_form_value(
                name.group(1), content.decode("utf-8", "replace")
            )
    return fields


async def _write_response(
    writer: asyncio.StreamWriter, status: int, body: JSONDict, keep_alive: bool
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Server: ura-bot-api-emulator\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "\r\n"
    )
    writer.write(head.encode("latin-1") + payload)
    await writer.drain()
