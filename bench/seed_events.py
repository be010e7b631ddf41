"""The benchmark's data: plausible learners' journeys as pseudonymous events, bulk-loaded.

Learner by learner: a start, sometimes a cohort, lessons of one track opened, answered,
completed and rated, sometimes help; spread over 26 weeks. COPY on Postgres, batched inserts
on SQLite, then statistics as autovacuum would leave them.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import insert, text

from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import Event, User
from bot.db.uow import UnitOfWork
from bot.learning.catalog import publish
from bot.learning.model import Catalog

LOCALES = ("en", "ru", "sq", "sr", "ky", "kk", "uz", "tg")
WEIGHTS = (30, 25, 12, 10, 8, 6, 5, 4)
COHORTS = ("school-7", "club-north", "campaign-spring", "youth-centre", "football")
COUNTRIES = ("al", "rs", "kg", "kz", "uz", "tj", "zz")
CATEGORIES = ("crisis", "mental_health", "substance", "health", "support", "violence_victim")
COLUMNS = ("pseudonym", "name", "ref", "locale", "track_key", "lesson_key", "value", "version",
           "country", "created_at")  # fmt: skip


def _row(base: dict[str, Any], name: str, **values: Any) -> tuple[Any, ...]:
    row = {**base, "name": name, **values}
    return tuple(row.get(column) for column in COLUMNS)


def events(catalog: Catalog, learners: int, total: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """Plausible journeys, learner by learner, until `total` events were made."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    tracks = [[ls.key for ls in t.lessons] for t in catalog.tracks]
    keys = [t.key for t in catalog.tracks]
    made = 0
    per = total / learners
    for n in range(learners):
        who = hashlib.sha256(f"bench-{n}".encode()).hexdigest()
        locale = rng.choices(LOCALES, WEIGHTS)[0]
        at = now - timedelta(days=rng.random() * 182)
        rows: list[tuple[Any, ...]] = []
        base = {"pseudonym": who, "locale": locale}
        rows.append(_row({**base, "created_at": at}, "started", ref="once"))
        if rng.random() < 0.3:
            rows.append(
                _row(
                    {**base, "created_at": at},
                    "cohort_joined",
                    ref="once",
                    locale=None,
                    value=rng.choice(COHORTS),
                )
            )
        track = rng.randrange(len(tracks))
        budget = max(1, int(rng.expovariate(1 / per)))
        for lesson in tracks[track]:
            if len(rows) >= budget:
                break
            at = min(now, at + timedelta(hours=rng.random() * 60))
            where = {"track_key": keys[track], "lesson_key": lesson}
            rows.append(_row({**base, "created_at": at}, "lesson_opened", **where))
            if rng.random() < 0.85:
                rows.append(
                    _row(
                        {**base, "created_at": at},
                        "quiz_answered",
                        value=str(rng.randrange(4)),
                        **where,
                    )
                )
            if rng.random() >= 0.75:
                break
            rows.append(
                _row({**base, "created_at": at}, "act_reached", ref=f"act:{lesson}", **where)
            )
            rows.append(_row({**base, "created_at": at}, "lesson_completed", **where))
            if rng.random() < 0.6:
                answer = rng.choices(("useful", "not_really", "skip"), (6, 2, 2))[0]
                rows.append(
                    _row(
                        {**base, "created_at": at},
                        "lesson_feedback",
                        ref=f"fb:{lesson}:1",
                        value=answer,
                        version=1,
                        **where,
                    )
                )
        if rng.random() < 0.15:
            country = rng.choice(COUNTRIES)
            rows.append(
                _row({**base, "created_at": at}, "help_opened", value="menu", country=country)
            )
            if rng.random() < 0.6:
                rows.append(
                    _row(
                        {**base, "created_at": at},
                        "help_shown",
                        value=rng.choice(CATEGORIES),
                        country=country,
                    )
                )
        for row in rows:
            if made >= total:
                return
            made += 1
            yield row
    while made < total:  # top up with later visits of the first learners
        who = hashlib.sha256(f"bench-{made % learners}".encode()).hexdigest()
        made += 1
        yield (
            who,
            "locale_set",
            None,
            "en",
            None,
            None,
            None,
            None,
            None,
            now - timedelta(days=made % 180),
        )


async def seed(
    url: str, catalog: Catalog, learners: int, total: int, revision: str = "head"
) -> None:
    """Migrate, publish the lesson files, then bulk-insert the learners and events."""
    await asyncio.to_thread(migrate.upgrade, url, revision)
    engine = make_engine(url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        await publish(uow, catalog)
    now = datetime.now(UTC)
    users = [
        {"id": n + 1, "chat_id": n + 1, "locale": "en", "created_at": now} for n in range(learners)
    ]
    if url.startswith("postgresql"):
        await engine.dispose()
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.copy_records_to_table(
                "users",
                records=[(u["id"], u["chat_id"], "en", "active", now, now) for u in users],
                columns=["id", "chat_id", "locale", "status", "created_at", "last_seen_at"],
            )
            await conn.copy_records_to_table(
                "events", records=events(catalog, learners, total), columns=list(COLUMNS)
            )
            # As autovacuum leaves an insert-only table: statistics, and the visibility map
            # that lets a query read an index without visiting the table.
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()
        return
    async with engine.begin() as conn:
        await conn.execute(insert(User), users)
        batch: list[dict[str, Any]] = []
        for row in events(catalog, learners, total):
            batch.append(dict(zip(COLUMNS, row, strict=True)))
            if len(batch) == 50_000:
                await conn.execute(insert(Event), batch)
                batch = []
        if batch:
            await conn.execute(insert(Event), batch)
        await conn.execute(text("ANALYZE"))
    await engine.dispose()
