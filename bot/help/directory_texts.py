"""Which languages a directory entry must be written in, and how the bot picks one for a reader.

Every service's `name` and `about` (and its `hours`, unless they are language-neutral like
"24/7") must exist in English and in each UI language of its country, so a learner there
never reads another language's words. When a text is missing (a reader from elsewhere looks
at a country's services), the bot follows the UI fallback chain but never switches script:
Uzbek is written in Latin letters, so an Uzbek reader gets English rather than the Russian
(Cyrillic) that `fallback_chain("uz")` would try first for lessons.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, fallback_chain

# The UI languages people in each country use (besides English, which every entry needs).
# North Macedonia: Ura has no Macedonian yet, so only Albanian is required there.
COUNTRY_LOCALES: dict[str, tuple[str, ...]] = {
    "xk": ("sq", "sr"),
    "rs": ("sr",),
    "mk": ("sq",),
    "al": ("sq",),
    "kg": ("ky", "ru"),
    "kz": ("kk", "ru"),
    "uz": ("uz", "ru"),
    "tj": ("tg", "ru"),
    "ru": ("ru",),  # Central Asian workers there read Russian; Uzbek is written as well
    "ba": ("sr",),
    "me": ("sr", "sq"),
    "tr": (),  # no Turkish in Ura yet: English, plus Russian, Uzbek and Albanian as written
    "de": ("sq", "sr", "ru"),
    "zz": SUPPORTED_LOCALES[1:],  # anyone may pick it: every language
}
# Languages an entry may carry: the UI languages plus Macedonian, kept for when Ura has it.
TEXT_LOCALES: tuple[str, ...] = (*SUPPORTED_LOCALES, "mk")
CYRILLIC = frozenset({"ru", "ky", "kk", "tg", "mk"})


def required_locales(country: str) -> tuple[str, ...]:
    """English plus the UI languages of the country."""
    return (DEFAULT_LOCALE, *COUNTRY_LOCALES.get(country, ()))


def is_neutral(text: str) -> bool:
    """No words to translate: '24/7', '18:00–22:00', '0–24'."""
    return not any(ch.isalpha() for ch in text)


def check_texts(texts: Mapping[str, str]) -> None:
    """English must exist (the end of every chain); keys must be languages we know."""
    if DEFAULT_LOCALE not in texts:
        raise ValueError("needs an English text: add `en: ...`")
    unknown = sorted(set(texts) - set(TEXT_LOCALES))
    if unknown:
        raise ValueError(f"unknown locale(s) {unknown}; use {list(TEXT_LOCALES)}")


def missing_texts(
    country: str, fields: Mapping[str, Mapping[str, str] | None]
) -> list[tuple[str, str]]:
    """(field, locale) for every required text an entry lacks; neutral hours need none."""
    missing = []
    for field, texts in fields.items():
        if texts is None or (field == "hours" and all(map(is_neutral, texts.values()))):
            continue
        missing += [(field, code) for code in required_locales(country) if code not in texts]
    return missing


def directory_chain(locale: str) -> tuple[str, ...]:
    """The UI chain without the steps into another script (uz → en, not uz → ru → en)."""
    cyrillic = locale in CYRILLIC
    return tuple(
        code
        for code in dict.fromkeys((locale, *fallback_chain(locale)))
        if code == DEFAULT_LOCALE or (code in CYRILLIC) == cyrillic
    )


def pick_text(texts: Mapping[str, str], locale: str) -> str:
    """The text in `locale`, else along `directory_chain`; English always exists."""
    for code in directory_chain(locale):
        if code in texts:
            return texts[code]
    return texts[DEFAULT_LOCALE]
