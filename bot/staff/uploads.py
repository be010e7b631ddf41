"""Reading a staff member's upload safely: uploads are hostile input like any other.

Shared by the lesson and the directory uploads. A document over the size limit is refused
before it is downloaded (from the size Telegram reports) and again after; a zip is checked
from its headers (paths, number of files, total and per-entry size, compression ratio) and
again while it is read, since headers can lie. Each refusal is one `UploadRejected` with a
reason the views word in one line.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

TOO_BIG = "too_big"
NOT_ZIP = "not_zip"
UNSAFE_PATH = "unsafe_path"
TOO_MANY_FILES = "too_many_files"
BOMB = "bomb"
NOT_UTF8 = "not_utf8"
EMPTY = "empty"
WRONG_TYPE = "wrong_type"
NOT_YAML = "not_yaml"
SEVERAL_TRACKS = "several_tracks"

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """How much an upload may hold."""

    max_bytes: int = 1_000_000  # the document as sent
    max_files: int = 200  # files in a zip
    max_unpacked: int = 5_000_000  # their total uncompressed size
    max_ratio: int = 100  # uncompressed / compressed, for any entry over 64 KiB


class UploadRejected(Exception):
    """Why an upload was refused: a reason code and the values its sentence names."""

    def __init__(self, reason: str, **values: str | int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


def check_size(size: int | None, limits: Limits) -> None:
    """Refuse a document over the limit (before downloading it, from Telegram's size)."""
    if size is not None and size > limits.max_bytes:
        raise UploadRejected(TOO_BIG, size=size, limit=limits.max_bytes)


def decode_text(name: str, content: bytes) -> str:
    """A file's text; anything but UTF-8 is refused (a BOM is allowed and dropped)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRejected(NOT_UTF8, path=name[:80]) from None


def safe_path(name: str) -> bool:
    """A relative path that stays where it is unpacked: no root, drive, `..` or backslash."""
    path = PurePosixPath(name)
    return not (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or any(part in ("..", "") for part in name.split("/"))
        or path.is_absolute()
    )


def _entries(archive: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """The zip's files, checked from its headers before anything is read."""
    infos = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not PurePosixPath(info.filename).name.startswith(".")
    ]
    if len(infos) > limits.max_files:
        raise UploadRejected(TOO_MANY_FILES, count=len(infos), limit=limits.max_files)
    for info in infos:
        if not safe_path(info.filename):
            raise UploadRejected(UNSAFE_PATH, path=info.filename[:80])
    if sum(info.file_size for info in infos) > limits.max_unpacked:
        raise UploadRejected(BOMB, limit=limits.max_unpacked)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _CHUNK and ratio > limits.max_ratio:
            raise UploadRejected(BOMB, limit=limits.max_unpacked)
    return infos


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limit: int) -> bytes:
    """One entry in chunks, counting what really comes out."""
    out = bytearray()
    with archive.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            out += chunk
            if len(out) > budget or len(out) > info.file_size:
                raise UploadRejected(BOMB, limit=limit)
    return bytes(out)


def read_zip(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Every file of a zip by its path, or `UploadRejected` for anything unsafe."""
    check_size(len(data), limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRejected(NOT_ZIP) from None
    files: dict[str, bytes] = {}
    budget = limits.max_unpacked
    with archive:
        for info in _entries(archive, limits):
            try:
                content = _read(archive, info, budget, limits.max_unpacked)
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError):
                raise UploadRejected(NOT_ZIP) from None
            budget -= len(content)
            files[info.filename] = content
    return files
