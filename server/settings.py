"""Runtime settings, read from PEERFRAME_* environment variables."""

from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coding.limits import Limits

DEFAULT_SECRET = "peerframe-local-development-secret"


def default_database_url() -> str:
    """An SQLite file in the user's data folder."""
    folder = Path.home() / ".local" / "share" / "peerframe"
    return f"sqlite:///{folder / 'peerframe.db'}"


class Settings(BaseSettings):
    """Everything the server can be told; works with no configuration at all."""

    model_config = SettingsConfigDict(env_prefix="PEERFRAME_")

    database_url: str = ""
    secret_key: str = DEFAULT_SECRET
    single_user: bool = False
    demo: bool = False
    max_upload_bytes: int = Limits.upload_bytes
    max_text_chars: int = Limits.text_chars
    max_unpacked_bytes: int = Limits.unpacked_bytes
    max_request_bytes: int = 10 * Limits.upload_bytes + 1024 * 1024
    single_user_name: str = "local"

    def limits(self) -> Limits:
        """How big an upload, and what it unpacks to, may be."""
        return Limits(upload_bytes=self.max_upload_bytes, text_chars=self.max_text_chars,
                      unpacked_bytes=self.max_unpacked_bytes,
                      member_bytes=min(Limits.member_bytes, self.max_unpacked_bytes))

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = default_database_url()
        if self.database_url.startswith("postgresql") and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "PEERFRAME_SECRET_KEY must be set to a long random value when running on PostgreSQL"
            )
        return self
