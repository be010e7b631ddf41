"""Publishing lessons: once per set of files, safe when two processes start together, and
served by every running process without a restart (the catalog is a read model)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from bot.db.engine import make_engine, make_sessionmaker
from bot.db.uow import UnitOfWork
from bot.deps import Content, build_deps
from bot.learning import catalog as lesson_catalog
from bot.learning.loader import load_catalog
from bot.learning.model import Catalog
from tests.dbcheck import scalar
from tests.harness import Harness, settings_for

ROOT = Path(__file__).resolve().parent.parent
FILES = load_catalog(ROOT / "lessons")
USER = 5151


def retitled(catalog: Catalog, title: str) -> Catalog:
    """The same catalog with the first track's English title changed."""
    first = catalog.tracks[0]
    texts = {**first.texts, "en": dataclasses.replace(first.texts["en"], title=title)}
    return Catalog(tracks=(dataclasses.replace(first, texts=texts), *catalog.tracks[1:]))


async def publish(url: str, catalog: Catalog) -> lesson_catalog.PublishReport:
    """Publish from "another process": its own engine and transaction."""
    engine = make_engine(url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            return await lesson_catalog.publish(uow, catalog)
    finally:
        await engine.dispose()


async def test_the_same_files_publish_once(database_url: str) -> None:
    first = await publish(database_url, FILES)
    again = await publish(database_url, FILES)
    assert not first.skipped and first.version == 1 and first.added > 0
    assert again.skipped and again.version == 1
    changed = await publish(database_url, retitled(FILES, "Fathers, again"))
    assert not changed.skipped and changed.version == 2 and changed.updated == 1
    assert await scalar(database_url, "SELECT count(*) FROM publications") == 2


async def test_two_processes_starting_together_publish_once(
    database_url: str, content: Content
) -> None:
    settings = settings_for(database_url, ROOT / "lessons")
    both = await asyncio.gather(
        *(build_deps(settings, content=content, publish_lessons=True) for _ in range(2))
    )
    for deps in both:
        await deps.close()
    assert await scalar(database_url, "SELECT count(*) FROM publications") == 1
    assert await scalar(database_url, "SELECT count(*) FROM tracks") == len(FILES.tracks)


async def test_a_restart_with_the_same_files_does_not_read_them_again(
    database_url: str, content: Content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up reads and checks the lesson files only when this exact set (and the code
    that checks them) was never published: a restart skips half a second of YAML."""
    import shutil

    import bot.deps

    lessons = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", lessons)
    settings = settings_for(database_url, lessons)
    read: list[Path] = []

    def counting(root: Path) -> Catalog:
        read.append(root)
        return load_catalog(root)

    monkeypatch.setattr(bot.deps, "load_catalog", counting)
    for _ in range(2):
        deps = await build_deps(settings, content=content, publish_lessons=True)
        await deps.close()
    assert len(read) == 1
    card = next(lessons.glob("fatherhood/01-*.en.yaml"))
    card.write_text(card.read_text(encoding="utf-8").replace("Arben", "Arbën"), "utf-8")
    deps = await build_deps(settings, content=content, publish_lessons=True)
    await deps.close()
    assert len(read) == 2
    assert await scalar(database_url, "SELECT count(*) FROM publications") == 2


async def test_a_publish_reaches_a_running_process_without_restart(bot: Harness) -> None:
    await bot.say(USER, "/start")
    before = await bot.say(USER, "/lessons")
    assert FILES.tracks[0].text_for("en").title in before.labels()

    report = await publish(bot.settings.database_url, retitled(FILES, "Fathers who stay"))
    assert report.version == 2

    after = await bot.say(USER, "/lessons")
    assert "Fathers who stay" in after.labels()


async def test_a_process_looks_for_new_versions_no_more_often_than_asked(
    database_url: str,
) -> None:
    await publish(database_url, FILES)
    now = [0.0]
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    try:
        async with UnitOfWork(sessions) as uow:
            store = lesson_catalog.CatalogStore(
                await lesson_catalog.load(uow), check_every=5, clock=lambda: now[0]
            )
        await publish(database_url, retitled(FILES, "Newer"))
        async with UnitOfWork(sessions) as uow:
            assert (await store.fresh(uow)).version == 1  # checked less than 5 s ago
        now[0] = 5.0
        async with UnitOfWork(sessions) as uow:
            assert (await store.fresh(uow)).version == 2
        assert store.published.catalog.tracks[0].text_for("en").title == "Newer"
    finally:
        await engine.dispose()
