"""Bounds on what an upload may expand to: its bytes, each archive member, the whole archive, the stored text.

Zip archives are opened through `SafeZip`, which never trusts a member's declared size: every member is
read through a stream that stops one byte past the limit, and all reads of one archive share one budget.
"""

import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Callable, Optional

MB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 64 * 1024


class ImportRefused(ValueError):
    """A file cannot be imported; the message says which file and why."""


class LimitExceeded(ImportRefused):
    """An upload, or what it unpacks to, passes a limit; the message names the limit."""


@dataclass(frozen=True)
class Limits:
    """How big an upload, and anything it expands to, may be."""

    upload_bytes: int = 20 * MB
    text_chars: int = 8_000_000
    member_bytes: int = 64 * MB
    unpacked_bytes: int = 64 * MB
    members: int = 5_000


def megabytes(size: int) -> str:
    """A byte count as people read it: "20 MB", "0.5 MB"."""
    return f"{size / MB:.0f} MB" if size >= MB else f"{size / MB:.1f} MB"


def too_long(name: str, length: int, limits: Limits) -> LimitExceeded:
    """The refusal for a text over the character limit."""
    return LimitExceeded(f"{name}: the transcript would be over {limits.text_chars:,} characters "
                         f"(at least {length:,}; the limit is {limits.text_chars:,} characters)")


class TextBudget:
    """Counts the characters a reader produces and refuses the text as soon as it passes the limit."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits, self.used = name, limits, 0

    def take(self, length: int) -> None:
        """Count `length` more characters, or raise LimitExceeded."""
        self.used += length
        if self.used > self.limits.text_chars:
            raise too_long(self.name, self.used, self.limits)


class _Bounded(io.RawIOBase):
    """A member's stream that adds to its archive's total and raises once it passes `limit` bytes."""

    def __init__(self, raw: BinaryIO, archive: "SafeZip", limit: int, over: Callable[[], LimitExceeded]) -> None:
        self.raw, self.archive, self.limit, self.over, self.count = raw, archive, limit, over, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(min(len(buffer), CHUNK))
        self.count += len(data)
        self.archive.unpacked += len(data)
        if self.count > self.limit:
            raise self.over()
        buffer[:len(data)] = data
        return len(data)


class SafeZip:
    """A zip archive read within limits: members, each member's unpacked bytes, and the archive's total."""

    def __init__(self, data: bytes, name: str, limits: Limits, *, damaged: Callable[[Exception], Exception]) -> None:
        self.name, self.limits, self.damaged, self.unpacked = name, limits, damaged, 0
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise damaged(exc) from exc
        if len(infos) > limits.members:
            raise LimitExceeded(f"{name}: the archive holds {len(infos):,} files, over the limit of "
                                f"{limits.members:,} files")
        declared = sum(info.file_size for info in infos)
        if declared > limits.unpacked_bytes:
            raise LimitExceeded(f"{name}: the archive unpacks to {megabytes(declared)}, over the limit of "
                                f"{megabytes(limits.unpacked_bytes)} for a whole archive")
        self.members = [info.filename for info in infos if not info.is_dir()]

    def _over(self, member: str, limit: int, what: str) -> Callable[[], LimitExceeded]:
        return lambda: LimitExceeded(f"{self.name}: {member} unpacks to more than the limit of "
                                          f"{megabytes(limit)} {what}")

    def open(self, member: str) -> io.BufferedReader:
        """A bounded stream of one member; KeyError when it is missing, LimitExceeded past a limit."""
        info = self.zip.getinfo(member)
        left = self.limits.unpacked_bytes - self.unpacked
        if info.file_size > self.limits.member_bytes:
            raise self._over(member, self.limits.member_bytes, "for one file in an archive")()
        if info.file_size > left:
            raise self._over(member, self.limits.unpacked_bytes, "for a whole archive")()
        try:
            raw = self.zip.open(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise self.damaged(exc) from exc
        if left < self.limits.member_bytes:
            over = self._over(member, self.limits.unpacked_bytes, "for a whole archive")
        else:
            over = self._over(member, self.limits.member_bytes, "for one file in an archive")
        return io.BufferedReader(_Bounded(raw, self, min(left, self.limits.member_bytes), over), CHUNK)

    def read(self, member: str) -> bytes:
        """One member's bytes, unpacked within the limits; a member that is itself an archive is refused."""
        with self.open(member) as stream:
            try:
                head = stream.read(len(ZIP_MAGIC))
                if head == ZIP_MAGIC:
                    raise LimitExceeded(f"{self.name}: {member} is itself a zip archive; archives inside "
                                        "archives are not unpacked")
                return head + stream.read()
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                if isinstance(exc, LimitExceeded):
                    raise
                raise self.damaged(exc) from exc


def read_bounded(stream: BinaryIO, name: str, limit: int) -> bytes:
    """An uploaded file's bytes, read in chunks and refused as soon as they pass `limit`."""
    parts, size = [], 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise upload_too_big(name, limit)
        parts.append(chunk)
    return b"".join(parts)


def upload_too_big(name: str, limit: int, size: Optional[int] = None) -> LimitExceeded:
    """The refusal for an upload over the byte limit."""
    found = f"the file is {megabytes(size)}, over" if size is not None else "the file is over"
    return LimitExceeded(f"{name}: {found} the upload limit of {megabytes(limit)}")
