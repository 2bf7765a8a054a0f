"""Small transcript files built in tests: Word, OpenDocument and plain text with speaker turns."""

import io
import math
import struct
import wave
import zipfile
from xml.sax.saxutils import escape

from docx import Document as WordDocument

INTERVIEW = [
    ("Interviewer", "How did you first hear about the group?"),
    ("PV44", "A friend told me. I felt safe there because everyone had been through something similar."),
    ("Interviewer", "What keeps you going back?"),
    ("PV44", "Nobody judges you, and what is said in the room stays in the room."),
]


def docx_bytes(turns=INTERVIEW) -> bytes:
    """A Word document with one paragraph per turn, `Speaker: text`."""
    doc = WordDocument()
    for speaker, text in turns:
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{speaker}: ").bold = True
        paragraph.add_run(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def odt_bytes(turns=INTERVIEW) -> bytes:
    """A minimal OpenDocument text with one paragraph per turn."""
    body = "".join(
        f'<text:p><text:span>{escape(speaker)}:</text:span><text:s/>{escape(text)}</text:p>' for speaker, text in turns
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return out.getvalue()


def txt_bytes(turns=INTERVIEW) -> bytes:
    """Plain text, one paragraph per turn."""
    return "\n\n".join(f"{speaker}: {text}" for speaker, text in turns).encode("utf-8")


def wav_bytes(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV recording of a quiet 440 Hz tone."""
    frames = b"".join(struct.pack("<h", int(800 * math.sin(2 * math.pi * 440 * i / rate)))
                      for i in range(int(seconds * rate)))
    out = io.BytesIO()
    with wave.open(out, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        recording.writeframes(frames)
    return out.getvalue()


def word_text(path) -> str:
    """All the text of a Word file: paragraphs, then table cells."""
    document = WordDocument(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def code_phrase(session, document, coder, phrase: str, key: str):
    """Code the first occurrence of `phrase` in the transcript with the code `key`, in `coder`'s layer."""
    from coding import store

    start = document.text.index(phrase)
    return store.add_coding(session, document=document, code=store.get_code(session, project_id=document.project_id,
                                                                             key=key),
                            user=coder, start=start, end=start + len(phrase))


def database_at(path, revision: str, *statements: str):
    """An engine on a SQLite file at `path` migrated only to `revision`, with `statements` run in it (old data)."""
    from alembic import command
    from sqlalchemy import text

    from coding.db import alembic_config, make_engine

    engine = make_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(engine), revision)
    with engine.begin() as db:
        for statement in statements:
            db.execute(text(statement))
    return engine


def mark_done(session, document, *coders) -> None:
    """Each coder says they have finished the transcript (only they are compared in agreement and reconciling)."""
    from coding import store

    for coder in coders:
        store.set_status(session, document=document, user=coder, state=store.DONE)
