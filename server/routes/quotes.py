"""Coded quotes: the filterable list, Word and CSV exports, the codebook in Word, the activity log."""

import io
from urllib.parse import urlencode
from typing import Annotated, Optional, Union

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from coding import store
from coding.analysis import queries, retrieval
from coding.exchange import downloads
from coding.jobs import work
from coding.limits import read_bounded
from coding.models import Job, Project, SensitiveFlag
from coding.team import accounts, consent
from coding.team.activity import PAGE_MAX, find_events
from server.deps import (CodingAccess, DocumentAccess, ForCoding, ForDocument, Id, ID_MAX, LeadDep, ProjectDep, ScopeDep, SessionDep,
                         id_in)
from server.routes.jobs import job_response

router = APIRouter(tags=["pages"], include_in_schema=False)
CoderDocumentDep = Annotated[DocumentAccess, Depends(ForDocument("coder"))]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filter_from(fields, session, access, scope) -> retrieval.QuoteFilter:
    """A filter from query-string or form fields; empty fields do not filter. `code` and `document` may
    repeat; attributes are `attr=approach:online` (repeatable) or `attribute=approach&value=online`;
    `query=ID` starts from a saved query."""
    saved = id_in(fields.get("query"))
    if saved is not None:
        return retrieval.QuoteFilter.from_params(
            queries.get_query(session, project_id=access.project.id, query_id=saved, scope=scope).params)
    attributes = dict(a.split(":", 1) for a in fields.getlist("attr") if ":" in a)
    if fields.get("attribute"):
        attributes[fields["attribute"]] = fields.get("value") or ""
    match = fields.get("match") or "any"
    return retrieval.QuoteFilter(codes=[c for c in fields.getlist("code") if c],
                                 match=match if match in ("any", "all") else "any",
                                 together="turn" if fields.get("together") == "turn" else "overlap",
                                 document_ids=[i for i in map(id_in, fields.getlist("document")) if i is not None],
                                 attributes=attributes, text=(fields.get("text") or "").strip(),
                                 layer=fields.get("layer") or None, as_of=id_in(fields.get("as_of")))


def quote_filter(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep) -> retrieval.QuoteFilter:
    """The filter the query string names."""
    return filter_from(request.query_params, session, access, scope)


def visible_filter(scope: ScopeDep, wanted: Annotated[retrieval.QuoteFilter, Depends(quote_filter)]):
    """The filter, narrowed to the coder's own layer while the project is blind."""
    return retrieval.narrowed(wanted, scope)


FilterDep = Annotated[retrieval.QuoteFilter, Depends(visible_filter)]


def _download(data: bytes, filename: str, media_type: str) -> StreamingResponse:
    return StreamingResponse(io.BytesIO(data), media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _stem(project: Project) -> str:
    return downloads.file_stem(project.name)


QUOTES_PER_PAGE = 200


@router.get("/projects/{project_id}/quotes", response_class=HTMLResponse)
def quotes_page(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep,
                page: Annotated[int, Query(ge=1, le=1_000_000)] = 1):
    """The quotes that match, a page of them at a time (exports always hold them all)."""
    project = access.project
    first = (page - 1) * QUOTES_PER_PAGE
    quotes, total = retrieval.quote_page(session, project_id=project.id, wanted=wanted, scope=scope, first=first,
                                         size=QUOTES_PER_PAGE)
    pages = max(1, -(-total // QUOTES_PER_PAGE))
    if page > pages:  # past the end (the list has shrunk since the link was made): the last page
        page, first = pages, (pages - 1) * QUOTES_PER_PAGE
        quotes, total = retrieval.quote_page(session, project_id=project.id, wanted=wanted, scope=scope,
                                             first=first, size=QUOTES_PER_PAGE)
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    context = {
        "project": project, "wanted": wanted, "total": total, "page": page, "pages": pages, "first": first,
        "quotes_per_page": QUOTES_PER_PAGE, "quotes": quotes,
        "quoting": consent.Quoting(session, project_id=project.id),
        "picked": store.picked(session, project_id=project.id),
        "layers": retrieval.layer_choices(session, project_id=project.id, scope=scope),
        "codes": store.project_codes(session, project_id=project.id),
        "documents": scope.documents_of(store.document_summaries(session, project_id=project.id)),
        "attribute_values": retrieval.attribute_values(session, project_id=project.id, scope=scope),
        "query": query,
        "saved": queries.list_queries(session, project_id=project.id, scope=scope),
        "access": access,
    }
    template = "partials/quotes/list.html" if request.headers.get("hx-request") else "pages/quotes.html"
    return request.app.state.templates.TemplateResponse(request, template, context)


@router.post("/projects/{project_id}/queries", response_class=HTMLResponse)
async def save_query(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep):
    form = await request.form()
    name = str(form.get("name") or "")
    wanted = filter_from(form, session, access, scope)
    queries.save_query(session, project_id=access.project.id, user=access.user, name=name, wanted=wanted,
                       lead=access.can("lead"))
    return request.app.state.templates.TemplateResponse(request, "partials/quotes/saved.html", {
        "project": access.project, "saved": queries.list_queries(session, project_id=access.project.id, scope=scope),
        "message": f"Saved “{name.strip()}”."})


@router.post("/projects/{project_id}/queries/{query_id}/delete", response_class=HTMLResponse)
def delete_query(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep, query_id: Id):
    queries.delete_query(session, project_id=access.project.id, user=access.user, query_id=query_id, scope=scope,
                         lead=access.can("lead"))
    return request.app.state.templates.TemplateResponse(request, "partials/quotes/saved.html", {
        "project": access.project, "saved": queries.list_queries(session, project_id=access.project.id, scope=scope)})


def _flags(request: Request, session, access, document, coding_id: int, start: int, end: int,
           message: str = "", status: int = 200) -> HTMLResponse:
    quote = {"coding_id": coding_id, "document_id": document.id, "start": start, "end": end}
    return request.app.state.templates.TemplateResponse(request, "partials/quotes/flags.html", {
        "q": quote, "quoting": consent.Quoting(session, project_id=document.project_id), "access": access,
        "message": message}, status_code=status)


@router.post("/documents/{document_id}/flags", response_class=HTMLResponse)
def flag_passage(request: Request, session: SessionDep, target: CoderDocumentDep,
                 start: Annotated[int, Form(ge=0)], end: Annotated[int, Form(ge=0)],
                 category: Annotated[str, Form(max_length=40)], coding: Annotated[int, Form(ge=1, le=ID_MAX)]):
    """Mark the passage [start, end) as sensitive: quotes touching it are held back from exports."""
    consent.flag(session, document=target.document, user=target.access.user, start=start, end=end,
                 category=category)
    return _flags(request, session, target.access, target.document, coding, start, end,
                  f"Marked “{consent.SENSITIVE[category]}”: held back from exports unless included knowingly.")


@router.post("/documents/{document_id}/flags/{flag_id}/delete", response_class=HTMLResponse)
def unflag_passage(request: Request, session: SessionDep, target: CoderDocumentDep, flag_id: Id,
                   start: Annotated[int, Form(ge=0)], end: Annotated[int, Form(ge=0)],
                   coding: Annotated[int, Form(ge=1, le=ID_MAX)]):
    """Take a sensitive mark off (its maker, or a lead)."""
    row = session.get(SensitiveFlag, flag_id)
    if row is not None and row.created_by != target.access.user.id and not target.access.can("lead"):
        raise store.NotYours("only who marked a passage, or a lead, may take the mark off")
    consent.unflag(session, document=target.document, user=target.access.user, flag_id=flag_id)
    return _flags(request, session, target.access, target.document, coding, start, end, "Mark taken off.")


@router.get("/projects/{project_id}/export/check", response_class=HTMLResponse)
def export_check(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep):
    """What an export of the quotes the filters select will leave out and why, with the export buttons: read
    before exporting (the quotes page opens it when asked to export)."""
    check = downloads.export_check(session, project=access.project, wanted=wanted, scope=scope)
    fields = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "include_flagged")]
    return request.app.state.templates.TemplateResponse(request, "partials/quotes/export_check.html", {
        "project": access.project, "check": check, "fields": fields})


@router.get("/projects/{project_id}/export/quotes.docx")
def quotes_docx(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep,
                include_flagged: bool = False):
    project = access.project
    options = downloads.ReportOptions(include_flagged=include_flagged)
    return _download(downloads.quotes_docx(session, project=project, wanted=wanted, scope=scope, options=options),
                     f"{_stem(project)}-quotes.docx", DOCX)


@router.get("/projects/{project_id}/export/quotes.xlsx")
def quotes_xlsx(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep,
                include_flagged: bool = False):
    project = access.project
    return _download(downloads.quotes_xlsx(session, project=project, wanted=wanted, scope=scope,
                                           include_flagged=include_flagged), f"{_stem(project)}-quotes.xlsx", XLSX)


@router.post("/projects/{project_id}/export/report.docx")
async def quote_report(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep):
    """The Word quote report with the writer's choices: tag attributes, extra columns, a style template; a
    report of many quotes is built as a job (202, a page that shows its progress and then the download)."""
    form = await request.form()
    built = await run_in_threadpool(build_report, request, form, session, access, scope)
    if isinstance(built, bytes):
        return _download(built, f"{_stem(access.project)}-report.docx", DOCX)
    return job_response(request, session, built, status=202)


def build_report(request: Request, form, session, access, scope) -> Union[bytes, Job]:
    """The report's file, or for one of many quotes the job that builds it; off the event loop, as a big
    project or a large template takes a while."""
    wanted = visible_filter(scope, filter_from(form, session, access, scope))
    template = form.get("template")
    upload = template.file if template is not None and hasattr(template, "file") and template.size else None
    name = getattr(template, "filename", None) or "the template"
    options = downloads.ReportOptions(tag_attributes=[a for a in form.getlist("tag") if a] or ["approach"],
                                      show_coder=form.get("show_coder") == "true",
                                      show_document=form.get("show_document") == "true", template=upload,
                                      include_flagged=form.get("include_flagged") in ("1", "true"))
    filename = f"{_stem(access.project)}-report.docx"
    quotes = work.quote_count(session, project_id=access.project.id, wanted=wanted, scope=scope)
    if quotes > request.app.state.settings.thresholds().report_quotes:
        limit = request.app.state.settings.limits().upload_bytes
        return work.quote_report(request.app.state.jobs, session, project_id=access.project.id, user=access.user,
                                 wanted=wanted, options=options, template_name=name, filename=filename, local=access.local,
                                 template=read_bounded(upload, name, limit) if upload else None)
    return downloads.report_docx(session, project=access.project, wanted=wanted, scope=scope, options=options,
                                 template_name=name)


@router.get("/projects/{project_id}/export/matrix.{fmt}")
def matrix_export(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep,
                  fmt: str, kind: str = "values-decisions", mode: str = "overlap", by: str = "approach"):
    if fmt not in ("docx", "xlsx"):
        raise store.NotFound(f"matrices come as .docx or .xlsx, not .{fmt}")
    data = downloads.matrix_file(session, project=access.project, wanted=wanted, scope=scope, kind=kind, mode=mode,
                                 attribute=by, fmt=fmt)
    return _download(data, f"{_stem(access.project)}-matrix.{fmt}", DOCX if fmt == "docx" else XLSX)


@router.get("/projects/{project_id}/export/quotes.csv")
def quotes_csv(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep,
               include_flagged: bool = False):
    project = access.project
    return _download(downloads.quotes_csv(session, project=project, wanted=wanted, scope=scope,
                                          include_flagged=include_flagged),
                     f"{_stem(project)}-quotes.csv", "text/csv; charset=utf-8")


@router.get("/projects/{project_id}/export/sample.docx")
def sample_docx(session: SessionDep, access: ProjectDep, scope: ScopeDep,
                tag: Annotated[list[str], Query(max_length=50)] = []):
    """The sample table (participants by attribute, n and %) in Word: the attributes named `tag` (as the API's
    sample-word export names them), or all of them."""
    return _download(downloads.sample_docx(session, project=access.project, scope=scope,
                                           attributes=[a for a in tag if a]), f"{_stem(access.project)}-sample.docx", DOCX)


@router.get("/projects/{project_id}/export/respondents.docx")
def respondents_docx(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep):
    """Respondents per code (n and % of the survey's respondents) in Word, with the page's filters."""
    return _download(downloads.respondents_docx(session, project=access.project, wanted=wanted, scope=scope),
                     f"{_stem(access.project)}-respondents.docx", DOCX)


@router.get("/projects/{project_id}/export/presence.{fmt}")
def presence_export(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep, fmt: str):
    """Which data sources evidence each code (✓ or ✗), in Word or Excel."""
    if fmt not in ("docx", "xlsx"):
        raise store.NotFound(f"the evidence table comes as .docx or .xlsx, not .{fmt}")
    data = downloads.presence_file(session, project=access.project, wanted=wanted, scope=scope, fmt=fmt)
    return _download(data, f"{_stem(access.project)}-evidence-by-source.{fmt}", DOCX if fmt == "docx" else XLSX)


@router.get("/projects/{project_id}/export/chapter.docx")
def chapter_docx(session: SessionDep, access: ProjectDep, scope: ScopeDep, include_flagged: bool = False):
    """The findings chapter drafted from the codes and the quotes selected for it."""
    project = access.project
    return _download(downloads.chapter_docx(session, project=project, scope=scope, include_flagged=include_flagged),
                     f"{_stem(project)}-chapter.docx", DOCX)


@router.post("/codings/{coding_id}/chapter", response_class=HTMLResponse)
def pick_for_chapter(request: Request, session: SessionDep,
                     target: Annotated[CodingAccess, Depends(ForCoding("viewer"))],
                     chosen: Annotated[bool, Form()] = False):
    """Select a coded passage for the findings chapter, or take it out again (any member who reads it: report
    writers are often viewers)."""
    now = store.pick(session, coding=target.coding, user=target.access.user, chosen=chosen)
    return request.app.state.templates.TemplateResponse(request, "partials/quotes/pick.html", {
        "coding_id": target.coding.id, "chosen": now, "said": True})


@router.get("/projects/{project_id}/export/codebook.docx")
def codebook_docx(session: SessionDep, access: ProjectDep, scope: ScopeDep):
    project = access.project
    return _download(downloads.codebook_docx(session, project=project, scope=scope), f"{_stem(project)}-codebook.docx",
                     DOCX)


@router.get("/projects/{project_id}/activity", response_class=HTMLResponse)
def activity(request: Request, session: SessionDep, access: LeadDep, kind: Annotated[Optional[str], Query()] = None,
             user: Annotated[Optional[str], Query()] = None, document: Annotated[Optional[str], Query()] = None):
    project = access.project
    users = {u.id: u for u in store.list_users(session)}
    known = user in {u.name for u in users.values()}
    document_id = id_in(document)
    events = find_events(session, project_id=project.id, kind=kind, user_name=user if known else None,
                                  document_id=document_id, limit=PAGE_MAX)
    return request.app.state.templates.TemplateResponse(request, "pages/activity.html", {
        "project": project, "events": events, "users": users, "describe": store.describe, "kind": kind or "",
        "words": store.Wording(session, project_id=project.id),
        "user": user or "", "document": document_id, "documents": store.document_summaries(session, project_id=project.id),
        "members": [u for u, _ in accounts.members(session, project_id=project.id)]})
