"""The referral directory from Telegram: a moderator's upload is checked with the same loader
as `ura referrals check` (against the published set plus the upload), waits in `uploads`
for Publish or Discard, and a publish is a `directory_publications` row with the full set,
which every process picks up without a restart. Also the stale entries a moderator should
re-verify, with how many learners each was shown to (under the privacy rule).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

from sqlalchemy import ColumnElement, and_, case, distinct, func, select, update

from bot.db.models import Event
from bot.db.staff_models import DirectoryPublication, Upload
from bot.db.uow import UnitOfWork
from bot.files import ContentInvalid
from bot.help.directory import Directory, DirectoryStore, Service, load_directory_files
from bot.staff import roles, uploads
from bot.staff.privacy import Cell, cell

KIND = "directory"
ZIP_FOLDER = "directory"  # the folder a download unpacks into, like referrals/directory/
STALE_SHOWN = 40  # entries listed at most (each with its count); the rest are summed up


@dataclass(frozen=True)
class Checked:
    """A valid upload, waiting: its files and the whole directory as learners would see it."""

    upload_id: int
    names: tuple[str, ...]
    countries: tuple[str, ...]  # the countries the upload changes, in directory order
    directory: Directory


@dataclass(frozen=True)
class Invalid:
    """An upload the loader refused: every problem as `file:line: field: message`."""

    errors: tuple[str, ...]


@dataclass(frozen=True)
class Published:
    """A new publication: serve `files` as version `version`."""

    version: int
    files: dict[str, str]
    names: tuple[str, ...]


@dataclass(frozen=True)
class StaleEntry:
    """An entry past its review date, with how many learners it was shown to (a cell)."""

    key: str
    name: str
    verified_on: date | None
    shown_to: Cell


@dataclass(frozen=True)
class StaleReport:
    """The moderator's to-do list."""

    entries: tuple[StaleEntry, ...]
    total: int
    max_age_days: int


# ---------------------------------------------------------------------------- the files


def _flatten(raw: dict[str, bytes]) -> dict[str, bytes]:
    """A zip of the directory folder → its files by name: one common leading folder (or
    none) is dropped; a file in any other folder is outside the directory and refused."""
    paths = {name: PurePosixPath(name) for name in raw}
    parents = {path.parent for path in paths.values()}
    base = parents.pop() if len(parents) == 1 else PurePosixPath(".")
    flat: dict[str, bytes] = {}
    for name, path in paths.items():
        if path.parent != base:
            raise uploads.UploadRejected(uploads.UNSAFE_PATH, path=name[:80])
        if path.suffix in (".yaml", ".yml"):
            flat[path.name] = raw[name]
    return flat


def unpack(filename: str, data: bytes, limits: uploads.Limits) -> dict[str, str]:
    """The directory files a document holds (one `<cc>.yaml`, or a zip of the folder), as
    text; anything hostile is refused with one reason."""
    uploads.check_size(len(data), limits)
    lowered = filename.lower()
    if lowered.endswith(".zip"):
        found = _flatten(uploads.read_zip(data, limits))
    elif lowered.endswith((".yaml", ".yml")) and PurePosixPath(filename).name == filename:
        found = {filename: data}
    else:
        raise uploads.UploadRejected(uploads.WRONG_TYPE, name=filename[:80])
    if not found:
        raise uploads.UploadRejected(uploads.EMPTY)
    return {name: uploads.decode_text(name, content) for name, content in found.items()}


def zipped(files: dict[str, str]) -> bytes:
    """The directory's files as a zip of one folder, to edit and send back."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(f"{ZIP_FOLDER}/{name}", text)
    return buffer.getvalue()


def _check(base: dict[str, str], files: dict[str, str], today: date) -> Directory | Invalid:
    try:
        return load_directory_files({**base, **files}, today=today)
    except ContentInvalid as exc:
        return Invalid(tuple(str(error) for error in exc.errors))


def _checked(upload_id: int, files: dict[str, str], directory: Directory) -> Checked:
    names = tuple(sorted(files))
    stems = {PurePosixPath(name).stem for name in names}
    countries = tuple(c.code for c in directory.countries if c.code in stems)
    return Checked(upload_id, names, countries, directory)


# ---------------------------------------------------------------------------- the upload


async def receive(
    uow: UnitOfWork, store: DirectoryStore, *, user_id: int, files: dict[str, str], today: date
) -> Checked | Invalid:
    """Check an upload against the newest published set; keep it (his only pending
    directory upload) when it is valid."""
    await store.refresh(uow, force=True)
    result = _check(store.files(), files, today)
    if isinstance(result, Invalid):
        return result
    await uow.session.execute(
        update(Upload)
        .where(Upload.kind == KIND, Upload.uploaded_by == user_id, Upload.status == "pending")
        .values(status="discarded")
    )
    row = Upload(kind=KIND, uploaded_by=user_id, files=files)
    uow.session.add(row)
    await uow.session.flush()
    return _checked(row.id, files, result)


async def _pending(uow: UnitOfWork, upload_id: int, user_id: int, *, lock: bool) -> Upload | None:
    """His own pending directory upload, re-read (and locked, before a decision)."""
    stmt = select(Upload).where(
        Upload.id == upload_id,
        Upload.kind == KIND,
        Upload.uploaded_by == user_id,
        Upload.status == "pending",
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await uow.session.scalars(stmt.execution_options(populate_existing=True))).first()


async def pending(
    uow: UnitOfWork, store: DirectoryStore, *, upload_id: int, user_id: int, today: date
) -> Checked | Invalid | None:
    """A pending upload to preview again; None once it was published or discarded."""
    row = await _pending(uow, upload_id, user_id, lock=False)
    if row is None:
        return None
    await store.refresh(uow)
    result = _check(store.files(), dict(row.files), today)
    return result if isinstance(result, Invalid) else _checked(row.id, dict(row.files), result)


async def publish(
    uow: UnitOfWork, store: DirectoryStore, *, upload_id: int, user_id: int, today: date
) -> Published | Invalid | None:
    """Publish his pending upload over the newest set, checked again now; audited. The
    caller installs the result in its store once this transaction committed."""
    row = await _pending(uow, upload_id, user_id, lock=True)
    if row is None:
        return None
    await store.refresh(uow, force=True)
    files = {**store.files(), **row.files}
    result = _check(files, {}, today)
    if isinstance(result, Invalid):
        return result
    publication = DirectoryPublication(files=files, published_by=user_id)
    uow.session.add(publication)
    row.status = "published"
    await uow.session.flush()
    names = tuple(sorted(row.files))
    subject = f"directory {publication.id} from upload {row.id}: {', '.join(names)}"
    await roles.audit(uow, actor=user_id, action="directory_publish", subject=subject)
    return Published(publication.id, files, names)


async def discard(uow: UnitOfWork, *, upload_id: int, user_id: int) -> bool:
    """Drop his pending upload; False when there was none to drop."""
    row = await _pending(uow, upload_id, user_id, lock=True)
    if row is None:
        return False
    row.status = "discarded"
    return True


# ---------------------------------------------------------------------------- stale entries


def _shown_to(service: Service) -> ColumnElement[int]:
    """Distinct learners shown help for one of this entry's needs in its country."""
    matches = and_(Event.country == service.country, Event.value.in_(service.categories))
    return func.count(distinct(case((matches, Event.pseudonym))))


async def stale(
    uow: UnitOfWork, directory: Directory, *, today: date, max_age_days: int
) -> StaleReport:
    """Entries past their review date, each with the learners it was shown to, counted in
    one query over `help_shown` events and shown under the privacy rule."""
    found = directory.stale(today=today, max_age_days=max_age_days)
    listed = found[:STALE_SHOWN]
    counts: list[int] = []
    if listed:
        stmt = select(*[_shown_to(s) for s in listed]).where(Event.name == "help_shown")
        counts = [int(n or 0) for n in (await uow.session.execute(stmt)).one()]
    entries = tuple(
        StaleEntry(s.key, s.name, s.verified_on, cell(n))
        for s, n in zip(listed, counts, strict=True)
    )
    return StaleReport(entries, len(found), max_age_days)
