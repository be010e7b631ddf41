"""Direct asks for help ("help", "помогите", "ndihmë"): they always open the help menu.

Screening weighs what a message means; a man who simply types "help" should not depend on
a classifier's mood. A message is a direct ask when the whole of it, after `normalize`
(diacritics, script, case, punctuation and emoji folded away), is one of the entries below.
Every language's entries apply in every locale: people write in the language they think
in, not the one their Telegram is set to. A longer message that merely contains an ask
("help me choose a lesson") is not one; it is screened like any other.

The lists are the everyday ways of asking, in each language's usual spellings; the
`normalize` skeleton already takes care of Cyrillic or Latin, ё/yo, missing diacritics and
doubled letters, so "pomoć", "pomoc" and "помоћ" are one entry.
"""

from __future__ import annotations

from functools import cache

from bot.help.phrases import normalize

MAX_WORDS = 5  # a direct ask is short; anything longer is a sentence for screening
MAX_CHARS = 200  # room for emoji and "!!!", and no work at all on a long message

ASKS: dict[str, tuple[str, ...]] = {
    "en": (
        "help",
        "help me",
        "help me please",
        "help pls",
        "please help",
        "please help me",
        "pls help",
        "pls help me",
        "plz help",
        "need help",
        "i need help",
        "i need help please",
        "i need some help",
        "someone help me",
        "somebody help me",
        "can you help me",
        "can someone help me",
        "sos",
        "i feel bad",
        "i feel really bad",
        "i feel terrible",
        "i'm not ok",
        "i'm not okay",
    ),
    "ru": (
        "помогите",
        "помоги",
        "помогите пожалуйста",
        "помоги пожалуйста",
        "пожалуйста помогите",
        "помогите мне",
        "помоги мне",
        "помощь",
        "нужна помощь",
        "мне нужна помощь",
        "мне плохо",
        "мне очень плохо",
        "мне так плохо",
        "мне хреново",
    ),
    "sq": (
        "ndihmë",
        "ndihme",
        "ndihmo",
        "më ndihmo",
        "me ndihmo",
        "ndihmoni",
        "më ndihmoni",
        "më ndihmo të lutem",
        "të lutem më ndihmo",
        "ndihmë të lutem",
        "kam nevojë për ndihmë",
        "jam keq",
        "jam shumë keq",
        "nuk jam mirë",
    ),
    "sr": (
        "pomoć",
        "pomoc",
        "pomozi",
        "pomozite",
        "pomozi mi",
        "pomozite mi",
        "помоћ",
        "помози",
        "помозите",
        "помози ми",
        "treba mi pomoć",
        "trebam pomoć",
        "molim te pomozi",
        "pomozi mi molim te",
        "loše mi je",
        "jako mi je loše",
        "nije mi dobro",
    ),
    "ky": (
        "жардам",
        "жардам бер",
        "жардам бериңиз",
        "жардам бериңизчи",
        "жардам керек",
        "мага жардам керек",
        "мага жаман",
        "мага абдан жаман",
    ),
    "kk": (
        "көмек",
        "көмектес",
        "көмектесіңіз",
        "көмектесіңізші",
        "көмек керек",
        "маған көмек керек",
        "маған жаман",
        "маған өте жаман",
    ),
    "uz": (
        "yordam",
        "yordam bering",
        "yordam bering iltimos",
        "iltimos yordam bering",
        "yordam kerak",
        "menga yordam kerak",
        "ёрдам",
        "ёрдам беринг",
        "menga yomon",
        "menga juda yomon",
        "менга ёмон",
    ),
    "tg": (
        "кумак",
        "кӯмак",
        "ёрдам",
        "кӯмак кунед",
        "ба ман кумак кунед",
        "ба ман кӯмак кунед",
        "лутфан кӯмак кунед",
        "ба ман ёрдам диҳед",
        "ман бад",
        "ҳоли ман бад",
    ),
}


@cache
def skeletons() -> frozenset[str]:
    """Every ask as `normalize` reads it (built on first use, never at import)."""
    found = frozenset(normalize(ask) for asks in ASKS.values() for ask in asks)
    assert all(0 < len(s.split()) <= MAX_WORDS for s in found), "an ask is 1 to 5 words"
    return found


def is_direct_ask(text: str) -> bool:
    """True when the whole message is a direct ask for help, in any language."""
    if len(text) > MAX_CHARS:
        return False
    skeleton = normalize(text)
    return bool(skeleton) and len(skeleton.split()) <= MAX_WORDS and skeleton in skeletons()
