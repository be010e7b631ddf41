"""HTTP front end: serve the emulator over real HTTP/1.1 for a bot in another process.

``serve_http`` answers ``POST /bot<token>/<method>`` with a form body, which is what PTB sends
when no file is uploaded, or a ``multipart/form-data`` body when one is (other bodies fail
loudly), and ``GET /file/bot<token>/<file_path>``, a file download (so configure the bot with
``base_file_url=f"http://127.0.0.1:{port}/file/bot"``). ``close_http`` stops the server and its
open connections.
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
from urllib.parse import parse_qsl, unquote

from .constants import JSONDict
from .core import BotApiEmulator
from .errors import ApiError, _bad
from .model import Upload

_MAX_BODY: Final = 64 * 1024 * 1024
_PATH_RE: Final = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]+)/?$")
_FILE_RE: Final = re.compile(r"^/file/bot([^/]+)/(.+)$")
_CONNECTIONS: weakref.WeakKeyDictionary[asyncio.Server, set[asyncio.Task[Any]]] = (
    weakref.WeakKeyDictionary()
)


class _HttpProtocolError(Exception):
    """The peer did not speak HTTP/1.1 well enough to answer it."""


@dataclass
class _HttpRequest:
    method: str
    target: str
    content_type: str
    body: bytes
    keep_alive: bool


async def serve_http(emulator: BotApiEmulator) -> tuple[asyncio.Server, int]:
    """Serve the emulator on a free port of 127.0.0.1 for a bot running in another process.

    Each connection runs in its own task, so a long-polling getUpdates never blocks other calls.
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

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
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
                request = await _read_request(reader)
            except _HttpProtocolError as exc:
                await _write_response(writer, 400, ApiError(400, f"Bad Request: {exc}").to_json())
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


async def _read_request(reader: asyncio.StreamReader) -> _HttpRequest | None:
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
    if "transfer-encoding" in headers or "expect" in headers:
        raise _HttpProtocolError("chunked bodies and Expect are not emulated")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise _HttpProtocolError("bad Content-Length") from None
    if not 0 <= length <= _MAX_BODY:
        raise _HttpProtocolError("body too large")
    body = await reader.readexactly(length)
    keep_alive = (
        version.upper() == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    )
    return _HttpRequest(method.upper(), target, headers.get("content-type", ""), body, keep_alive)


async def _dispatch_http(
    emulator: BotApiEmulator, request: _HttpRequest
) -> tuple[int, JSONDict | bytes]:
    """Answer one request: a JSON envelope, or a downloaded file's bytes."""
    download = _FILE_RE.match(request.target)
    if request.method == "GET" and download is not None:
        if emulator.rejects(download.group(1)):
            return 401, ApiError(401, "Unauthorized").to_json()
        try:
            return 200, emulator.download(unquote(download.group(2)))
        except ApiError as exc:
            return exc.code, exc.to_json()
    match = _PATH_RE.match(request.target)
    if request.method != "POST" or match is None:
        return 404, ApiError(404, "Not Found").to_json()
    if emulator.rejects(match.group(1)):
        return 401, ApiError(401, "Unauthorized").to_json()
    mime = request.content_type.split(";", 1)[0].strip().lower()
    params: JSONDict
    if mime == "multipart/form-data":
        try:
            params = _parse_multipart(request.content_type, request.body)
        except ValueError as exc:
            error = _bad(f"can't parse multipart/form-data body: {exc}")
            emulator._record(match.group(2), {}, error)
            return 400, error.to_json()
    elif request.body and mime != "application/x-www-form-urlencoded":
        error = ApiError(400, f"Bad Request: {mime} bodies are not emulated", unexpected=True)
        emulator._record(match.group(2), {}, error)
        return 400, error.to_json()
    else:
        params = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    return await emulator.handle(match.group(2), params)


def _parse_multipart(content_type: str, body: bytes) -> JSONDict:
    """The fields of a multipart/form-data body: strings, and ``Upload`` for file parts."""
    boundary = _header_param(content_type, "boundary")
    if not boundary:
        raise ValueError("no boundary")
    sections = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    if len(sections) < 2 or not sections[-1].startswith(b"--"):
        raise ValueError("no closing boundary")
    fields: JSONDict = {}
    for section in sections[1:-1]:
        head, sep, content = section.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("a part without a blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n")[1:]:  # [0] ends the boundary line
            header, _, value = line.decode("utf-8").partition(":")
            headers[header.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _header_param(disposition, "name")
        if not disposition.lower().startswith("form-data") or name is None:
            raise ValueError(f"a part without a form-data name: {disposition!r}")
        filename = _header_param(disposition, "filename")
        if filename is None:
            fields[name] = content.decode("utf-8")
        else:
            mime = headers.get("content-type") or "application/octet-stream"
            fields[name] = Upload(filename, content, mime)
    return fields


def _header_param(header: str, key: str) -> str | None:
    """A ``key=value`` or ``key="value"`` parameter of a header (HTML5 form escaping undone)."""
    match = re.search(rf';\s*{key}=(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))', header, re.IGNORECASE)
    if match is None:
        return None
    if match.group(1) is None:
        return match.group(2)
    return match.group(1).replace("%22", '"').replace("\\\\", "\\")


async def _write_response(
    writer: asyncio.StreamWriter, status: int, body: JSONDict | bytes, keep_alive: bool = False
) -> None:
    if isinstance(body, bytes):
        payload, content_type = body, "application/octet-stream"
    else:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        content_type = "application/json"
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Server: ura-bot-api-emulator\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "\r\n"
    )
    writer.write(head.encode("latin-1") + payload)
    await writer.drain()
