"""A transcript's recording: recognised by its first bytes, copied in chunks to the media folder under a random
name, found again for members only (the caller checks access), and deleted with its transcript."""

import os
import secrets
from pathlib import Path
from typing import BinaryIO, Iterable, Optional

from sqlalchemy import bindparam
from sqlmodel import Session, select

from coding.limits import CHUNK, ImportRefused, LimitExceeded, megabytes
from coding.models import Document, Recording, User
from coding.store.base import _done, _log, built
from coding.text.transcripts import base_name

ACCEPTED = "MP3, WAV, Ogg, WebM or MP4/M4A"
HEAD = 16


class UnsupportedMedia(ImportRefused):
    """The upload is not audio or video of a kind the player can play."""


def sniff(head: bytes) -> Optional[str]:
    """The media type that the first bytes of a file announce, or None."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "audio/mpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:11] == b"M4A" else "video/mp4"
    return None


def cue_time(ms: int) -> str:
    """A cue time as a player shows it: "12:05", or "1:02:05" past the hour."""
    seconds = ms // 1000
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours}:{minutes:02d}:{seconds % 60:02d}" if hours else f"{minutes}:{seconds % 60:02d}"


def path_of(recording: Recording, folder: Path) -> Path:
    """Where the recording's bytes are on disk."""
    return folder / recording.file_id


def find(session: Session, *, document_id: int) -> Optional[Recording]:
    """The transcript's recording, if it has one."""
    return session.exec(_recording(), params={"document_id": document_id}).first()


@built
def _recording():
    return select(Recording).where(Recording.document_id == bindparam("document_id"))


def _copy(stream: BinaryIO, target: Path, *, name: str, limit: int) -> tuple[str, int]:
    """Copy the upload to `target` a chunk at a time; the media type and size, or a refusal (nothing kept)."""
    head = stream.read(HEAD)
    media_type = sniff(head)
    if media_type is None:
        raise UnsupportedMedia(f"{name}: this is not a recording Peerframe can play; attach an {ACCEPTED} file")
    size = len(head)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(head)
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise LimitExceeded(f"{name}: the recording is over the limit of {megabytes(limit)}")
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return media_type, size


def attach(session: Session, *, document: Document, user: User, name: str, stream: BinaryIO, folder: Path,
           limit: int) -> Recording:
    """Store `stream` as the transcript's recording, replacing any earlier one; ImportRefused if it is not
    audio or video, LimitExceeded past `limit` bytes."""
    name = base_name(name)[:255]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    file_id = secrets.token_hex(16)
    media_type, size = _copy(stream, folder / file_id, name=name, limit=limit)
    earlier = find(session, document_id=document.id)
    try:
        if earlier is not None:
            session.delete(earlier)
            session.flush()
        recording = Recording(document_id=document.id, file_id=file_id, original_name=name, media_type=media_type,
                              size=size, created_by=user.id)
        session.add(recording)
        _log(session, project_id=document.project_id, user=user, kind="recording.attached", document_id=document.id,
             payload={"name": name, "media_type": media_type, "size": size})
        _done(session)
    except BaseException:
        (folder / file_id).unlink(missing_ok=True)
        raise
    if earlier is not None:
        delete_files(folder, [earlier.file_id])
    return recording


def file_ids(session: Session, *, document_ids: Iterable[int]) -> list[str]:
    """The stored names of these transcripts' recordings, read before an erasure deletes the rows."""
    ids = list(document_ids) or [-1]
    return list(session.exec(select(Recording.file_id).where(Recording.document_id.in_(ids))))


def _shred(path: Path) -> None:
    """Overwrite a file with zeros, then delete it (a file already gone is skipped)."""
    try:
        with open(path, "r+b") as out:
            left = os.fstat(out.fileno()).st_size
            while left > 0:
                left -= out.write(bytes(min(CHUNK, left)))
            out.flush()
            os.fsync(out.fileno())
    except FileNotFoundError:
        return
    path.unlink(missing_ok=True)


def delete_files(folder: Path, names: Iterable[str]) -> None:
    """Delete recordings' files from the media folder, overwritten first so the sound is not left on disk."""
    for file_id in names:
        _shred(folder / file_id)
