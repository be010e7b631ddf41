"""Tests for the emulated Bot API, driven through the real PTB classes (no mocks).

The rest of the suite trusts the emulator to behave like Telegram, so these tests pin down the
behaviour bot code depends on: update shapes PTB can parse, offsets, long polling, Telegram's
error responses surfacing as PTB exceptions, the HTTP front end for out-of-process bots, and
that whatever it does not emulate (other methods, parameters, parse modes) fails loudly.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import struct
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from fake_telegram import BotApiEmulator, EmulatorRequest, UsageError, close_http, serve_http
from fake_telegram.constants import MAX_DOWNLOAD_BYTES, NOT_MODIFIED

USER = 1001
# The head of a 40x30 PNG: enough for the fake, which only reads what Telegram would check first.
PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", 40, 30) + b"\x08\x02\x00\x00\x00"


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


@pytest.fixture
def emu() -> BotApiEmulator:
    return BotApiEmulator()


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    request = EmulatorRequest(emu)
    bot = Bot(token="123:ABC", request=request, get_updates_request=request)
    await bot.initialize()
    yield bot
    await bot.shutdown()


async def test_get_me_through_real_bot(emu: BotApiEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (7000001, "ura_test_bot", True)
    assert bot.username == "ura_test_bot"
    assert [name for name, _ in emu.calls] == ["getMe", "getMe"]  # initialize() called it too
    assert emu.errors == []


async def test_send_edit_and_not_modified(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "/start")
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("One", callback_data="a:1"),
                InlineKeyboardButton("Two", callback_data="a:2"),
            ],
            [InlineKeyboardButton("Link", url="https://t.me/ura")],
        ]
    )
    sent = await bot.send_message(USER, "Hello", reply_markup=markup)
    assert sent.message_id == 2  # the user's /start took id 1 in this chat
    assert sent.reply_markup == markup

    view = emu.last(USER)
    assert (view.text, view.edits) == ("Hello", 0)
    assert view.buttons == [[("One", "a:1"), ("Two", "a:2")], [("Link", "https://t.me/ura")]]
    assert view.labels() == ["One", "Two", "Link"]
    assert view.find_button("Tw") == 2

    edited = await bot.edit_message_text("Hello again", USER, sent.message_id, reply_markup=markup)
    assert isinstance(edited, type(sent))
    assert edited.text == "Hello again"
    assert emu.last(USER).edits == 1

    with pytest.raises(BadRequest, match=r"(?i)message is not modified") as caught:
        await bot.edit_message_text("Hello again", USER, sent.message_id, reply_markup=markup)
    # PTB strips "Bad Request: " and then str.capitalize()s the rest of the description.
    assert caught.value.message == NOT_MODIFIED.removeprefix("Bad Request: ").capitalize()

    # Same text without a markup drops the keyboard, as in Telegram: that is a modification.
    await bot.edit_message_text("Hello again", USER, sent.message_id)
    assert emu.last(USER).buttons == []
    assert emu.texts(USER) == ["Hello again"]
    assert emu.last(USER).edits == 2

    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", USER, 1)  # the user's own message
    assert emu.errors == []


async def test_chat_must_be_known_and_blocking(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(42, "hi")
    emu.user_text(42, "hello")
    emu.my_chat_member_kicked(42)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(42, "hi")
    emu.user_text(42, "/start")  # writing again unblocks, as in Telegram
    await bot.send_message(42, "welcome back")
    kinds = [next(k for k in u if k != "update_id") for u in emu.pending]
    assert kinds == ["message", "my_chat_member", "my_chat_member", "message"]


async def test_text_validation(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "hi")
    await bot.send_message(USER, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "hi", reply_markup=keyboard([("Too long", "é" * 33)]))
    sent = await bot.send_message(USER, "  padded\n ")
    assert sent.text == "padded"  # Telegram cuts outer whitespace
    assert emu.texts(USER) == ["x" * 4096, "padded"]
    assert emu.errors == []


async def test_press_parses_as_callback_query(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "/start")
    sent = await bot.send_message(USER, "Pick", reply_markup=keyboard([("A", "pick:a")]))
    update_id = emu.press(USER, sent.message_id, 1)

    update = Update.de_json(emu.updates_by_id[update_id], bot)
    query = update.callback_query
    assert query is not None and query.message is not None
    assert query.data == "pick:a"
    assert query.from_user.id == USER
    assert query.message.message_id == sent.message_id

    assert await query.answer("ok")
    assert emu.callback_answers[-1]["text"] == "ok"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("nope")

    with pytest.raises(UsageError):
        emu.press(USER, sent.message_id, 2)
    with pytest.raises(UsageError):
        emu.press(USER, 99, 1)
    with pytest.raises(UsageError):
        emu.press(USER, 1, 1)  # the user's own message


async def test_forge_press_parses(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "hi")
    update_id = emu.forge_press(USER, 777, "x" * 200)
    update = Update.de_json(emu.updates_by_id[update_id], bot)
    query = update.callback_query
    assert query is not None and query.message is not None
    assert query.data == "x" * 200
    assert not query.message.is_accessible
    assert query.message.message_id == 777


async def test_get_updates_offset_confirmation(emu: BotApiEmulator, bot: Bot) -> None:
    first = emu.user_text(USER, "one")
    second = emu.user_text(USER, "two")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second]
    assert updates[0].message is not None and updates[0].message.text == "one"
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert emu.pending == []

    # A replayed update comes back once even though the offset already moved past it.
    emu.replay(first)
    assert [u.update_id for u in await bot.get_updates(offset=second + 1)] == [first]
    assert await bot.get_updates(offset=second + 1) == ()


async def test_long_poll_returns_early(emu: BotApiEmulator, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()
    update_id = emu.user_text(USER, "wake up")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [update_id]
    assert loop.time() - started < 2

    assert await bot.get_updates(offset=update_id + 1, timeout=dt.timedelta(milliseconds=50)) == ()


async def test_second_poller_conflicts(emu: BotApiEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)
    emu.user_text(USER, "hi")
    assert len(await asyncio.wait_for(second, 2)) == 1


async def test_unknown_method_lands_in_errors(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "hi")
    with pytest.raises(InvalidToken, match=r"(?i)sendPoll is not emulated"):
        await bot.send_poll(USER, "Q?", ["a", "b"])
    with pytest.raises(InvalidToken, match=r"(?i)sendDice is not emulated"):
        await bot.send_dice(USER)
    assert len(emu.errors) == 2 and "sendPoll" in emu.errors[0]
    assert emu.failures[0] == ("sendPoll", 404, "Not Found: method sendPoll is not emulated")


async def test_parse_mode_fails_loudly(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "hi")
    with pytest.raises(BadRequest, match=r"(?i)parse modes are not emulated"):
        await bot.send_message(USER, "<b>Hi</b>", parse_mode=ParseMode.HTML)
    sent = await bot.send_message(USER, "plain")
    with pytest.raises(BadRequest, match=r"(?i)parse modes are not emulated"):
        await bot.edit_message_text("*Done*", USER, sent.message_id, parse_mode="MarkdownV2")
    assert emu.texts(USER) == ["plain"]
    assert len(emu.errors) == 2 and "parse_mode" in emu.errors[0]


async def test_unknown_parameters_and_markups_fail_loudly(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "hi")
    with pytest.raises(BadRequest, match=r"(?i)protect_content of sendMessage"):
        await bot.send_message(USER, "kept", protect_content=True)
    with pytest.raises(BadRequest, match=r"(?i)only inline keyboards"):
        await bot.send_message(USER, "menu", reply_markup=ReplyKeyboardMarkup([["Yes", "No"]]))
    assert emu.bot_messages(USER) == []
    assert len(emu.errors) == 2


async def test_fail_next(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "hi")
    emu.fail_next("sendMessage", 500, "Internal Server Error")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(USER, "a")
    await bot.send_message(USER, "b")
    assert emu.texts(USER) == ["b"]
    assert emu.failures == [("sendMessage", 500, "Internal Server Error")]
    assert emu.errors == []


async def test_flood_control_answers_429_with_retry_after(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "hi")
    emu.fail_next("sendMessage", 429, retry_after=7)
    status, body = await emu.handle("sendMessage", {"chat_id": USER, "text": "a"})
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )
    emu.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "b")
    assert raised.value.retry_after == dt.timedelta(seconds=3)
    await bot.send_message(USER, "c")
    assert emu.texts(USER) == ["c"]
    assert [code for _, code, _ in emu.failures] == [429, 429]
    assert emu.errors == []


async def test_failures_for_one_chat_and_several_calls(emu: BotApiEmulator, bot: Bot) -> None:
    other = USER + 1
    emu.user_text(USER, "hi")
    emu.user_text(other, "hi")
    emu.fail_next("sendMessage", 502, times=2, chat_id=USER)
    await bot.send_message(other, "another chat is not affected")
    for text in ("a", "b"):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, text)
    await bot.send_message(USER, "c")
    emu.fail_next("sendMessage", 500)  # any chat; Telegram's own description
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(other, "d")
    assert (emu.texts(USER), emu.texts(other)) == (["c"], ["another chat is not affected"])
    assert [code for _, code, _ in emu.failures] == [502, 502, 500]
    for wrong in (
        lambda: emu.fail_next("sendMesage", 500),
        lambda: emu.fail_next("answerCallbackQuery", 500, chat_id=USER),
        lambda: emu.fail_next("sendMessage", 429),
        lambda: emu.stall_next("sendMessage", 1, times=0),
    ):
        with pytest.raises(UsageError):
            wrong()
    assert emu.errors == []


async def test_a_stalled_call_times_out_and_takes_no_effect(emu: BotApiEmulator) -> None:
    request = EmulatorRequest(emu, read_timeout=0.2)
    bot = Bot(token="123:ABC", request=request, get_updates_request=request)
    await bot.initialize()
    try:
        emu.user_text(USER, "hi")
        emu.stall_next("sendMessage", 30, chat_id=USER)
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "lost")
        assert asyncio.get_running_loop().time() - started < 5
        await bot.send_message(USER, "delivered")
        assert emu.texts(USER) == ["delivered"]
        emu.stall_next("sendMessage", 0.05)  # shorter than the client waits: 504, no effect
        with pytest.raises(NetworkError, match="Gateway Timeout"):
            await bot.send_message(USER, "dropped")
        assert emu.texts(USER) == ["delivered"]
    finally:
        await bot.shutdown()
    assert emu.errors == []


async def test_a_stalled_call_times_out_over_http(emu: BotApiEmulator) -> None:
    server, port = await serve_http(emu)
    request = HTTPXRequest(read_timeout=0.2)
    bot = Bot(token="123:ABC", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    try:
        await bot.initialize()
        emu.user_text(USER, "hi")
        emu.stall_next("sendMessage", 30)
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "lost")
        await bot.send_message(USER, "delivered")
        assert emu.texts(USER) == ["delivered"]
    finally:
        await bot.shutdown()
        await close_http(server)  # ends the stalled connection too
    assert emu.errors == []


async def test_a_raw_poison_update_is_served_as_is(emu: BotApiEmulator, bot: Bot) -> None:
    good = emu.user_text(USER, "before")
    body = {"message": {"message_id": 9, "date": 0, "text": "x", "chat": {"id": USER}}}
    poison = emu.raw_update(body)
    assert poison == good + 1
    assert emu.pending[-1] == {"update_id": poison, **body}
    with pytest.raises(TypeError):  # PTB cannot build a Chat without a type
        await bot.get_updates()
    status, answer = await emu.handle("getUpdates", {"offset": poison})
    assert (status, answer["result"]) == (200, [{"update_id": poison, **body}])
    assert await bot.get_updates(offset=poison + 1) == ()
    with pytest.raises(UsageError):
        emu.raw_update({"update_id": 1, "message": {}})
    assert emu.errors == []


async def test_user_media_and_edit_updates_parse(emu: BotApiEmulator, bot: Bot) -> None:
    sticker = Update.de_json(emu.updates_by_id[emu.user_sticker(USER)], bot)
    assert sticker.message is not None and sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "👍"

    photo = Update.de_json(emu.updates_by_id[emu.user_photo(USER, caption="me")], bot)
    assert photo.message is not None and len(photo.message.photo) == 2
    voice = Update.de_json(emu.updates_by_id[emu.user_voice(USER)], bot)
    assert voice.message is not None and voice.message.voice is not None

    text_id = emu.user_text(USER, "/start abc", language_code="ru")
    message = Update.de_json(emu.updates_by_id[text_id], bot).message
    assert message is not None and message.from_user is not None
    assert message.from_user.language_code == "ru"
    assert message.parse_entities() == {message.entities[0]: "/start"}

    edited = Update.de_json(emu.updates_by_id[emu.user_edit(USER, message.message_id, "/x")], bot)
    assert edited.edited_message is not None
    assert edited.edited_message.text == "/x" and edited.edited_message.edit_date is not None

    kicked = Update.de_json(emu.updates_by_id[emu.my_chat_member_kicked(USER)], bot)
    assert kicked.my_chat_member is not None
    assert kicked.my_chat_member.new_chat_member.status == "kicked"


async def test_bot_profile_settings(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="ru")
    await bot.set_my_description("Long", language_code="en")
    await bot.set_my_short_description("Short")
    assert emu.calls_to("setMyCommands") == [
        {"commands": [{"command": "start", "description": "Start"}], "language_code": "ru"}
    ]
    assert emu.calls_to("setMyDescription") == [{"description": "Long", "language_code": "en"}]
    assert emu.calls_to("setMyShortDescription") == [{"short_description": "Short"}]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    with pytest.raises(BadRequest, match=r"(?i)short_description is too long"):
        await bot.set_my_short_description("x" * 121)
    assert emu.errors == []


async def test_over_real_http(emu: BotApiEmulator) -> None:
    server, port = await serve_http(emu)
    bot = Bot(token="123:ABC", base_url=f"http://127.0.0.1:{port}/bot")
    try:
        await bot.initialize()
        assert bot.username == "ura_test_bot"
        emu.user_text(USER, "/start")
        updates = await bot.get_updates(timeout=0)
        assert updates[0].message is not None and updates[0].message.text == "/start"
        sent = await bot.send_message(USER, "Hello 👋 12", reply_markup=keyboard([("A", "a")]))
        assert (sent.text, emu.last(USER).buttons) == ("Hello 👋 12", [[("A", "a")]])
        assert emu.calls_to("sendMessage")[-1]["chat_id"] == USER  # decoded from a form string

        poll = asyncio.create_task(bot.get_updates(offset=updates[-1].update_id + 1, timeout=5))
        await asyncio.sleep(0.1)
        await bot.send_message(USER, "long poll does not block other calls")
        emu.press(USER, sent.message_id, 1)
        polled = await asyncio.wait_for(poll, 3)
        assert polled[0].callback_query is not None and polled[0].callback_query.data == "a"

        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(USER, "x" * 5000)
    finally:
        await bot.shutdown()
        await close_http(server)
    assert emu.errors == []


async def test_http_other_bodies_and_unknown_paths(emu: BotApiEmulator) -> None:
    server, port = await serve_http(emu)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        requests = (
            ("/bot1:A/getMe", "application/x-www-form-urlencoded", b"", 200),
            ("/nope", "application/x-www-form-urlencoded", b"", 404),
            ("/bot1:A/getMe", "application/json", b'{"x": 1}', 400),
        )
        for path, content_type, body, expected in requests:
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
            status = await reader.readline()
            headers = {}
            while (line := await reader.readline()) != b"\r\n":
                name, _, value = line.decode().partition(":")
                headers[name.lower()] = value.strip()
            payload = json.loads(await reader.readexactly(int(headers["content-length"])))
            assert status.startswith(f"HTTP/1.1 {expected}".encode())
            assert payload["ok"] is (expected == 200)
        writer.close()
        await writer.wait_closed()
    finally:
        await close_http(server)
    assert len(emu.errors) == 1 and "application/json" in emu.errors[0]


async def test_user_document_get_file_and_download(emu: BotApiEmulator, bot: Bot) -> None:
    content = b"name,score\nAda,3\n"
    update_id = emu.user_document(USER, "scores.csv", content, caption="for staff")
    message = Update.de_json(emu.updates_by_id[update_id], bot).message
    assert message is not None and message.document is not None
    document = message.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "scores.csv",
        "text/csv",
        len(content),
    )
    assert message.caption == "for staff"
    assert message.from_user is not None and message.from_user.language_code == "en"

    file = await bot.get_file(document.file_id)
    assert file.file_size == len(content)
    assert file.file_path is not None and file.file_path.endswith(".csv")
    assert bytes(await file.download_as_bytearray()) == content
    buffer = io.BytesIO()
    await file.download_to_memory(buffer)
    assert buffer.getvalue() == content

    big = emu.user_document(USER, "dump.bin", b"\0" * (MAX_DOWNLOAD_BYTES + 1), mime_type="x/y")
    big_message = Update.de_json(emu.updates_by_id[big], bot).message
    assert big_message is not None and big_message.document is not None
    assert big_message.document.mime_type == "x/y"
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(big_message.document.file_id)
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nonsense")
    assert emu.errors == []

    # A file the fake holds no bytes for (user_photo's) fails loudly, as does a made-up path.
    photo = Update.de_json(emu.updates_by_id[emu.user_photo(USER)], bot).message
    assert photo is not None
    with pytest.raises(BadRequest, match=r"(?i)only user_document and uploads"):
        await bot.get_file(photo.photo[-1].file_id)
    with pytest.raises(InvalidToken):  # PTB's reading of a 404
        await bot.request.retrieve("https://api.telegram.org/file/bot123:ABC/documents/nope.csv")
    assert len(emu.errors) == 2 and "download" in emu.errors[1]


async def test_send_photo_and_document(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user_text(USER, "/report")
    sent = await bot.send_photo(
        USER, PNG, caption="  Weekly chart ", reply_markup=keyboard([("More", "more")])
    )
    assert sent.photo[-1].width == 40 and sent.caption == "Weekly chart"
    view = emu.last(USER)
    assert (view.text, view.photo, view.document, view.caption) == ("", PNG, None, "Weekly chart")
    assert view.labels() == ["More"] and view.summary == "[picture] Weekly chart"
    assert emu.calls_to("sendPhoto")[0]["photo"].content == PNG

    query = Update.de_json(emu.updates_by_id[emu.press(USER, sent.message_id, 1)], bot)
    assert query.callback_query is not None and query.callback_query.data == "more"
    assert query.callback_query.message is not None
    assert query.callback_query.message.message_id == sent.message_id
    with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
        await bot.edit_message_text("x", USER, sent.message_id)

    doc = await bot.send_document(USER, b"a,b\n1,2\n", filename="report.csv", caption="Rows")
    assert doc.document is not None and doc.document.file_name == "report.csv"
    view = emu.last(USER)
    assert (view.document, view.photo, view.text) == (("report.csv", b"a,b\n1,2\n"), None, "")
    assert view.summary == "[file report.csv] Rows"
    await bot.send_document(USER, doc.document.file_id)  # by file_id, as Telegram allows
    assert emu.last(USER).summary == "[file report.csv]"
    assert emu.last(USER).caption is None
    downloaded = await (await bot.get_file(doc.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a,b\n1,2\n"
    assert emu.bot_messages(USER)[0].summary == "[picture] Weekly chart"
    await bot.send_message(USER, "plain")
    assert emu.last(USER).summary == "plain"

    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(USER, PNG, caption="x" * 1025)
    await bot.send_photo(USER, PNG, caption="x" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER, b"not a picture")
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(USER, "BQACnope")
    emu.my_chat_member_kicked(USER)
    with pytest.raises(Forbidden):
        await bot.send_document(USER, b"x", filename="x.txt")
    assert emu.errors == []

    with pytest.raises(BadRequest, match=r"(?i)thumbnail of sendDocument"):
        await bot.send_document(USER, b"x", filename="x.txt", thumbnail=PNG)
    assert len(emu.errors) == 1


async def test_command_menus_per_chat_and_language(emu: BotApiEmulator, bot: Bot) -> None:
    staff = USER + 1
    emu.user_text(USER, "hi")
    emu.user_text(staff, "hi")
    assert emu.commands_for(staff, "ru") == []
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "Старт")], language_code="ru")
    scope = BotCommandScopeChat(staff)
    await bot.set_my_commands([BotCommand("stats", "Stats")], scope=scope)
    await bot.set_my_commands([BotCommand("stats", "Статистика")], scope=scope, language_code="ru")

    assert emu.commands_for(USER, "en") == [("start", "Start")]
    assert emu.commands_for(USER, "ru") == [("start", "Старт")]
    assert emu.commands_for(USER, None) == [("start", "Start")]
    assert emu.commands_for(staff, "ru") == [("stats", "Статистика")]
    assert emu.commands_for(staff, "de") == [("stats", "Stats")]

    await bot.delete_my_commands(scope=scope)
    assert emu.commands_for(staff, "de") == [("start", "Start")]
    assert emu.commands_for(staff, "ru") == [("stats", "Статистика")]
    await bot.delete_my_commands(scope=scope, language_code="ru")
    assert emu.commands_for(staff, "ru") == [("start", "Старт")]
    await bot.set_my_commands([], language_code="ru")  # an empty menu is no menu
    assert emu.commands_for(staff, "ru") == [("start", "Start")]
    await bot.delete_my_commands()
    assert emu.commands_for(staff, "ru") == []
    assert len(emu.calls_to("setMyCommands")) == 5
    assert emu.calls_to("setMyCommands")[2]["scope"] == {"type": "chat", "chat_id": staff}

    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(42))
    assert emu.errors == []
    with pytest.raises(BadRequest, match=r"(?i)not emulated"):
        await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeAllPrivateChats())
    assert len(emu.errors) == 1


async def test_files_and_menus_over_real_http(emu: BotApiEmulator) -> None:
    server, port = await serve_http(emu)
    bot = Bot(
        token="123:ABC",
        base_url=f"http://127.0.0.1:{port}/bot",
        base_file_url=f"http://127.0.0.1:{port}/file/bot",
    )
    content = bytes(range(256)) * 40 + b"\r\n--not-a-boundary\r\n"
    try:
        await bot.initialize()
        update_id = emu.user_document(USER, "данные.bin", content)
        message = Update.de_json(emu.updates_by_id[update_id], bot).message
        assert message is not None and message.document is not None
        file = await bot.get_file(message.document.file_id)
        assert bytes(await file.download_as_bytearray()) == content

        sent = await bot.send_document(
            USER,
            content,
            filename='отчёт "1".bin',
            caption="Отчёт",
            reply_markup=keyboard([("OK", "ok")]),
        )
        assert sent.document is not None and sent.caption == "Отчёт"
        view = emu.last(USER)
        assert view.document == ('отчёт "1".bin', content)
        assert view.summary == '[file отчёт "1".bin] Отчёт' and view.buttons == [[("OK", "ok")]]
        assert emu.calls_to("sendDocument")[0]["chat_id"] == USER
        await bot.send_photo(USER, PNG, caption="chart")
        assert emu.last(USER).photo == PNG

        await bot.set_my_commands([BotCommand("stats", "Stats")], scope=BotCommandScopeChat(USER))
        assert emu.commands_for(USER, "en") == [("stats", "Stats")]
    finally:
        await bot.shutdown()
        await close_http(server)
    assert emu.errors == []


async def test_flood_control_answers_429_like_telegram(emu: BotApiEmulator, bot: Bot) -> None:
    from telegram.error import RetryAfter

    from fake_telegram.limits import FloodControl

    emu.user_text(USER, "hi")
    emu.flood = FloodControl(overall=30, per_chat=1)
    await bot.send_message(USER, "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "two, in the same second")
    assert emu.flood.refused == 1 and emu.texts(USER)[-1] == "one"
