"""Property-based fuzzing of every kind of update the bot can receive.

Messages (text, captions, stickers, photos, voice, edits, odd Unicode, 5,000 characters),
commands with odd arguments, callback queries with hostile data (random bytes and strings
up to 64 bytes, `v1:` data with wrong keys and numbers), groups, a channel's posts,
my_chat_member. For every one: no unhandled exception (nothing logged at ERROR by the error
handler, no misuse of the Bot API), a reply wherever a person waits in a private chat, and
nothing stored that should not be (no typed text in any table; nothing at all for groups).
"""

from __future__ import annotations

import asyncio
import logging
import re
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.db.engine import make_engine
from bot.deps import Content
from bot.help.categories import HELP_CATEGORIES
from bot.help.directory import COUNTRIES
from bot.i18n.locales import SUPPORTED_LOCALES
from bot.views import callbacks as cb
from fake_telegram import BotApiEmulator
from tests.databases import Templates, fresh_database
from tests.dbcheck import dump
from tests.faults.conftest import SCALE, Survived
from tests.faults.support import CATALOG, CRISIS_TEXT, ROOT, domain_state
from tests.harness import Harness

EXAMPLES = 40 * SCALE  # each a short story of up to STORY acts by people new to the bot
STORY = 4
PEOPLE = 3  # per story; each story gets people never seen before, so it replays the same
FIRST_PERSON = 470_000
GROUPS = [(-100_470_001, "supergroup"), (-470_002, "group")]
CHANNEL = {"id": -100_470_900, "type": "channel", "title": "Ura news"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
SHORTEST_CHECKED = 6  # shorter typed strings occur in stored values by chance
IDENTIFIER = re.compile(r"[a-z0-9_-]{1,32}")  # like the codes, keys and names stored

KEYS = [t.key for t in CATALOG.tracks] + [ls.key for t in CATALOG.tracks for ls in t.lessons]
WORDS = [*KEYS, *HELP_CATEGORIES, *COUNTRIES, *SUPPORTED_LOCALES, "zz", "", "-1", "99999", "é"]
COMMANDS = [
    "/start", "/lessons", "/progress", "/language", "/help", "/sos", "/settings", "/privacy",
    "/delete", "/START", "/start@ura_test_bot", "/help@other_bot", "/nope", "/x_y_z",
]  # fmt: skip
LANGS = [*SUPPORTED_LOCALES, "de", "zh-hans", "pt-br", "", "xxxxxxxx", None]


def fit(data: str, limit: int = 64) -> str:
    """Cut to Telegram's 64-byte callback data, on a character boundary."""
    return data.encode("utf-8")[:limit].decode("utf-8", "ignore")


def nonblank(text: str) -> bool:
    return bool(text.strip())


odd_unicode = st.text(
    alphabet=st.sampled_from(
        list("\u200b\u200d\u202e\u0301\ufeff\u00a0\u2028\x00\x1b\U0001f3f3\ufe0f\U0001f308aя /:v1")
    ),
    min_size=1,
    max_size=40,
)
long_text = st.text(min_size=1, max_size=3).map(lambda s: (s * 5000)[:5000])
personal = st.sampled_from(
    [
        CRISIS_TEXT,
        "I want to die, my name is Arben Krasniqi, call me on 0495551234",
        "my stepfather beats my mum every night",
        "Next ▸",
        "v1:n:dad-leave:0",
    ]
)
texts = st.one_of(st.text(min_size=1, max_size=300), odd_unicode, long_text, personal).filter(
    nonblank
)
commands = st.builds(
    lambda command, argument: command if argument is None else f"{command} {argument}",
    st.sampled_from(COMMANDS),
    st.none() | st.text(max_size=80) | st.sampled_from(["help", "cohort_a", "Arben0495551234"]),
)
v1_data = st.builds(
    lambda kind, first, second: f"v1:{kind}:{first}" + ("" if second is None else f":{second}"),
    st.sampled_from(list("mtonqlhcgkpxsd")) | st.text(max_size=2),
    st.sampled_from(WORDS) | st.text(max_size=12),
    st.none() | st.integers(-5, 10**6) | st.sampled_from(WORDS),
)
callback_data = (
    st.one_of(
        st.binary(min_size=1, max_size=64).map(lambda b: b.decode("utf-8", "replace")),
        st.text(min_size=1, max_size=64),
        v1_data,
    )
    .map(fit)
    .filter(bool)
)


@dataclass(frozen=True)
class Act:
    """One update to deliver. `person` is an index into the story's people; `text` is what
    he typed, or the callback data he forged (neither may ever be stored)."""

    kind: str
    person: int
    lang: str | None = None
    text: str = ""
    index: int = 0

    @property
    def private(self) -> bool:
        return self.kind not in ("group", "group command", "channel", "group member")


people = st.integers(0, PEOPLE - 1)
langs = st.sampled_from(LANGS)
acts = st.one_of(
    st.builds(Act, st.just("text"), people, langs, texts),
    st.builds(Act, st.just("command"), people, langs, commands),
    st.builds(Act, st.just("photo"), people, st.none(), st.just("") | texts),
    st.builds(Act, st.just("sticker"), people),
    st.builds(Act, st.just("voice"), people),
    st.builds(Act, st.just("edit"), people, st.none(), texts | commands),
    st.builds(Act, st.just("forged press"), people, st.none(), callback_data, st.integers(0, 3)),
    st.builds(Act, st.just("press"), people, st.none(), st.just(""), st.integers(0, 40)),
    st.builds(Act, st.just("group"), people, langs, texts, st.integers(0, 1)),
    st.builds(Act, st.just("group command"), people, langs, commands, st.integers(0, 1)),
    st.builds(Act, st.just("channel"), people, st.none(), texts, st.integers(0, 1)),
    st.builds(Act, st.just("group member"), people, st.none(), st.just(""), st.integers(0, 1)),
    st.builds(Act, st.just("blocked"), people),
    st.builds(Act, st.just("writes and blocks"), people, langs, texts | commands),
)
stories = st.lists(acts, min_size=1, max_size=STORY)


class Fuzzer:
    """Delivers acts to the bot and knows what each person last wrote."""

    def __init__(self, bot: Harness) -> None:
        self.bot = bot
        self.api = bot.api
        self.last_text: dict[int, int] = {}
        self.typed: set[str] = set()

    def note(self, text: str) -> None:
        """Remember what he typed, if finding it stored could not be a coincidence: not a
        short plain word such as the ones stored on purpose (`active`, `crisis`, `en`)."""
        if len(text.strip()) >= SHORTEST_CHECKED and not IDENTIFIER.fullmatch(text):
            self.typed.add(text)

    def deliver(self, act: Act) -> int:
        """Enqueue the act's update; returns its update_id."""
        api, person = self.api, act.person
        if act.kind in ("text", "command"):
            parts = act.text.split(maxsplit=1)
            self.note(act.text if act.kind == "text" else parts[1] if len(parts) == 2 else "")
            update_id = api.user_text(person, act.text, language_code=act.lang)
            self.last_text[person] = api.updates_by_id[update_id]["message"]["message_id"]
            return update_id
        if act.kind == "photo":
            self.note(act.text)
            return api.user_photo(person, caption=act.text or None)
        if act.kind == "sticker":
            return api.user_sticker(person)
        if act.kind == "voice":
            return api.user_voice(person)
        if act.kind == "edit":
            if person not in self.last_text:
                return self.deliver(Act("text", person, "en", act.text))
            self.note(act.text)
            return api.user_edit(person, self.last_text[person], act.text)
        if act.kind == "forged press":
            if cb.decode(act.text) is None:  # data one of our buttons carries is not typed text
                self.note(act.text)
            mine = api.bot_messages(person)
            message_id = mine[act.index % len(mine)].message_id if mine else 1 + act.index
            return api.forge_press(person, message_id, act.text)
        if act.kind == "press":
            with_buttons = [m for m in api.bot_messages(person) if m.buttons]
            if not with_buttons:
                return self.deliver(Act("text", person, "en", "hello"))
            message = with_buttons[-1]
            flat = [data for row in message.buttons for _, data in row]
            data_buttons = [i for i, data in enumerate(flat, 1) if data.startswith("v1:")]
            if not data_buttons:
                return self.deliver(Act("text", person, "en", "hello"))
            button = data_buttons[act.index % len(data_buttons)]
            return api.press(person, message.message_id, button)
        if act.kind in ("group", "group command"):
            self.note(act.text)
            chat, kind = GROUPS[act.index]
            return api.user_text(
                person, act.text, language_code=act.lang, chat_id=chat, chat_type=kind
            )
        if act.kind == "channel":
            self.note(act.text)
            group = GROUPS[0][0]
            post = {"message_id": 5, "date": 0, "chat": CHANNEL, "sender_chat": CHANNEL}
            if act.index:  # the post as the linked discussion group receives it
                forwarded = {
                    **post,
                    "chat": {"id": group, "type": "supergroup", "title": "Test group"},
                    "from": CHANNEL_BOT,
                    "is_automatic_forward": True,
                    "text": act.text,
                }
                return api.raw_update({"message": forwarded})
            return api.raw_update({"channel_post": {**post, "text": act.text}})
        if act.kind == "group member":
            chat, kind = GROUPS[act.index]
            sender = api.users.get(person) or {"id": person, "is_bot": False, "first_name": "T"}
            member = {"user": api.bot_user, "status": "member"}
            return api.raw_update(
                {
                    "my_chat_member": {
                        "chat": {"id": chat, "type": kind, "title": "Test group"},
                        "from": sender,
                        "date": 0,
                        "old_chat_member": {"user": api.bot_user, "status": "left"},
                        "new_chat_member": member,
                    }
                }
            )
        if act.kind == "writes and blocks":  # before the bot could answer
            update_id = self.deliver(Act("text", person, act.lang, act.text))
            api.my_chat_member_kicked(person)
            return update_id
        assert act.kind == "blocked"
        if person not in api.chats:
            return self.deliver(Act("text", person, "en", "hello"))
        return api.my_chat_member_kicked(person)


def answered_query(api: BotApiEmulator, update_id: int) -> bool:
    query_id = api.updates_by_id[update_id]["callback_query"]["id"]
    return any(a.get("callback_query_id") == query_id for a in api.callback_answers)


class Session:
    """One bot on a fresh database for a whole fuzzing run, driven from a sync test (so that
    Hypothesis drives the examples) on one event loop."""

    def __init__(self, bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
        self.bot, self.api, self.caplog = bot, bot.api, caplog
        self.fuzz = Fuzzer(bot)
        self.tried = 0
        self.stories = 0
        self.first_dump = ""
        self.engine = make_engine(bot.settings.database_url)

    async def setup(self) -> None:
        self.first_dump = repr(await dump(self.bot.settings.database_url))
        for chat, kind in GROUPS:  # the groups exist before anyone fuzzes in them
            self.api.user_text(FIRST_PERSON - 1, "hi all", chat_id=chat, chat_type=kind)
        await self.bot.pump()

    async def story(self, acts: list[Act]) -> None:
        """One example: its people are new to the bot (ids never used before)."""
        first = FIRST_PERSON + PEOPLE * self.stories
        self.stories += 1
        for act in acts:
            await self.example(replace(act, person=first + act.person))

    async def example(self, act: Act) -> None:
        api, bot = self.api, self.bot
        if act.kind in ("press", "forged press") and act.person in api.blocked:
            api.user_text(act.person, "hello again")  # he unblocks the bot to press again
            await bot.pump()
        self.caplog.clear()
        before = None if act.private else await domain_state(self.engine)
        messages = len(api.bot_messages(act.person))
        update_id = self.fuzz.deliver(act)
        await bot.pump()
        self.tried += 1
        assert api.errors == [], api.errors
        failed = [r.getMessage() for r in self.caplog.records if r.name == "bot.handlers.system"]
        assert failed == [], f"handling failed: {failed}"
        update = api.updates_by_id[update_id]
        private = update.get("message", {}).get("chat", {}).get("type") == "private"
        if private and act.person not in api.blocked:
            assert len(api.bot_messages(act.person)) > messages, "he got no reply"
        if "callback_query" in update:
            assert answered_query(api, update_id), "his button press was never answered"
        if before is not None:
            assert await domain_state(self.engine) == before, "a group update stored something"

    async def finish(self) -> None:
        """Nothing anybody typed is in any table (unless it was there before by chance)."""
        everything = repr(await dump(self.bot.settings.database_url))
        stored = [t for t in self.fuzz.typed if t in everything and t not in self.first_dump]
        assert stored == [], f"typed text stored: {stored[:5]}"


async def open_bot(
    kind: str, folder: Path, templates: Templates, content: Content, stack: AsyncExitStack
) -> Harness:
    template = await templates.get(kind)
    url = await stack.enter_async_context(fresh_database(kind, folder, template=template))
    bot = Harness(url, lessons_dir=ROOT / "lessons", content=content)
    await bot.start()
    stack.push_async_callback(bot.stop)
    return bot


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_any_update_is_handled_answered_and_not_stored(
    kind: str,
    tmp_path: Path,
    templates: Templates,
    content: Content,
    caplog: pytest.LogCaptureFixture,
    survived: Survived,
) -> None:
    caplog.set_level(logging.ERROR, logger="bot.handlers.system")
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        try:
            bot = runner.run(open_bot(kind, tmp_path, templates, content, stack))
            session = Session(bot, caplog)
            stack.push_async_callback(session.engine.dispose)
            runner.run(session.setup())

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @example(story=[Act("writes and blocks", 0, "en", "hello")])
            @example(
                story=[Act("text", 0, "en", "hi"), Act("blocked", 0), Act("edit", 0, None, "x")]
            )
            @given(story=stories)
            def one(story: list[Act]) -> None:
                runner.run(session.story(story))

            one()
            runner.run(session.finish())
        finally:
            runner.run(stack.aclose())
    survived(
        stories=session.stories,
        inputs_tried=session.tried,
        typed_strings_checked=len(session.fuzz.typed),
    )
