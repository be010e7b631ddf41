"""Configuration from the environment (and a `.env` file), built once in `main` and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import paths

DEFAULT_DATA_DIR = Path("data")


def default_sqlite_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """The embedded default: one SQLite file in the data directory."""
    return f"sqlite+aiosqlite:///{data_dir / 'ura.db'}"


class Settings(BaseSettings):
    """Every knob an operator can turn; names follow DESIGN.md §4."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    telegram_api_base_file_url: str = Field(
        default="https://api.telegram.org/file/bot", alias="TELEGRAM_API_BASE_FILE_URL"
    )
    database_url: str = Field(default_factory=default_sqlite_url, alias="DATABASE_URL")
    pseudonym_key: str = Field(default="", alias="URA_PSEUDONYM_KEY")
    # Content ships with the code; by default it is read from there, wherever Ura runs from.
    lessons_dir: Path = Field(default_factory=paths.lessons_dir, alias="URA_LESSONS_DIR")
    referrals_dir: Path = Field(default_factory=paths.referrals_dir, alias="URA_REFERRALS_DIR")
    locale_dir: Path = Field(default_factory=paths.locale_dir, alias="URA_LOCALE_DIR")
    poll_timeout: int = Field(default=30, alias="URA_POLL_TIMEOUT")
    # How stale a process's lesson catalog may be after a publish elsewhere.
    catalog_check_seconds: float = Field(default=5.0, ge=0, alias="URA_CATALOG_CHECK_SECONDS")
    referral_max_age_days: int = Field(default=180, ge=1, alias="URA_REFERRAL_MAX_AGE_DAYS")

    def pseudonym_secret(self) -> bytes:
        """The analytics key; a missing key falls back to one derived from the bot token.

        The fallback keeps local runs working; production sets URA_PSEUDONYM_KEY so that
        pseudonyms survive a token rotation.
        """
        key = self.pseudonym_key or f"ura:{self.telegram_bot_token or 'local'}"
        return key.encode()
