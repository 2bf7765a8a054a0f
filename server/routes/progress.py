"""A coder's status on a transcript, the transcript memos, and the project's Memos page."""

from typing import Annotated, Optional, Union

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import AliasChoices, BaseModel, Field

from coding import store
from coding.exchange import downloads
from coding.exchange.memos_docx import memos_docx
from coding.team import progress, visibility
from server.deps import (Access, CoderDocumentDep, DocumentAccess, DocumentDep, ForProject, Id, ProjectDep, ScopeDep,
                         SessionDep)
from server.routes.quotes import DOCX, _download

router = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])
CoderDep = Annotated[Access, Depends(ForProject("coder"))]


ASK = object()  # status_context's undo_hint when the caller does not have it


def status_context(request: Request, session, target: DocumentAccess, *, scope: Optional[visibility.Scope] = None,
                   undo_hint: Union[str, None, object] = ASK) -> dict:
    """What partials/document/status.html needs: the reader's status, the others' they may see, the memos (and
    the Undo button's label: `undo_hint`, None when there is nothing to undo, looked up unless the caller has it)."""
    access, document = target.access, target.document
    scope = scope or visibility.scope_for(session, project=access.project, user=access.user, role=access.role)
    alone = request.app.state.settings.single_user
    facts = store.status_facts(session, document_ids=[document.id])
    shown = progress.statuses(session, document_ids=[document.id], scope=scope, user=access.user, alone=alone,
                              facts=facts)
    memos = progress.document_memos(session, document_id=document.id, scope=scope, user=access.user)
    return {"document": document, "access": access, "states": store.STATES,
            "mine": facts.of(document.id, access.user.id),
            "others": [s for s in shown[document.id] if not s.mine],
            "memos": memos,  # the reader's own is among them, unless it is blank
            "own_memo": next((memo for memo, author in memos if author.id == access.user.id), None),
            "memo_limit": store.MEMO_LIMIT,
            "undo_hint": undo_hint if undo_hint is not ASK else store.undo_hint(
                session, project_id=document.project_id, user=access.user, document_id=document.id)}


def _status(request: Request, session, target: DocumentAccess, template: str, status: int = 200, **extra):
    context = {**status_context(request, session, target), "project_id": target.document.project_id, **extra}
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


@router.post("/documents/{document_id}/status", response_class=HTMLResponse)
def set_status(request: Request, session: SessionDep, target: CoderDocumentDep, state: Annotated[str, Form()] = ""):
    try:
        now = store.set_status(session, document=target.document, user=target.access.user, state=state)
    except store.Invalid as refused:
        return _status(request, session, target, "partials/document/progress.html", 422, status_error=str(refused))
    return _status(request, session, target, "partials/document/progress.html",
                   status_message=f"You marked this transcript {now}")


@router.post("/documents/{document_id}/memo", response_class=HTMLResponse)
def write_memo(request: Request, session: SessionDep, target: CoderDocumentDep, text: Annotated[str, Form()] = ""):
    try:
        store.write_document_memo(session, document=target.document, user=target.access.user, text=text)
    except store.Invalid as refused:
        return _status(request, session, target, "partials/document/doc_memo.html", 422, memo_error=str(refused),
                       draft=text[:store.MEMO_LIMIT + 1])
    return _status(request, session, target, "partials/document/doc_memo.html", memo_message="Memo saved")


def _memos(request: Request, session, access: Access, status: int = 200, **extra) -> HTMLResponse:
    memos = store.project_memos(session, project_id=access.project.id)
    history = {memo.id: [e for e in store.memo_history(session, memo=memo) if e.kind == "memo.edited"]
               for memo, _ in memos}
    return request.app.state.templates.TemplateResponse(request, "pages/memos.html", {
        "project": access.project, "access": access, "memos": memos, "history": history,
        "limit": store.MEMO_LIMIT, **extra}, status_code=status)


@router.get("/projects/{project_id}/memos", response_class=HTMLResponse)
def memos_page(request: Request, session: SessionDep, access: ProjectDep):
    return _memos(request, session, access)


@router.get("/projects/{project_id}/export/memos.docx")
def memos_word(session: SessionDep, access: ProjectDep, scope: ScopeDep):
    data = memos_docx(session, project=access.project, scope=scope, user=access.user)
    return _download(data, f"{downloads.file_stem(access.project.name)}-memos.docx", DOCX)


@router.post("/projects/{project_id}/memos")
def add_memo(request: Request, session: SessionDep, access: CoderDep, title: Annotated[str, Form()] = "",
             text: Annotated[str, Form()] = ""):
    try:
        memo = store.add_project_memo(session, project_id=access.project.id, user=access.user, title=title, text=text)
    except store.Invalid as refused:
        return _memos(request, session, access, 422, error=str(refused),
                      entered={"title": title[:300], "text": text[:store.MEMO_LIMIT + 1]})
    return RedirectResponse(f"/projects/{access.project.id}/memos#memo-{memo.id}", status_code=303)


@router.post("/projects/{project_id}/memos/{memo_id}")
def edit_memo(request: Request, session: SessionDep, access: CoderDep, memo_id: Id,
              title: Annotated[str, Form()] = "", text: Annotated[str, Form()] = ""):
    memo = store.get_project_memo(session, project_id=access.project.id, memo_id=memo_id)
    try:
        store.edit_project_memo(session, memo=memo, user=access.user, title=title, text=text)
    except store.Invalid as refused:
        session.rollback()
        return _memos(request, session, access, 422, error=str(refused), editing=memo_id,
                      entered={"title": title[:300], "text": text[:store.MEMO_LIMIT + 1]})
    return RedirectResponse(f"/projects/{access.project.id}/memos#memo-{memo_id}", status_code=303)


class StatusIn(BaseModel):
    state: str = Field(max_length=20, examples=["done"], description="not started, in progress or done",
                       validation_alias=AliasChoices("state", "status"))


class StatusOut(BaseModel):
    coder: str
    name: str
    state: str


def _statuses_out(request: Request, session, target: DocumentAccess) -> list[StatusOut]:
    access = target.access
    scope = visibility.scope_for(session, project=access.project, user=access.user, role=access.role)
    shown = progress.statuses(session, document_ids=[target.document.id], scope=scope, user=access.user,
                              alone=request.app.state.settings.single_user and request.state.auth != "token")
    return [StatusOut(coder=s.user.name, name=s.name, state=s.state) for s in shown[target.document.id]]


@api.get("/documents/{document_id}/status")
def list_statuses(request: Request, session: SessionDep, target: DocumentDep) -> list[StatusOut]:
    """How far each coder of the transcript is, as the caller may see it (a blind coder: only their own)."""
    return _statuses_out(request, session, target)


@api.put("/documents/{document_id}/status")
def put_status(request: Request, body: StatusIn, session: SessionDep, target: CoderDocumentDep) -> list[StatusOut]:
    """Say how far you are with the transcript; only coders who say "done" are compared in agreement."""
    store.set_status(session, document=target.document, user=target.access.user, state=body.state)
    return _statuses_out(request, session, target)
