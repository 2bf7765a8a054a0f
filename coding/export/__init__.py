"""Report files as bytes: each gathers its data, then hands it to a writer with a file object."""

import io

from sqlmodel import Session

from coding import reports, store
from coding.export import csv as csv_export
from coding.export import docx as docx_export
from coding.frameworks import Framework
from coding.models import Code, Project


def quotes_docx(session: Session, *, project: Project, wanted: reports.QuoteFilter) -> bytes:
    """The coded-quote table of a project as a Word file."""
    codes = store.project_codes(session, project_id=project.id)
    quotes = reports.find_quotes(session, project_id=project.id, wanted=wanted)
    out = io.BytesIO()
    docx_export.write_quotes(quotes, codes, out, title=f"{project.name}: coded quotes",
                             subtitle=reports.describe_filter(wanted, codes))
    return out.getvalue()


def quotes_csv(session: Session, *, project: Project, wanted: reports.QuoteFilter) -> bytes:
    """The coded quotes of a project as CSV, with every participant attribute as a column."""
    out = io.BytesIO()
    csv_export.write_quotes(reports.find_quotes(session, project_id=project.id, wanted=wanted), out,
                            attributes=reports.attribute_names(session, project_id=project.id))
    return out.getvalue()


def codebook_docx(session: Session, *, project: Project) -> bytes:
    """A project's codebook as a Word file."""
    out = io.BytesIO()
    docx_export.write_codebook(store.project_codes(session, project_id=project.id), out,
                               title=f"{project.name}: codebook",
                               source=f"Framework: {project.framework_id} (version {project.framework_version})")
    return out.getvalue()


def framework_docx(framework: Framework) -> bytes:
    """A shipped framework's codebook as a Word file (no project needed)."""
    codes = [Code(project_id=0, key=c.id, parent_key=c.parent, name=c.name, kind=c.kind, tier=c.tier,
                  group=c.group, definition=c.definition, citation=c.citation, colour=c.colour, position=i)
             for i, c in enumerate(framework.walk())]
    out = io.BytesIO()
    docx_export.write_codebook(codes, out, title=framework.name,
                               source=f"{framework.source} (framework {framework.id}, version {framework.version})")
    return out.getvalue()
