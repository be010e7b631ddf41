"""Configuration from the environment (and a `.env` file), built once in `main` and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import paths

DEFAULT_DATA_DIR = Path("data")


def default_sqlite_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """The embedded default: one SQLite file in the data directory."""
    return f"sqlite+aiosqlite:///{data_dir / 'ura.db'}"


def _comma_separated(value: Any) -> Any:
    """`a, b,c` → ('a', 'b', 'c'): lists in the environment are plain comma-separated text."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


CommaList = Annotated[tuple[str, ...], NoDecode]
IdList = Annotated[tuple[int, ...], NoDecode]


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
    # What the process keeps on disk: the default SQLite file and the generated pseudonym keys.
    data_dir: Path = Field(default=DEFAULT_DATA_DIR, alias="URA_DATA_DIR")
    database_url: str = Field(
        default_factory=lambda data: default_sqlite_url(data["data_dir"]), alias="DATABASE_URL"
    )
    # Empty: a generated key in the data directory (SQLite only; Postgres requires one).
    pseudonym_key: str = Field(default="", alias="URA_PSEUDONYM_KEY")
    # Earlier keys, so /delete still finds events recorded under them.
    pseudonym_old_keys: CommaList = Field(default=(), alias="URA_PSEUDONYM_OLD_KEYS")
    # Numeric Telegram ids made admins at every start (never usernames: those change hands).
    admin_ids: IdList = Field(default=(), alias="URA_ADMIN_IDS")
    # Content ships with the code; by default it is read from there, wherever Ura runs from.
    lessons_dir: Path = Field(default_factory=paths.lessons_dir, alias="URA_LESSONS_DIR")
    referrals_dir: Path = Field(default_factory=paths.referrals_dir, alias="URA_REFERRALS_DIR")
    locale_dir: Path = Field(default_factory=paths.locale_dir, alias="URA_LOCALE_DIR")
    poll_timeout: int = Field(default=30, alias="URA_POLL_TIMEOUT")
    # How long a SQLite writer waits for another one's lock before failing (then retried).
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0, alias="URA_SQLITE_BUSY_TIMEOUT_MS")
    # How stale a process's lesson catalog may be after a publish elsewhere.
    catalog_check_seconds: float = Field(default=5.0, ge=0, alias="URA_CATALOG_CHECK_SECONDS")
    referral_max_age_days: int = Field(default=180, ge=1, alias="URA_REFERRAL_MAX_AGE_DAYS")
    # What a moderator's upload may hold: the file as sent, files in a zip, their unpacked total.
    upload_max_bytes: int = Field(default=1_000_000, ge=1, alias="URA_UPLOAD_MAX_BYTES")
    upload_max_files: int = Field(default=200, ge=1, alias="URA_UPLOAD_MAX_FILES")
    upload_max_unpacked: int = Field(default=5_000_000, ge=1, alias="URA_UPLOAD_MAX_UNPACKED")
    # Screening reads meaning with the model in referrals/model/ beside the phrase lists;
    # off, the lists screen alone (for a machine that cannot run it; say so to staff).
    screening_model: bool = Field(default=True, alias="URA_SCREENING_MODEL")
    # How stale a process's referral directory may be after a moderator publishes one.
    directory_check_seconds: float = Field(default=5.0, ge=0, alias="URA_DIRECTORY_CHECK_SECONDS")
    # The dispatcher (messages Ura starts, announcements): messages a second (Telegram allows about
    # 30 overall), and how long it rests when nothing is queued.
    sender_rate: float = Field(default=25.0, gt=0, le=30, alias="URA_SENDER_RATE")
    sender_idle_seconds: float = Field(default=2.0, gt=0, alias="URA_SENDER_IDLE_SECONDS")
    # How updates arrive: long polling (the default), or Telegram's webhook at
    # URA_WEBHOOK_URL + "/telegram", served on URA_WEBHOOK_HOST:URA_WEBHOOK_PORT.
    mode: Literal["polling", "webhook"] = Field(default="polling", alias="URA_MODE")
    webhook_url: str = Field(default="", alias="URA_WEBHOOK_URL")
    webhook_secret: str = Field(default="", alias="URA_WEBHOOK_SECRET")
    webhook_host: str = Field(default="127.0.0.1", alias="URA_WEBHOOK_HOST")
    webhook_port: int = Field(default=8080, ge=1, le=65535, alias="URA_WEBHOOK_PORT")
    webhook_max_body: int = Field(default=1_000_000, ge=1024, alias="URA_WEBHOOK_MAX_BODY")

    @field_validator("pseudonym_old_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        return _comma_separated(value)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        return (value,) if isinstance(value, int) else _comma_separated(value)

    @field_validator("admin_ids")
    @classmethod
    def _check_ids(cls, ids: tuple[int, ...]) -> tuple[int, ...]:
        """A bad id stops start-up, rather than leaving nobody able to grant roles."""
        if any(not 0 < user_id < 2**63 for user_id in ids):
            raise ValueError("every admin id must be a positive numeric Telegram id")
        return tuple(dict.fromkeys(ids))
