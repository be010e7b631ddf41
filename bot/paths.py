"""Where Ura's files are when nobody says otherwise.

Content (lessons, the referral directory and phrase lists, the UI catalogs) and the
migrations ship beside the code. In a checkout they sit in the project root; an installed
wheel carries them under `<prefix>/share/ura` (see `[tool.setuptools.data-files]`). Each is
also a setting (`URA_LESSONS_DIR`, `URA_REFERRALS_DIR`, `URA_LOCALE_DIR`), so `ura` works
from any folder.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


@cache
def project_root() -> Path:
    """The folder holding `lessons/`, `referrals/`, `locale/` and `migrations/`."""
    for candidate in (_CHECKOUT, Path(sys.prefix) / "share" / "ura"):
        if (candidate / "migrations").is_dir():
            return candidate
    return _CHECKOUT


def lessons_dir() -> Path:
    """The lesson files that ship with Ura."""
    return project_root() / "lessons"


def referrals_dir() -> Path:
    """The referral directory and the phrase lists that ship with Ura."""
    return project_root() / "referrals"


def locale_dir() -> Path:
    """The gettext catalogs (`.po` committed, `.mo` compiled by the build)."""
    return project_root() / "locale"


def migrations_dir() -> Path:
    """Alembic's scripts."""
    return project_root() / "migrations"
