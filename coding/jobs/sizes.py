"""When an operation is big enough to be a job, and where job results are kept (light: settings import it)."""

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class Thresholds:
    """When an operation is big enough to run as a job."""

    upload_bytes: int = 5 * 1024 * 1024  # an upload (one file, or a batch together) over this
    files: int = 20  # a batch of more files than this
    report_quotes: int = 2000  # a report of more quotes than this


def result_folder_for(database_url: str, data_folder: Path) -> Path:
    """Where job result files live: beside an SQLite file, else in the data folder (in memory: a temp folder)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return Path(tempfile.gettempdir()) / f"peerframe-jobs-{secrets.token_hex(8)}"
        database = Path(url.database)
        return database.with_name(database.name + ".job-results")
    return data_folder / "job-results"
