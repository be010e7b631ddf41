"""Telegram's webhook: the same durable path as polling, behind a small ASGI app.

Telegram POSTs each update with the secret token set by `setWebhook` in a header. The app
checks that secret in constant time, refuses a body that is too large or not JSON, then
handles the update through `DurableHandler.handle` (skip if seen → handle → record) before
answering 200. A failure answers 500, so Telegram delivers the update again; the durable
path makes the second delivery change nothing twice. Updates from one chat are handled one
at a time, in the order they arrive (a lock per chat); different chats run at once.

`/healthz` reports the database, the dispatcher role and the age of the last update;
`/metrics` the same and the counters, in Prometheus' text format.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.inbound.durable import DurableHandler, NotDone
from bot.inbound.lanes import ChatLocks, Slots, chat_key
from bot.inbound.polling import read_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
Probe = Callable[[], Awaitable[dict[str, Any]]]


@dataclass
class Counters:
    """What /metrics reports about this process."""

    handled: int = 0
    failed: int = 0
    refused: int = 0
    last_update_at: float | None = None


def build(durable: DurableHandler, *, secret: str, max_body: int, probe: Probe) -> Starlette:
    """The ASGI app: POST /telegram for updates, GET /healthz and /metrics."""
    # As many updates at once as the poller handles (`Slots`): Telegram opens up to 40
    # connections, and handling forty at once only made them contend for the loop, the
    # database's connections and their threads (bench/presses.py --webhook).
    counters, chats, slots = Counters(), ChatLocks(), Slots()

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            counters.refused += 1
            return PlainTextResponse("forbidden", status_code=403)
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_body):
            counters.refused += 1
            return PlainTextResponse("too large", status_code=413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body:
                counters.refused += 1
                return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            counters.refused += 1
            return PlainTextResponse("not an update", status_code=400)
        counters.last_update_at = time.time()
        try:
            update_id = int(data["update_id"])
            update = read_update(data, durable.app.bot)
            async with chats.hold(chat_key(update, update_id)), slots.take(update):
                if update is None:  # unreadable: nothing can handle it; record it
                    await durable.record(update_id)
                else:
                    await durable.handle(update)
        except NotDone as exc:
            counters.failed += 1
            log.warning("update %s will be delivered again (%s)", data["update_id"], exc)
            return PlainTextResponse("try again", status_code=500)
        except Exception as exc:
            counters.failed += 1
            log.error("update %s failed (%s)", data["update_id"], type(exc).__name__)
            return PlainTextResponse("try again", status_code=500)
        counters.handled += 1
        return PlainTextResponse("ok")

    async def healthz(_: Request) -> Response:
        state = await _state(probe, counters)
        return JSONResponse(state, status_code=200 if state["database"] == "ok" else 503)

    async def metrics(_: Request) -> Response:
        state = await _state(probe, counters)
        lines = [
            f"ura_updates_handled_total {counters.handled}",
            f"ura_updates_failed_total {counters.failed}",
            f"ura_updates_refused_total {counters.refused}",
            f"ura_database_up {int(state['database'] == 'ok')}",
            f"ura_dispatcher {int(bool(state.get('dispatcher')))}",
        ]
        for name in ("outbox_queued", "sent_last_minute"):
            if isinstance(state.get(name), int):
                lines.append(f"ura_{name} {state[name]}")
        if state["last_update_age_seconds"] is not None:
            lines.append(f"ura_last_update_age_seconds {state['last_update_age_seconds']:.1f}")
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")

    routes = [
        Route("/telegram", telegram, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    return Starlette(routes=routes)


async def _state(probe: Probe, counters: Counters) -> dict[str, Any]:
    try:
        found = await probe()
    except Exception as exc:
        found = {"database": f"down ({type(exc).__name__})"}
    age = time.time() - counters.last_update_at if counters.last_update_at else None
    return {"database": "ok", **found, "last_update_age_seconds": age}
