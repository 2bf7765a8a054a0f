"""Importing many transcripts at once, and participant attributes from CSV."""

import csv
import io
import logging
from dataclasses import dataclass
from typing import BinaryIO, Callable, Optional, Sequence, Union

from sqlmodel import Session

from coding import store
from coding.limits import Limits, read_bounded
from coding.models import Document, Participant, User
from coding.text.transcripts import ImportRefused, decode_text, read_transcript

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What happened to one file of a batch."""

    name: str
    document: Optional[Document] = None
    error: Optional[str] = None


def import_one(session: Session, *, project_id: int, user: User, name: str, data: Union[bytes, BinaryIO],
               participant: Optional[str] = None, attributes: Optional[dict[str, str]] = None,
               limits: Limits = Limits()) -> Document:
    """Read (from bytes or a file, within the limits) and store one file; ImportRefused or store.Conflict leave
    the project unchanged."""
    if not isinstance(data, bytes):
        data = read_bounded(data, name, limits.upload_bytes)
    transcript = read_transcript(name, data, limits=limits)
    del data
    return store.import_document(session, project_id=project_id, user=user, transcript=transcript,
                                 participant=participant or None, attributes=attributes)


def import_many(session: Session, *, project_id: int, user: User, files: Sequence[tuple[str, Union[bytes, BinaryIO]]],
                participant: str = "", limits: Limits = Limits(),
                progress: Optional[Callable[[float, str], None]] = None) -> list[ImportResult]:
    """Import each file on its own; a refused file, or one that breaks the reader, is reported and stores nothing.
    `progress(fraction, message)` hears after each file."""
    results = []
    for number, (name, data) in enumerate(files, start=1):
        if progress and number > 1:
            progress((number - 1) / len(files), f"{number - 1} of {len(files)} files read; now {name}")
        try:
            document = import_one(session, project_id=project_id, user=user, name=name, data=data,
                                  participant=participant.strip() if len(files) == 1 else None, limits=limits)
            results.append(ImportResult(name, document=document))
        except (ImportRefused, store.Conflict, store.Invalid) as exc:
            session.rollback()
            results.append(ImportResult(name, error=str(exc)))
        except Exception:  # a reader's bug must cost this file only, never the batch
            session.rollback()
            log.exception("import of %s failed", name)
            results.append(ImportResult(name, error=f"{name}: this file could not be read; nothing was stored"))
    return results


PARTICIPANT_COLUMNS = ("participant", "participant_id", "id", "label", "tag", "case")


def read_attribute_rows(name: str, data: bytes) -> list[tuple[str, dict[str, str]]]:
    """Rows of a CSV whose first (or `participant`) column is the tag and the rest attributes."""
    if not data.strip():
        raise ImportRefused(f"{name}: the file is empty")
    text = decode_text(data, name)
    reader = csv.reader(io.StringIO(text), _dialect(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportRefused(f"{name}: the file has no header row") from None
    lowered = [h.lower() for h in header]
    tag_column = next((lowered.index(c) for c in PARTICIPANT_COLUMNS if c in lowered), 0)
    if len(header) < 2:
        raise ImportRefused(f"{name}: the header needs a participant column and at least one attribute column")
    if any(not h for h in header):
        raise ImportRefused(f"{name}: column {[not h for h in header].index(True) + 1} of the header has no name")
    rows = []
    for line_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ImportRefused(f"{name}, line {line_number}: {len(row)} values for {len(header)} columns")
        label = row[tag_column].strip()
        if not label:
            raise ImportRefused(f"{name}, line {line_number}: the participant column is empty")
        rows.append((label, {h: v.strip() for i, (h, v) in enumerate(zip(header, row)) if i != tag_column}))
    if not rows:
        raise ImportRefused(f"{name}: the file has a header but no participants")
    return rows


def _dialect(text: str):
    """The CSV dialect of the text: comma, semicolon or tab, sniffed, or else the commonest in the header."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        header = text.splitlines()[0] if text.splitlines() else ""
        dialect = type("Guessed", (csv.excel,), {"delimiter": max(",;\t", key=header.count)})
        return dialect


@dataclass
class AttributeChange:
    """What an attributes CSV would do to one participant: (attribute, old value, new value) per change."""

    label: str
    known: bool
    changes: list[tuple[str, str, str]]


@dataclass
class AttributePreview:
    """The changes an attributes CSV would make, before anything is stored; blank cells change nothing."""

    name: str
    columns: list[str]
    rows: list[AttributeChange]
    text: str  # the file as read, carried to the Apply step

    @property
    def unknown(self) -> list[str]:
        """Tags in the file that are not participants of the project yet."""
        return [r.label for r in self.rows if not r.known]

    @property
    def changed(self) -> list[AttributeChange]:
        """The rows that change something."""
        return [r for r in self.rows if r.changes]


def preview_attributes(session: Session, *, project_id: int, name: str, data: bytes) -> AttributePreview:
    """What the CSV would change, cell by cell (old → new), with unknown participants listed; stores nothing."""
    rows = read_attribute_rows(name, data)
    people = {p.label: p for p in store.list_participants(session, project_id=project_id)}
    columns = list(dict.fromkeys(key for _, attributes in rows for key in attributes))
    preview = []
    for label, attributes in rows:
        current = dict(people[label].attributes) if label in people else {}
        changes = [(key, str(current.get(key, "")), value) for key, value in attributes.items()
                   if value and str(current.get(key, "")) != value]
        preview.append(AttributeChange(label, label in people, changes))
    return AttributePreview(name, columns, preview, decode_text(data, name))


def attributes_from_csv(session: Session, *, project_id: int, user: User, name: str, data: bytes,
                        create_unknown: bool = False) -> list[Participant]:
    """Set participant attributes in bulk from CSV: all rows or, on any error, none. Blank cells leave a
    value as it is; tags that are not participants yet are created only with `create_unknown`."""
    preview = preview_attributes(session, project_id=project_id, name=name, data=data)
    rows = [(r.label, {key: new for key, _, new in r.changes}) for r in preview.rows
            if r.changes and (r.known or create_unknown)]
    return store.set_attributes(session, project_id=project_id, user=user, rows=rows)
