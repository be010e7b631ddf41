"""The help path: menu, country question, services, the gentle offer, and its group form.

Every number shown comes from a `Service` of the curated directory; the texts here never
contain one.
"""

from __future__ import annotations

from bot.help.categories import HELP_CATEGORIES
from bot.help.directory import Directory, Service
from bot.help.directory_schema import LIKELY_COUNTRIES, likely_first
from bot.help.service import COUNTRY_CHOICES, OTHER_COUNTRY, HelpMenu, HelpOffer
from bot.i18n.catalogs import N_, Translator
from bot.i18n.locales import LANGUAGE_NAMES
from bot.views.callbacks import (
    Dismiss,
    OpenHelp,
    OpenMenu,
    PickCountry,
    PickLocale,
    Reminder,
    SetCountry,
    ShowHelp,
    encode,
)
from bot.views.reply import Button, Reply, rows

HELP_PAYLOAD = "help"  # t.me/<bot>?start=help opens the help menu in a private chat

CATEGORY_LABELS: dict[str, str] = {
    "crisis": N_("I'm in danger, or thinking of ending my life"),
    "violence_perpetrator": N_("I'm afraid I might hurt someone"),
    "violence_victim": N_("Someone is hurting me or my family"),
    "mental_health": N_("Stress, worry or low mood"),
    "substance": N_("Alcohol or drugs"),
    "health": N_("Health and sex"),
    "support": N_("I just want to talk to someone"),
}
assert set(CATEGORY_LABELS) == set(HELP_CATEGORIES)

_COST: dict[str, str] = {
    "free": N_("free"),
    "low_cost": N_("low cost"),
    "paid": N_("paid"),
}


def talk_button(tr: Translator, lesson_key: str | None = None) -> Button:
    """'Talk to someone', on every lesson keyboard and wherever help may be wanted."""
    return Button(tr.gettext("💬 Talk to someone"), encode(OpenHelp(lesson_key)))


def country_name(directory: Directory, code: str | None, tr: Translator) -> str:
    """A country in the learner's language; 'not set' before he was asked."""
    if code is None:
        return tr.gettext("not set")
    if code == OTHER_COUNTRY:
        return tr.gettext("another country")
    country = directory.country(code)
    return country.name_for(tr.locale) if country else code


def _tail(resume: Button | None, tr: Translator) -> list[Button]:
    return [resume] if resume else [Button(tr.gettext("All lessons"), encode(OpenMenu()))]


def menu(view: HelpMenu, directory: Directory, tr: Translator, resume: Button | None) -> Reply:
    """/help, /sos and 'Talk to someone': every kind of help, most urgent first."""
    text = tr.gettext(
        "You're not alone, and asking is a strong thing to do. What would you like help "
        "with? Nobody else sees what you choose here."
    )
    if view.country is not None:
        where = country_name(directory, view.country, tr)
        text += "\n\n" + tr.gettext("Services are shown for: {country}.", country=where)
    text += "\n\n" + tr.gettext("About the lessons: /lessons, /progress, /settings, /privacy")
    buttons = [Button(tr.gettext(CATEGORY_LABELS[c]), encode(ShowHelp(c))) for c in view.categories]
    buttons.append(Button(tr.gettext("Change country"), encode(PickCountry())))
    return Reply(text, rows(buttons + _tail(resume, tr)))


def _country_buttons(directory: Directory, tr: Translator, category: str | None) -> list[Button]:
    other = tr.gettext("Another country, or rather not say")
    return [
        Button(
            other if code == OTHER_COUNTRY else country_name(directory, code, tr),
            encode(SetCountry(code, category)),
        )
        for code in likely_first(COUNTRY_CHOICES, tr.locale)
    ]


def country_question(directory: Directory, tr: Translator, category: str | None) -> Reply:
    """The one-time question, asked the first time help is shown (and from /settings)."""
    text = tr.gettext(
        "Which country are you in? I'll show services there. I keep only the country, and "
        "you can change it any time in /settings."
    )
    return Reply(text, rows(_country_buttons(directory, tr, category), per_row=2))


def _details(service: Service, tr: Translator) -> str:
    hours = service.hours_for(tr.locale)
    parts = [hours] if hours else []
    if service.cost in _COST:
        parts.append(tr.gettext(_COST[service.cost]))
    if service.anonymous:
        parts.append(tr.gettext("anonymous"))
    spoken = [LANGUAGE_NAMES[code] for code in service.languages if code in LANGUAGE_NAMES]
    if spoken:
        parts.append(", ".join(spoken))
    return " · ".join(parts)


def _dial(service: Service, tr: Translator) -> str:
    """'Name: phone', or the name alone when it already says the number ('Police 192'),
    the name in the reader's language (`Service.name_for`: never another script)."""
    name = service.name_for(tr.locale)
    if not service.phone or service.phone in name:
        return name
    return f"{name}: {service.phone}"


def service_lines(service: Service, tr: Translator) -> str:
    """One service: name and phone, what it does, when, cost, and where else to reach it."""
    head = f"{'☎' if service.phone else '•'} {_dial(service, tr)}"
    if service.region:
        head += f" ({service.region})"
    lines = [head, service.about_for(tr.locale)]
    if details := _details(service, tr):
        lines.append(details)
    lines += [f"🌐 {link}" for link in (service.website, service.telegram) if link]
    return "\n".join(lines)


def _emergency_block(
    offer: HelpOffer, directory: Directory, tr: Translator, *, likely_only: bool = False
) -> str:
    """The emergency numbers for his country; while it is not known, every country's (or,
    with `likely_only`, those of the countries likely for his language, where it has any:
    below a gentle question, thirteen countries would bury it)."""
    if offer.country is None:  # not asked yet: every country's numbers, so nobody waits
        by_country: dict[str, list[str]] = {}
        for service in offer.emergency:
            if service.phone:
                by_country.setdefault(service.country, []).append(service.phone)
        codes = likely_first(list(by_country), tr.locale)
        if likely_only:
            codes = [c for c in codes if c in LIKELY_COUNTRIES.get(tr.locale, ())] or codes
        lines = [
            f"• {country_name(directory, code, tr)}: {' / '.join(by_country[code])}"
            for code in codes
        ]
        return tr.gettext("Emergency numbers:") + "\n" + "\n".join(lines)
    if not offer.emergency:
        return tr.gettext("If you are in danger, call your local emergency number now.")
    numbers = "\n".join(f"• {_dial(s, tr)}" for s in offer.emergency)
    return tr.gettext("Emergency numbers:") + "\n" + numbers


def offer(view: HelpOffer, directory: Directory, tr: Translator, resume: Button | None) -> Reply:
    """The services for one need; a crisis opens with emergency numbers, before anything else."""
    label = tr.gettext(CATEGORY_LABELS[view.category])
    if view.urgent:
        head = tr.gettext(
            "Thank you for telling me. You don't have to carry this alone. "
            "If you might hurt yourself, or someone is in danger right now, call now:"
        )
        blocks = [head, _emergency_block(view, directory, tr)]
    else:
        blocks = [label]
    if view.services:
        blocks.append(tr.gettext("People who can help:"))
        blocks += [service_lines(s, tr) for s in view.services]
    elif view.country not in (None, OTHER_COUNTRY):
        where = country_name(directory, view.country, tr)
        blocks.append(
            tr.gettext("I don't have a checked service for this in {country} yet.", country=where)
        )
        if view.elsewhere:
            blocks.append(tr.gettext("These work from anywhere:"))
            blocks += [service_lines(s, tr) for s in view.elsewhere]
    if view.country == OTHER_COUNTRY:
        blocks.append(
            tr.gettext(
                "I only know services in a few countries so far. A doctor, a school "
                "counsellor or someone you trust can help you find one near you."
            )
        )
    if not view.urgent:
        blocks.append(_emergency_block(view, directory, tr))
    countries: list[Button] = []
    if view.needs_country:
        blocks.append(tr.gettext("Tell me your country and I'll show more:"))
        countries = _country_buttons(directory, tr, view.category)
    buttons = [Button(tr.gettext("Other kinds of help"), encode(OpenHelp())), *_tail(resume, tr)]
    # Countries two to a row, as in the country question, so the way back stays in view.
    return Reply("\n\n".join(blocks), rows(countries, per_row=2) + rows(buttons))


def gentle_offer(
    category: str, crisis: HelpOffer, directory: Directory, tr: Translator, resume: Button | None
) -> Reply:
    """Not a crisis: ask first, never push; but the emergency numbers (those of `crisis`,
    the crisis offer for his country) are there already, in case screening misread how
    urgent it is (a handful of pills read as a health question)."""
    text = tr.gettext(
        "It sounds like something heavy is going on. Would you like to see people who can "
        "help with this?"
    )
    text += "\n\n" + _emergency_block(crisis, directory, tr, likely_only=True)
    buttons = [
        Button(tr.gettext("Yes, show me"), encode(ShowHelp(category))),
        Button(tr.gettext("No, thanks"), encode(Dismiss())),
    ]
    return Reply(text, rows(buttons + ([resume] if resume else [])))


def unsure(tr: Translator, resume: Button | None) -> Reply:
    """Screening is not sure he needs help: one gentle question, never a diagnosis, and the
    way back to his lesson."""
    return Reply(
        tr.gettext("That sounds heavy. Do you want to talk to someone?"),
        rows([talk_button(tr), *([resume] if resume else [])]),
    )


def dismissed(tr: Translator, resume: Button | None) -> Reply:
    """After 'No, thanks': the door stays open."""
    return Reply(
        tr.gettext("Okay. If you ever want to talk to someone, /help is always here."),
        rows(_tail(resume, tr)),
    )


def country_saved(directory: Directory, code: str, tr: Translator) -> Reply:
    """After the country question, from /settings."""
    name = country_name(directory, code, tr)
    return Reply(
        tr.gettext("Saved: {country}. You can change it any time in /settings.", country=name),
        rows([Button(tr.gettext("All lessons"), encode(OpenMenu()))]),
    )


def settings(locale: str, country: str | None, directory: Directory, tr: Translator) -> Reply:
    """/settings: the language and the country for help services."""
    text = tr.gettext(
        "Settings\n\nLanguage: {language}\nCountry for help services: {country}",
        language=LANGUAGE_NAMES[locale],
        country=country_name(directory, country, tr),
    )
    buttons = [
        Button(tr.gettext("Change language"), encode(PickLocale())),
        Button(tr.gettext("Change country"), encode(PickCountry())),
        Button(tr.gettext("Reminders"), encode(Reminder("menu"))),
        Button(tr.gettext("All lessons"), encode(OpenMenu())),
    ]
    return Reply(text, rows(buttons))


def in_a_group(tr: Translator, bot_username: str) -> Reply:
    """/help in a group: never a category or a service, only a way to talk privately."""
    return Reply(
        tr.gettext("Let's talk about this in private, where nobody else can read it. Tap below."),
        rows(
            [
                Button(
                    tr.gettext("Talk privately"),
                    url=f"https://t.me/{bot_username}?start={HELP_PAYLOAD}",
                )
            ]
        ),
    )
