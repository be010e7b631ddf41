"""Telegram's webhook through the real Application: the secret, hostile bodies, the durable
path (a failure answers 500, the redelivery changes nothing twice), per-chat order, health."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from bot.inbound.lanes import ChatLocks
from bot.inbound.webhook import SECRET_HEADER, build
from tests.dbcheck import rename_table
from tests.harness import Harness

SECRET = "s3cret-token_for-the-webhook"
USER = 7700


def client(bot: Harness, max_body: int = 64 * 1024) -> httpx.AsyncClient:
    app = build(
        bot.runtime.poller.durable, secret=SECRET, max_body=max_body, probe=bot.runtime.probe
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ura")


async def pending(bot: Harness) -> list[dict[str, Any]]:
    """The updates Telegram would POST, as it sends them (taken from the fake Bot API)."""
    status, body = await bot.api.handle("getUpdates", {"timeout": 0})
    assert status == 200
    updates = list(body["result"])
    if updates:  # confirm them, as Telegram forgets what it delivered
        await bot.api.handle("getUpdates", {"offset": updates[-1]["update_id"] + 1, "timeout": 0})
    return updates


def post(http: httpx.AsyncClient, update: dict[str, Any], secret: str | None = SECRET) -> Any:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return http.post("/telegram", json=update, headers=headers)


async def test_secret_and_hostile_bodies_are_refused_and_nothing_runs(bot: Harness) -> None:
    bot.api.user_text(USER, "/start")
    [update] = await pending(bot)
    async with client(bot, max_body=2048) as http:
        assert (await post(http, update, secret=None)).status_code == 403
        assert (await post(http, update, secret="wrong" + SECRET)).status_code == 403
        headers = {SECRET_HEADER: SECRET, "content-type": "application/json"}
        assert (
            await http.post("/telegram", content=b"{not json", headers=headers)
        ).status_code == 400
        assert (await http.post("/telegram", content=b"[1, 2]", headers=headers)).status_code == 400
        huge = json.dumps({"update_id": 1, "pad": "x" * 4096}).encode()
        assert (await http.post("/telegram", content=huge, headers=headers)).status_code == 413
        assert bot.api.bot_messages(USER) == []
        assert (await post(http, update)).status_code == 200
        assert len(bot.api.bot_messages(USER)) == 1
        assert (await post(http, update)).status_code == 200  # Telegram's redelivery
        assert len(bot.api.bot_messages(USER)) == 1  # skipped: handled once


async def test_a_failure_answers_500_and_the_redelivery_loses_and_doubles_nothing(
    bot: Harness,
) -> None:
    bot.api.user_text(USER, "/start")
    [update] = await pending(bot)
    url = bot.settings.database_url
    async with client(bot) as http:
        await rename_table(url, "processed_updates", "processed_updates_away")
        assert (await post(http, update)).status_code == 500  # Telegram will deliver it again
        await rename_table(url, "processed_updates_away", "processed_updates")
        assert (await post(http, update)).status_code == 200
        assert (await post(http, update)).status_code == 200
    welcomes = [m for m in bot.api.bot_messages(USER) if m.buttons]
    assert len(welcomes) == 1  # answered once, recorded once


async def test_one_chats_updates_in_order_and_health(bot: Harness) -> None:
    locks, order = ChatLocks(), list[str]()

    async def work(chat: int, name: str, pause: float) -> None:
        async with locks.hold(("chat", chat)):
            await asyncio.sleep(pause)
            order.append(name)

    await asyncio.gather(work(1, "first", 0.05), work(1, "second", 0), work(2, "other", 0))
    assert order == ["other", "first", "second"]  # one chat in order, others not waiting
    async with client(bot) as http:
        health = await http.get("/healthz")
        assert health.status_code == 200 and health.json()["database"] == "ok"
        metrics = (await http.get("/metrics")).text
        assert "ura_updates_handled_total 0" in metrics and "ura_outbox_queued 0" in metrics


async def test_two_processes_share_the_work_and_one_dispatches(bot: Harness) -> None:
    """A second `ura run` on the same database (and the same Telegram): the webhook's
    updates are spread over both, each handled once; one process holds the dispatcher role."""
    from bot.runner import Runtime
    from fake_telegram import EmulatorRequest
    from tests.harness import TOKEN

    other = await Runtime.start(bot.settings, token=TOKEN, request=EmulatorRequest(bot.api))
    try:
        apps = [
            build(rt.poller.durable, secret=SECRET, max_body=64 * 1024, probe=rt.probe)
            for rt in (bot.runtime, other)
        ]
        users = range(USER + 10, USER + 20)
        for user in users:
            bot.api.user_text(user, "/start")
        updates = await pending(bot)
        transports = [httpx.ASGITransport(app=app) for app in apps]
        async with (
            httpx.AsyncClient(transport=transports[0], base_url="http://a") as first,
            httpx.AsyncClient(transport=transports[1], base_url="http://b") as second,
        ):
            answers = await asyncio.gather(
                *(post((first, second)[i % 2], update) for i, update in enumerate(updates))
            )
            assert {a.status_code for a in answers} == {200}
            again = await asyncio.gather(*(post(second, update) for update in updates))
            assert {a.status_code for a in again} == {200}  # redelivered to the other: skipped
        for user in users:
            assert len(bot.api.bot_messages(user)) == 1, user
        for _ in range(100):  # each process's dispatcher loop tries to take the role
            roles = [rt.sender.role for rt in (bot.runtime, other)]
            if any(role and role.held for role in roles):
                break
            await asyncio.sleep(0.02)
        held = [role.held for role in roles if role is not None]
        postgres = bot.settings.database_url.startswith("postgresql")
        assert held.count(True) == (1 if postgres else 2)  # SQLite: one process, always
    finally:
        await other.stop()


async def test_served_webhook_the_fake_telegram_pushes_and_redelivers_after_a_500(
    bot: Harness,
) -> None:
    """`ura run --webhook`'s serving path end to end: it listens, registers with its secret,
    and the fake Telegram POSTs each update; while the database refuses, the 500 makes it
    deliver the update again until it is handled, once."""
    import socket

    from bot.runner import serve_webhook

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = bot.settings.model_copy(
        update={
            "mode": "webhook",
            "webhook_url": "https://ura.example",
            "webhook_secret": SECRET,
            "webhook_port": port,
        }
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_webhook(bot.runtime, settings, stop))
    try:
        for _ in range(500):
            if bot.api.webhook_url:
                break
            await asyncio.sleep(0.01)
        assert bot.api.webhook_url == "https://ura.example/telegram"
        assert bot.api.webhook_secret == SECRET
        bot.api.balance([f"http://127.0.0.1:{port}/telegram"])  # TLS ends at the proxy
        url = bot.settings.database_url
        await rename_table(url, "processed_updates", "processed_updates_away")
        bot.api.user_text(USER, "/start")
        for _ in range(500):
            if bot.api.deliveries[500]:
                break
            await asyncio.sleep(0.01)
        await rename_table(url, "processed_updates_away", "processed_updates")
        for _ in range(500):
            if not bot.api.pending:
                break
            await asyncio.sleep(0.01)
        assert bot.api.pending == [] and bot.api.deliveries[200] == 1
        assert len([m for m in bot.api.bot_messages(USER) if m.buttons]) == 1  # once
    finally:
        stop.set()
        await serving
        await bot.api.stop_webhook()
