"""Report files as bytes: each gathers its data (pseudonymised), then hands it to a writer with a file object."""

import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import BinaryIO, Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.analysis import page_data, pseudonyms, queries, retrieval, sample
from coding.codebook.frameworks import Framework
from coding.exchange import chapter_docx as chapter_export
from coding.exchange import csv as csv_export
from coding.exchange import survey
from coding.exchange import docx as docx_export
from coding.exchange import xlsx as xlsx_export
from coding.limits import LimitExceeded
from coding.models import Code, Project
from coding.team import consent, visibility
from coding.team.visibility import Scope


def file_stem(name: str, fallback: str = "project") -> str:
    """A download name from a project name: ASCII letters and digits joined by single dashes."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80].strip("-") or fallback


@dataclass
class ReportOptions:
    """How a writer wants the quote table: the tag's attributes, extra columns, a style template."""

    tag_attributes: Sequence[str] = ("approach",)
    show_coder: bool = False
    show_document: bool = False
    template: Optional[BinaryIO] = None
    extra: dict = field(default_factory=dict)
    include_flagged: bool = False  # quotes touching passages marked sensitive, included knowingly


def project_quotes(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope,
                   include_flagged: bool = False) -> Sequence[retrieval.Quote]:
    """The coded passages a report shows the reader, as consent allows (`consent.Quoting`: never a quote of
    someone who did not agree to be quoted; a quote touching a sensitive passage only with `include_flagged`),
    with the project's pseudonyms applied. Every export of quotes reads them here."""
    found = retrieval.find_quotes(session, project_id=project.id, wanted=wanted, scope=scope)
    quoting = consent.Quoting(session, project_id=project.id, include_flagged=include_flagged)
    return _pseudonymised(session, project, found.where(quoting.allows))


def export_check(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope,
                 include_flagged: bool = False) -> consent.Check:
    """What an export of these quotes will leave out, and why, for the exporter to read before confirming."""
    found = retrieval.find_quotes(session, project_id=project.id, wanted=wanted, scope=scope)
    return consent.Quoting(session, project_id=project.id, include_flagged=include_flagged).check(found.coded())


def _pseudonymised(session: Session, project: Project,
                   quotes: Sequence[retrieval.Quote]) -> Sequence[retrieval.Quote]:
    """The quotes with the project's pseudonyms applied, as every report shows them."""
    return pseudonyms.apply_to_quotes(quotes, queries.pairs(session, project_id=project.id))


def quotes_docx(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope,
                options: Optional[ReportOptions] = None) -> bytes:
    """The coded-quote table of a project as a Word file."""
    options = options or ReportOptions()
    codes = store.project_codes(session, project_id=project.id)
    out = io.BytesIO()
    layers = dict(retrieval.layer_choices(session, project_id=project.id, scope=scope))
    docx_export.write_quotes(project_quotes(session, project=project, wanted=wanted, scope=scope,
                                            include_flagged=options.include_flagged), codes, out,
                             title=f"{project.name}: coded quotes",
                             subtitle=retrieval.describe_filter(wanted, codes, layers),
                             tag_attributes=tuple(options.tag_attributes), show_coder=options.show_coder,
                             show_document=options.show_document, template=options.template)
    return out.getvalue()


def report_docx(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope,
                options: ReportOptions, template_name: str = "the template") -> bytes:
    """The Word quote report with the writer's choices; a style template that cannot be used is refused by name."""
    try:
        return quotes_docx(session, project=project, wanted=wanted, scope=scope, options=options)
    except (docx_export.TemplateRefused, LimitExceeded) as exc:
        error = store.Invalid if isinstance(exc, docx_export.TemplateRefused) else LimitExceeded
        raise error(f"{template_name}: {exc}") from exc


def quotes_csv(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope,
               include_flagged: bool = False) -> bytes:
    """The coded quotes of a project as CSV, with every participant attribute as a column."""
    out = io.BytesIO()
    csv_export.write_quotes(project_quotes(session, project=project, wanted=wanted, scope=scope,
                                           include_flagged=include_flagged), out,
                            attributes=retrieval.attribute_names(session, project_id=project.id))
    return out.getvalue()


def quotes_xlsx(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope,
                include_flagged: bool = False) -> bytes:
    """The coded quotes of a project as an Excel workbook."""
    out = io.BytesIO()
    xlsx_export.write_quotes_xlsx(project_quotes(session, project=project, wanted=wanted, scope=scope,
                                                 include_flagged=include_flagged), out,
                                  attributes=retrieval.attribute_names(session, project_id=project.id))
    return out.getvalue()


def presence_file(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope,
                  fmt: str) -> bytes:
    """Which data sources (interviews, focus groups, survey answers, ...) evidence each code, ✓ or ✗, as the
    report's Table 5.6, in Word or Excel."""
    data = page_data.inputs(session, project_id=project.id, wanted=wanted, scope=scope)
    table = page_data.figure(data, name="presence", project_id=project.id)
    note = (retrieval.describe_filter(wanted, store.project_codes(session, project_id=project.id),
                                      dict(retrieval.layer_choices(session, project_id=project.id, scope=scope)))
            + "; ✓: at least one coded passage from that source, ✗: none")
    matrix = docx_export.MatrixTable(
        title=f"{project.name}: evidence by data source", row_labels=list(table.row_labels),
        column_labels=list(table.column_labels), corner="Code", note=note,
        cells=[["✓" if table.cell(r, c).count else "✗" for c in table.columns] for r in table.rows])
    out = io.BytesIO()
    (docx_export.write_matrix_docx if fmt == "docx" else xlsx_export.write_matrix_xlsx)(matrix, out)
    return out.getvalue()


def chapter_docx(session: Session, *, project: Project, scope: Scope, include_flagged: bool = False) -> bytes:
    """The findings chapter drafted from the codes: the quotes writers selected, as consent allows, by code and
    sub-theme, with each code's memo and definition (`chapter_docx.write_chapter`)."""
    chosen = store.picked(session, project_id=project.id)
    quotes = project_quotes(session, project=project, wanted=retrieval.narrowed(retrieval.QuoteFilter(), scope),
                            scope=scope, include_flagged=include_flagged)
    out = io.BytesIO()
    chapter_export.write_chapter(store.project_codes(session, project_id=project.id),
                                 [q for q in quotes if q.coding_id in chosen], out,
                                 title=f"{project.name}: findings chapter (draft)")
    return out.getvalue()


def codebook_docx(session: Session, *, project: Project, scope: Scope) -> bytes:
    """A project's codebook as a Word file: hierarchy, definitions, and the counts and one example quote per
    code of the passages the reader may see (the counts are of every passage; an example is one that may be
    quoted, never touching a sensitive passage)."""
    firsts, counts = retrieval.first_quotes(session, project_id=project.id, scope=scope,
                                            wanted=retrieval.narrowed(retrieval.QuoteFilter(), scope))
    quoting = consent.Quoting(session, project_id=project.id)
    if not all(quoting.allows(q) for q in firsts):  # look further for the codes whose first may not be quoted
        firsts = retrieval.find_quotes(session, project_id=project.id, scope=scope,
                                       wanted=retrieval.narrowed(retrieval.QuoteFilter(), scope)).where(
            quoting.allows).firsts()
    examples = {q.code_key: q for q in _pseudonymised(session, project, firsts)}
    out = io.BytesIO()
    docx_export.write_codebook(store.project_codes(session, project_id=project.id), out,
                               title=f"{project.name}: codebook",
                               source=f"Framework: {project.framework_id} (version {project.framework_version})",
                               counts=dict(counts), examples=examples)
    return out.getvalue()


def matrix_file(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope, kind: str,
                mode: str, attribute: str, fmt: str) -> bytes:
    """A matrix of the analysis page, from the passages the reader may see, as Word or Excel."""
    data = page_data.inputs(session, project_id=project.id, wanted=wanted, scope=scope)
    if kind == "decision":
        attribute = page_data.decision_for(data.choices, attribute)
    table = page_data.matrix(data, kind=kind, mode=mode, attribute=attribute)
    titles = {"values-decisions": "Core values × key decisions", "codes": "Code co-occurrence",
              "attribute": f"Codes by {attribute}: passages (participants)",
              "decision": f"Core values by the projects' {attribute}: passages (participants)"}
    note = retrieval.describe_filter(wanted, store.project_codes(session, project_id=project.id),
                                     dict(retrieval.layer_choices(session, project_id=project.id, scope=scope)))
    if kind not in ("attribute", "decision"):
        note += "; cells count " + ("stretches of text coded with both" if mode == "overlap"
                                    else "speaker turns with both codes")
    cells = [[f"{c.count} ({c.participants})" if c.participants is not None else c.count
              for c in (table.cell(r, col) for col in table.columns)] for r in table.rows]
    matrix = docx_export.MatrixTable(title=f"{project.name}: {titles[kind]}", row_labels=list(table.row_labels),
                                     column_labels=list(table.column_labels), cells=cells, note=note)
    out = io.BytesIO()
    (docx_export.write_matrix_docx if fmt == "docx" else xlsx_export.write_matrix_xlsx)(matrix, out)
    return out.getvalue()


def sample_docx(session: Session, *, project: Project, scope: Scope, attributes: Sequence[str] = ()) -> bytes:
    """The sample table in Word: participants by each attribute (all of them unless `attributes` are given),
    n and per cent, of the participants the reader may see."""
    people = visibility.participants(session, project_id=project.id, scope=scope)
    names = list(attributes) or retrieval.attribute_names(session, project_id=project.id)
    labels, cells = [], []
    for group in sample.sample_groups(people, names):
        labels.append(group.attribute)
        cells.append(["", ""])
        for value, count in group.rows:
            labels.append(f"    {value}")
            cells.append([count, sample.percent(count, len(people))])
    table = docx_export.MatrixTable(title=f"{project.name}: the sample (N = {len(people)})", row_labels=labels,
                                    column_labels=["n", "%"], cells=cells, corner="Characteristic",
                                    note=f"Participants by {', '.join(names) or 'no attribute'}; "
                                         f"“{sample.MISSING}”: nothing recorded.")
    out = io.BytesIO()
    docx_export.write_matrix_docx(table, out)
    return out.getvalue()


def respondents_docx(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope) -> bytes:
    """The respondent table in Word (the report's Table 5.2): per code, how many survey respondents' answers
    were coded with it, n and %, from the codings the reader asked for."""
    coded = retrieval.find_quotes(session, project_id=project.id, wanted=wanted, scope=scope).coded()
    total, rows = survey.respondent_counts(session, project_id=project.id, coded=coded)
    table = docx_export.MatrixTable(
        title=f"{project.name}: respondents per code (N = {total})", row_labels=[r.name for r in rows],
        column_labels=["n", "%"], cells=[[r.respondents, sample.percent(r.respondents, total)] for r in rows],
        corner="Code", note=retrieval.describe_filter(wanted, store.project_codes(session, project_id=project.id))
        + "; a respondent counts once for a code, however many of their answers have it (or a code under it).")
    out = io.BytesIO()
    docx_export.write_matrix_docx(table, out)
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
