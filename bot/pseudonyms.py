"""The key ring for analytics pseudonyms, never derived from the bot token.

Events are recorded under the current key; /delete erases under every key in the ring, so
a key change never strands anyone's events. The current key is `URA_PSEUDONYM_KEY`; without
it, on SQLite only, a random key is generated once and appended to `<data dir>/pseudonym.keys`
(mode 0600, newest last, only ever appended to). Several processes on Postgres could not
share a file, so there the key must be configured.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings

log = logging.getLogger(__name__)

KEYS_FILE = "pseudonym.keys"
MAKE_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'


class PseudonymKeyRequired(SystemExit):
    """Start-up stops with one line (a SystemExit prints its message, not a traceback)."""


@dataclass(frozen=True)
class KeyRing:
    """The current key and the older ones still needed to find a person's events."""

    current: bytes
    old: tuple[bytes, ...] = ()

    @property
    def keys(self) -> tuple[bytes, ...]:
        """Every key, current first, each once."""
        return tuple(dict.fromkeys((self.current, *self.old)))


def read_keys(path: Path) -> list[bytes]:
    """The keys in a keys file, oldest first; none if there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s is readable by others: run `chmod 600 %s`", path, path)
    return [line.strip().encode() for line in text.splitlines() if line.strip()]


def _new_key(path: Path) -> bytes:
    """Add a random key to the keys file; a file another process just created wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    line = f"{key}\n".encode()
    if not path.exists():
        # Written in full under another name, then linked: nobody ever reads a half file.
        draft = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(draft, path)
            return key.encode()
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(draft)
        existing = read_keys(path)
        if existing:
            return existing[-1]
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return key.encode()


def is_sqlite(database_url: str) -> bool:
    """One process and a data directory beside it: a generated key can be kept there."""
    return make_url(database_url).get_backend_name() == "sqlite"


def load_key_ring(settings: Settings) -> KeyRing:
    """The ring from the settings and the keys file; generates the first key on SQLite.

    Raises `PseudonymKeyRequired` on any other database when `URA_PSEUDONYM_KEY` is unset.
    """
    path = settings.data_dir / KEYS_FILE
    stored = read_keys(path)
    configured_old = [key.encode() for key in settings.pseudonym_old_keys]
    if settings.pseudonym_key:
        return KeyRing(settings.pseudonym_key.encode(), (*stored, *configured_old))
    if not is_sqlite(settings.database_url):
        raise PseudonymKeyRequired(
            "URA_PSEUDONYM_KEY must be set on this database (every process needs the same "
            f"key); make one with: {MAKE_KEY}"
        )
    current = stored[-1] if stored else _new_key(path)
    log.warning(
        "Analytics pseudonyms use a key generated in %s: keep that file with the database "
        "(losing it makes /delete miss earlier events), or set URA_PSEUDONYM_KEY",
        path,
    )
    return KeyRing(current, (*stored, *configured_old))
