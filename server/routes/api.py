"""The JSON API under /api, documented at /openapi.json."""

import json
from datetime import datetime
from typing import Annotated, Any, Optional

from fastapi import APIRouter, BackgroundTasks, File, Form, HTTPException, Path, Request, Response, UploadFile
from pydantic import BaseModel, Field, StrictInt

from fastapi.responses import JSONResponse

from coding import erasure, store
from coding.exchange import batch_import, survey
from coding.team import accounts, visibility
from coding.jobs import work
from coding.limits import read_bounded
from coding.store import MEMO_LIMIT
from coding.codebook.frameworks import available_frameworks, get_framework
from coding.models import Coding, Document
from server import encoding
from server.deps import (ID_MAX, CoderDocumentDep, CodingDep, DocumentDep, LeadDep, LeadDocumentDep, ProjectDep,
                         ScopeDep, SessionDep, UserDep)
from server.routes import api_jobs

router = APIRouter(prefix="/api", tags=["api"])


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Side by Side interviews"])
    framework: str = Field(default="side-by-side", max_length=80, examples=["side-by-side"])
    description: str = Field(default="", max_length=MEMO_LIMIT)
    optional_groups: bool = Field(default=True, description="copy the framework's optional code groups too")


class ProjectOut(BaseModel):
    id: int
    name: str
    description: str
    framework: str
    framework_version: str
    created_at: datetime
    tag_pattern: str = Field("", description="how a transcript naming no participant is tagged, such as PV<n>")


class CodeOut(BaseModel):
    id: str = Field(description="the code's stable key, such as safety/confidentiality")
    name: str
    parent: Optional[str]
    kind: str
    tier: Optional[str]
    definition: str
    colour: str
    retired: bool
    memo: str = Field("", description="the team's reflections on the code")


class ParticipantOut(BaseModel):
    label: str
    attributes: dict[str, Any]


class DocumentSummary(BaseModel):
    id: int
    project_id: int
    name: str
    format: str
    participant: Optional[str]
    word_count: int
    created_at: datetime
    language: str = Field("", description="a BCP 47 tag such as ur; empty when not said")
    mediation: str = Field("", description="'' (as spoken), 'interpreted' or 'translated'")
    original_id: Optional[int] = Field(None, description="the transcript this one is a translation of")


class TurnOut(BaseModel):
    speaker: Optional[str]
    start: int
    end: int
    interviewer: bool
    interpreted: bool = Field(False, description="the speaker spoke through an interpreter")
    cue_start_ms: Optional[int] = None
    cue_end_ms: Optional[int] = None


class DocumentOut(DocumentSummary):
    text: str
    turns: list[TurnOut]
    participant_attributes: dict[str, Any]
    interviewer_speakers: list[str]
    interpreted_speakers: list[str] = []


class EraseIn(BaseModel):
    confirm: str = Field(description="the transcript's or project's name, typed exactly, to confirm the erasure",
                         examples=["PV44 interview"])


class ErasedOut(BaseModel):
    kind: str = Field(examples=["document.erased"])
    name: str
    by: str
    at: datetime
    codings: int = Field(description="live codings erased with it")


class CodingIn(BaseModel):
    start: StrictInt = Field(ge=0, le=ID_MAX, description="first code point of the passage (0-based)")
    end: StrictInt = Field(gt=0, le=ID_MAX, description="code point just after the passage")
    code_id: str = Field(min_length=1, max_length=200, examples=["safety"],
                         description="a code key of the project's codebook")
    memo: str = Field(default="", max_length=MEMO_LIMIT)


class CodingOut(BaseModel):
    id: int
    document_id: int
    start: int
    end: int
    code_id: str
    coder: str
    memo: str
    origin: str
    text: str
    created_at: datetime


class AttributesIn(BaseModel):
    attributes: dict[str, str]


def _project_out(project) -> ProjectOut:
    return ProjectOut(id=project.id, name=project.name, description=project.description,
                      framework=project.framework_id, framework_version=project.framework_version,
                      created_at=project.created_at, tag_pattern=project.tag_pattern)


def code_out(code) -> CodeOut:
    """A code as the API shows it, its key as `id`."""
    return CodeOut(id=code.key, name=code.name, parent=code.parent_key, kind=code.kind, tier=code.tier,
                   definition=code.definition, colour=code.colour, retired=code.retired, memo=code.memo)


def _summary(document: Document, participant) -> dict[str, Any]:
    return dict(id=document.id, project_id=document.project_id, name=document.name,
                format=document.source_format, participant=participant.label if participant else None,
                word_count=document.word_count, created_at=document.created_at, language=document.language,
                mediation=document.mediation, original_id=document.original_id)


def coding_out(coding: Coding, key: str, coder: str, text: str) -> CodingOut:
    return CodingOut(id=coding.id, document_id=coding.document_id, start=coding.start, end=coding.end,
                     code_id=key, coder=coder, memo=coding.memo, origin=coding.origin,
                     text=text[coding.start:coding.end], created_at=coding.created_at)


@router.get("/frameworks")
def list_frameworks() -> list[dict[str, Any]]:
    """The frameworks a project can be created from."""
    return [{"id": f.id, "name": f.name, "version": f.version, "codes": sum(1 for _ in f.walk())}
            for f in available_frameworks().values()]


@router.get("/frameworks/{framework_id}")
def show_framework(framework_id: str) -> dict[str, Any]:
    """A framework's codes as a tree."""
    try:
        return get_framework(framework_id).as_tree()
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc


@router.post("/projects", status_code=201)
def create_project(body: ProjectIn, session: SessionDep, user: UserDep) -> ProjectOut:
    """Create a project with its own copy of a framework's codebook."""
    try:
        framework = get_framework(body.framework)
    except KeyError as exc:
        raise HTTPException(422, str(exc.args[0])) from exc
    project = store.create_project(session, name=body.name, framework=framework, user=user,
                                   description=body.description,
                                   include_groups=None if body.optional_groups else [])
    return _project_out(project)


@router.get("/projects")
def list_projects(request: Request, session: SessionDep, user: UserDep) -> list[ProjectOut]:
    """The projects the caller is a member of."""
    local = request.app.state.settings.single_user and request.state.auth != "token"
    projects = store.list_projects(session) if local else accounts.member_projects(session, user=user)
    return [_project_out(p) for p in projects]


@router.get("/projects/{project_id}")
def show_project(access: ProjectDep) -> ProjectOut:
    """One project."""
    return _project_out(access.project)


@router.get("/projects/{project_id}/codes")
def list_codes(session: SessionDep, access: ProjectDep) -> list[CodeOut]:
    """The project's codebook in order; `id` is the stable key used by codings."""
    return [code_out(c) for c in store.project_codes(session, project_id=access.project.id)]


@router.post("/projects/{project_id}/documents", status_code=201, responses={
    202: {"model": api_jobs.JobAccepted, "description": "a big file: imported as a job, poll its status_url"}})
def import_document(request: Request, session: SessionDep, access: LeadDep, background: BackgroundTasks,
                    file: Annotated[UploadFile, File(description="a .txt, .md, .docx, .odt, .vtt or .srt transcript")],
                    participant: Annotated[Optional[str], Form(examples=["PV44"])] = None,
                    attributes: Annotated[Optional[str], Form(description='JSON object, e.g. {"approach": "online"}')] = None) -> DocumentOut:
    """Import one transcript; a refused file stores nothing. A file over the job threshold answers 202 with a
    job to poll instead (a refusal then fails the job, with the reason)."""
    parsed: dict[str, str] = {}
    if attributes:
        try:
            parsed = json.loads(attributes)
        except json.JSONDecodeError as exc:
            raise store.Invalid(f'attributes must be a JSON object such as {{"approach": "online"}} ({exc.msg})') from exc
        if not isinstance(parsed, dict) or not all(isinstance(v, (str, int, float)) for v in parsed.values()):
            raise store.Invalid('attributes must be a JSON object of names and text values, such as {"approach": "online"}')
    settings = request.app.state.settings
    name, limits = file.filename or "upload.txt", settings.limits()
    if work.big_upload([file.size or 0], settings.thresholds()):
        job = work.import_document(request.app.state.jobs, session, project_id=access.project.id, user=access.user,
                                   name=name, data=read_bounded(file.file, name, limits.upload_bytes),
                                   participant=participant, attributes=parsed, limits=limits, local=access.local)
        return JSONResponse(api_jobs.accepted(job).model_dump(), status_code=202)
    document = batch_import.import_one(session, project_id=access.project.id, user=access.user, name=name,
                                       data=file.file, participant=participant, attributes=parsed, limits=limits)
    encoding.after_import(background, request.app, documents=[document], user=access.user, local=access.local)
    return _document_out(session, document)


class SurveyOut(BaseModel):
    """What a survey import stored."""

    respondents: int
    documents: list[int] = Field(description="the ids of the survey documents made")


@router.post("/projects/{project_id}/survey", status_code=201, responses={
    422: {"description": "the file or the columns are refused, saying what and where; nothing is stored"}})
def import_survey(request: Request, session: SessionDep, access: LeadDep,
                  file: Annotated[UploadFile, File(description="a CSV or .xlsx: a header row, a row per respondent")],
                  respondent: Annotated[str, Form(description="the column holding each respondent's id")],
                  answers: Annotated[list[str], Form(description="the columns of answers to code")],
                  attributes: Annotated[list[str], Form(description="columns to keep as the respondent's "
                                                                   "attributes")] = [],
                  per: Annotated[str, Form(description="one document per 'respondent' or per 'question'")] =
                  "respondent") -> SurveyOut:
    """Import open-text survey answers in one step: each respondent a participant, their answers survey
    documents to code; all of it, or on any refusal nothing."""
    name, limits = file.filename or "survey.csv", request.app.state.settings.limits()
    table = survey.read_table(name, read_bounded(file.file, name, limits.upload_bytes), limits)
    made = survey.import_survey(session, project_id=access.project.id, user=access.user, table=table,
                                respondent=respondent, answers=answers, attributes=attributes, per=per)
    return SurveyOut(respondents=len(table.rows), documents=[d.id for d in made])


def _document_out(session, document: Document) -> DocumentOut:
    participant = store.document_participant(session, document=document)
    turns = [TurnOut(speaker=t.speaker, start=t.start, end=t.end, cue_start_ms=t.cue_start_ms,
                     cue_end_ms=t.cue_end_ms, interviewer=t.speaker in document.interviewer_speakers,
                     interpreted=t.speaker in document.interpreted_speakers)
             for t in store.document_turns(session, document_id=document.id)]
    return DocumentOut(**_summary(document, participant), text=document.text, turns=turns,
                       participant_attributes=participant.attributes if participant else {},
                       interviewer_speakers=document.interviewer_speakers,
                       interpreted_speakers=document.interpreted_speakers)


@router.get("/projects/{project_id}/documents")
def list_documents(session: SessionDep, access: ProjectDep, scope: ScopeDep) -> list[DocumentSummary]:
    """The project's documents (for a coder, those assigned to them)."""
    people = {p.id: p for p in store.list_participants(session, project_id=access.project.id)}
    documents = scope.documents_of(store.list_documents(session, project_id=access.project.id))
    return [DocumentSummary(**_summary(d, people.get(d.participant_id))) for d in documents]


@router.get("/documents/{document_id}")
def show_document(session: SessionDep, target: DocumentDep) -> DocumentOut:
    """A document's text, its turns (code-point offsets) and its participant."""
    return _document_out(session, target.document)


@router.post("/documents/{document_id}/codings", status_code=201)
def add_coding(body: CodingIn, session: SessionDep, target: CoderDocumentDep) -> CodingOut:
    """Code the span [start, end) of the document, in code points, in the caller's own layer."""
    document, user = target.document, target.access.user
    code = store.get_code(session, project_id=document.project_id, key=body.code_id)
    coding = store.add_coding(session, document=document, code=code, user=user, start=body.start, end=body.end,
                              memo=body.memo)
    return coding_out(coding, code.key, user.shown_name, document.text)


@router.get("/projects/{project_id}/codings")
def list_codings(session: SessionDep, access: ProjectDep, scope: ScopeDep) -> list[CodingOut]:
    """Every live coding of the project the caller may see (a coder in a blind project: their own)."""
    project = access.project
    codes = {c.id: c.key for c in store.project_codes(session, project_id=project.id)}
    owners = store.layer_owners(session, project_id=project.id)
    documents = {d.id: d for d in store.list_documents(session, project_id=project.id)}
    found = []
    for c in store.project_coding_records(session, project_id=project.id):
        if not scope.sees(c):
            continue
        coder = owners[c.layer_id].shown_name if c.layer_id in owners else "Consensus"
        found.append(coding_out(c, codes[c.code_id], coder, documents[c.document_id].text))
    return found


@router.delete("/codings/{coding_id}", status_code=204)
def delete_coding(session: SessionDep, target: CodingDep) -> Response:
    """Remove one of your codings (kept in the event log; you can undo it)."""
    store.remove_coding(session, coding=target.coding, user=target.access.user)
    return Response(status_code=204)


@router.put("/projects/{project_id}/participants/{label}")
def set_participant(label: Annotated[str, Path(min_length=1, max_length=80)], body: AttributesIn, session: SessionDep, access: LeadDep) -> ParticipantOut:
    """Set attributes of a participant (created if new); an empty value removes an attribute."""
    person = store.set_attributes(session, project_id=access.project.id, user=access.user,
                                  rows=[(label, body.attributes)])[0]
    return ParticipantOut(label=person.label, attributes=person.attributes)


@router.get("/projects/{project_id}/participants")
def list_participants(session: SessionDep, access: ProjectDep, scope: ScopeDep) -> list[ParticipantOut]:
    """The project's participants with their attributes (for a coder, those of their transcripts)."""
    return [ParticipantOut(label=p.label, attributes=p.attributes)
            for p in visibility.participants(session, project_id=access.project.id, scope=scope)]


def _erased(request: Request, tombstone, user) -> ErasedOut:
    erasure.scrub(request.app.state.engine)
    return ErasedOut(kind=tombstone.kind, name=tombstone.payload["name"], by=user.name, at=tombstone.at,
                     codings=tombstone.payload["codings"])


@router.delete("/documents/{document_id}")
def erase_document(request: Request, body: EraseIn, session: SessionDep, target: LeadDocumentDep) -> ErasedOut:
    """Erase a transcript for good (lead only): its text, turns, codings and log; the log keeps a tombstone."""
    user = target.access.user
    return _erased(request, erasure.erase_document(session, document=target.document, user=user,
                                                   confirm=body.confirm, media=request.app.state.settings.media,
                                                   job_results=request.app.state.jobs.folder), user)


@router.delete("/projects/{project_id}")
def erase_project(request: Request, body: EraseIn, session: SessionDep, access: LeadDep) -> ErasedOut:
    """Erase a whole project for good (lead only); a tombstone without any text stays for administrators."""
    return _erased(request, erasure.erase_project(session, project=access.project, user=access.user,
                                                  confirm=body.confirm, media=request.app.state.settings.media,
                                                  job_results=request.app.state.jobs.folder),
                   access.user)
