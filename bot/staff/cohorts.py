"""Cohort codes: a coordinator names a club, a school or a campaign, and gets a deep-link
code for its posters. Only codes made here are recorded when a learner arrives by a link;
any other /start payload is dropped unseen, since it may be something he typed about himself."""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.db.staff_models import Cohort
from bot.db.uow import UnitOfWork
from bot.staff.roles import audit

# What Telegram accepts after ?start= and what the cohort column holds.
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME_LIMIT = 80
_SLUG_LIMIT = 40
_SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l to misread on a poster


@dataclass(frozen=True)
class CohortInfo:
    """One cohort code and the name its coordinator gave it."""

    code: str
    name: str
    created_at: datetime | None = None


def clean_name(text: str) -> str | None:
    """The cohort's name as typed, one line, or None when empty or too long."""
    name = " ".join(text.split())
    return name if 0 < len(name) <= NAME_LIMIT else None


def make_code(name: str) -> str:
    """A short slug of the name plus a random suffix, so codes cannot be guessed from a
    name: 'Club Prishtina 2026' → 'club-prishtina-2026-k3x9t2'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:_SLUG_LIMIT].strip("-")
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(6))
    return f"{slug or 'cohort'}-{suffix}"


def deep_link(bot_username: str, code: str) -> str:
    """The link to print: opening it starts the bot with the code."""
    return f"https://t.me/{bot_username}?start={code}"


def qr_png(link: str) -> bytes:
    """A QR code picture of the link, big enough to print on a poster."""
    import segno  # only a coordinator's request needs it

    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


async def create(uow: UnitOfWork, *, name: str, actor: int | None) -> CohortInfo:
    """Make a new cohort code for `name` (already cleaned), audited."""
    code = make_code(name)
    while await uow.session.get(Cohort, code) is not None:  # a collision: draw again
        code = make_code(name)
    uow.session.add(Cohort(code=code, name=name, created_by=actor))
    await audit(uow, actor=actor, action="cohort", subject=code)
    await uow.session.flush()
    return CohortInfo(code, name)


async def all_cohorts(uow: UnitOfWork) -> tuple[CohortInfo, ...]:
    """Every cohort, newest first."""
    rows = await uow.session.scalars(select(Cohort).order_by(Cohort.created_at.desc(), Cohort.code))
    return tuple(CohortInfo(row.code, row.name, row.created_at) for row in rows)


async def exists(uow: UnitOfWork, code: str | None) -> bool:
    """Whether staff made this code (a well-formed one only ever reaches the database)."""
    if not code or not CODE_PATTERN.fullmatch(code):
        return False
    return await uow.session.get(Cohort, code) is not None
