"""Runtime settings, read from PEERFRAME_* environment variables."""

import os
import secrets
import tempfile
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from coding.jobs.sizes import Thresholds, result_folder_for
from coding.limits import MB, Limits

# values that were once published in this source as defaults: never accepted as a signing key
KNOWN_SECRETS = frozenset({"peerframe-local-development-secret"})
MIN_SECRET_LENGTH = 16


def data_folder() -> Path:
    """The user's Peerframe data folder."""
    return Path.home() / ".local" / "share" / "peerframe"


def default_database_url() -> str:
    """An SQLite file in the user's data folder."""
    return f"sqlite:///{data_folder() / 'peerframe.db'}"


def key_file_for(database_url: str) -> Path | None:
    """Where the generated signing key lives: beside an SQLite file, else in the data folder (None: in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        database = Path(url.database)
        return database.with_name(database.name + ".secret-key")
    return data_folder() / "secret-key"


def media_folder_for(database_url: str) -> Path:
    """Where recordings are kept: beside an SQLite file, else in the data folder (in memory: a new temp folder)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return Path(tempfile.gettempdir()) / f"peerframe-media-{secrets.token_hex(8)}"  # made on first use
        return Path(url.database).parent / "media"
    return data_folder() / "media"


def load_or_create_key(path: Path) -> str:
    """The key kept in `path`, made (random, mode 0600) on first use; safe when several workers start at once."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)  # atomic: exactly one worker's key wins, the others read it
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    if path.stat().st_mode & 0o077:
        raise ValueError(f"the signing key file {path} can be read by other users; run: chmod 600 {path}")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise ValueError(f"the signing key file {path} is empty or too short; delete it to have a new one made")
    return key


class Settings(BaseSettings):
    """Everything the server can be told; works with no configuration at all."""

    model_config = SettingsConfigDict(env_prefix="PEERFRAME_")

    database_url: str = ""
    secret_key: str = ""
    secret_key_file: str = ""
    single_user: bool = False
    demo: bool = False
    max_upload_bytes: int = Limits.upload_bytes
    max_text_chars: int = Limits.text_chars
    max_unpacked_bytes: int = Limits.unpacked_bytes
    max_request_bytes: int = 10 * Limits.upload_bytes + 1024 * 1024
    single_user_name: str = "local"
    media_dir: str = ""
    max_recording_bytes: int = 500 * MB
    jobs_dir: str = ""  # where job results (big exports) wait to be downloaded; beside the database by default
    job_upload_bytes: int = Thresholds.upload_bytes  # uploads over this run as jobs
    job_files: int = Thresholds.files  # so do batches of more files than this
    job_report_quotes: int = Thresholds.report_quotes  # and reports of more quotes than this
    jobs_in_process: bool = True  # this server also works through the job queue (off beside `peerframe worker`s)

    def thresholds(self) -> Thresholds:
        """When an import or report is big enough to run as a job."""
        return Thresholds(upload_bytes=self.job_upload_bytes, files=self.job_files,
                          report_quotes=self.job_report_quotes)

    def limits(self) -> Limits:
        """How big an upload, and what it unpacks to, may be."""
        return Limits(upload_bytes=self.max_upload_bytes, text_chars=self.max_text_chars,
                      unpacked_bytes=self.max_unpacked_bytes,
                      member_bytes=min(Limits.member_bytes, self.max_unpacked_bytes))

    @property
    def media(self) -> Path:
        """The folder that holds recordings."""
        return Path(self.media_dir)

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = default_database_url()
        if not self.media_dir:
            self.media_dir = str(media_folder_for(self.database_url))
        if not self.jobs_dir:
            self.jobs_dir = str(result_folder_for(self.database_url, data_folder()))
        if self.secret_key:
            if self.secret_key in KNOWN_SECRETS or len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(f"PEERFRAME_SECRET_KEY must be a long random value of your own "
                                 f"(at least {MIN_SECRET_LENGTH} characters), not a published one")
            return self
        path = Path(self.secret_key_file) if self.secret_key_file else key_file_for(self.database_url)
        self.secret_key = load_or_create_key(path) if path else secrets.token_urlsafe(48)
        return self
