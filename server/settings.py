"""Runtime settings, read from PEERFRAME_* environment variables."""

from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    max_upload_bytes: int = 20 * 1024 * 1024
    single_user_name: str = "local"

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = default_database_url()
        if self.database_url.startswith("postgresql") and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "PEERFRAME_SECRET_KEY must be set to a long random value when running on PostgreSQL"
            )
        return self
