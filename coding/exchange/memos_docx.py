"""The memos a reader may see, as a Word file: the project's memos, then each transcript's, pseudonymised."""

import io
from typing import BinaryIO, Sequence

from sqlmodel import Session

from coding import store
from coding.analysis import pseudonyms, queries
from coding.exchange import docx as docx_export
from coding.models import Memo, Project, User
from coding.team.progress import document_memos
from coding.team.visibility import Scope

Section = tuple[str, list[tuple[Memo, User]]]


def _byline(memo: Memo, author: User) -> str:
    return f"{author.shown_name} · {memo.updated_at.strftime('%Y-%m-%d %H:%M')} UTC"


def write_memos(sections: Sequence[Section], out: BinaryIO, *, title: str, rewrite=lambda text: text) -> None:
    """A heading per section, then each memo: its title (project memos), author and time, and its text."""
    doc = docx_export.open_document()
    docx_export.heading(doc, rewrite(title), 0)
    for name, memos in sections:
        docx_export.heading(doc, rewrite(name), 1)
        for memo, author in memos:
            if memo.title:
                docx_export.heading(doc, rewrite(memo.title), 2)
            doc.add_paragraph().add_run(docx_export.xml_safe(_byline(memo, author))).italic = True
            for block in rewrite(memo.text).split("\n\n"):
                doc.add_paragraph(docx_export.xml_safe(block))
    doc.save(out)


def memos_docx(session: Session, *, project: Project, scope: Scope, user: User) -> bytes:
    """Every memo the reader may read in the project (a blind coder: their own transcript memos)."""
    sections: list[Section] = []
    found = store.project_memos(session, project_id=project.id)
    if found:
        sections.append(("Project memos", found))
    for document in scope.documents_of(store.list_documents(session, project_id=project.id)):
        on_it = document_memos(session, document_id=document.id, scope=scope, user=user)
        if on_it:
            sections.append((f"Memos on {document.name}", on_it))
    out = io.BytesIO()
    replacer = pseudonyms.compile_pairs(queries.pairs(session, project_id=project.id))
    write_memos(sections, out, title=f"{project.name}: memos", rewrite=replacer)
    return out.getvalue()
