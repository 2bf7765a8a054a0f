"""The JSON API of the coding pages: codebook edits, memos, codings by layer, editing a coding, undo per
transcript and number keys (included in the /api router of api_team)."""

from datetime import datetime
from typing import Annotated, Optional

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, StrictInt, model_validator

from coding import store
from coding.store import MEMO_LIMIT
from coding.team import accounts, progress, visibility
from coding.workspace import layers, shortcuts
from server.deps import (ID_MAX, Access, CoderDep, CoderDocumentDep, CodingDep, DocumentAccess, DocumentDep, Id,
                         LeadDep, ProjectDep, SessionDep, visible_layers)
from server.routes.api import CodeOut, CodingOut, code_out, coding_out

router = APIRouter()  # its routes take the tag and prefix of api_team's router


def answers(*statuses: int) -> dict:
    """The `responses=` of a route: 401 and the given statuses, with what each means."""
    meaning = {401: "no API token or session", 403: "your role in the project does not allow it",
               404: "no such project, transcript, coding, code or user that you may see",
               409: "it clashes with what is stored", 422: "the request names a field that is not valid"}
    return {status: {"description": meaning[status]} for status in (401, *statuses)}


READ = answers(404)
CHANGE = answers(403, 404, 409, 422)
Key = Annotated[str, Path(min_length=1, max_length=200, description="a code key", examples=["safety"])]


# --- the codebook -----------------------------------------------------------------------------------

class CodeIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Feeling heard"])
    parent: Optional[str] = Field(default=None, max_length=200, examples=["safety"],
                                  description="the key of the code to put it under; none for the top level")
    definition: str = Field(default="", max_length=MEMO_LIMIT)
    colour: Optional[str] = Field(default=None, max_length=20, examples=["#2a7ab0"])


class CodeChange(BaseModel):
    name: Optional[str] = Field(default=None, min_length=1, max_length=200)
    definition: Optional[str] = Field(default=None, max_length=MEMO_LIMIT)
    colour: Optional[str] = Field(default=None, max_length=20, examples=["#2a7ab0"])
    memo: Optional[str] = Field(default=None, max_length=MEMO_LIMIT,
                                description="the team's reflections on the code (a chapter draft's final reflections)")

    @model_validator(mode="after")
    def anything(self):
        if self.name is None and self.definition is None and self.colour is None and self.memo is None:
            raise ValueError("say what to change: name, definition, colour or memo")
        return self


class MoveIn(BaseModel):
    parent: Optional[str] = Field(max_length=200, examples=["safety"],
                                  description="the key of the new parent; null for the top level")


class MergeIn(BaseModel):
    into: str = Field(min_length=1, max_length=200, examples=["safety"], description="the key of the code kept")


class MergeOut(BaseModel):
    recoded: int
    doubles_removed: int
    codes: list[CodeOut]


class UndoOut(BaseModel):
    undone: Optional[str] = Field(None, description="what was undone; null when there was nothing to undo")
    next: Optional[str] = Field(None, description="what Undo would undo now, or null")


class UndoHint(BaseModel):
    next: Optional[str] = Field(None, description="what Undo would undo, or null")


def _codes(session, access: Access) -> list[CodeOut]:
    return [code_out(c) for c in store.project_codes(session, project_id=access.project.id)]


def _changed(session, access: Access, key: str, **changes) -> CodeOut:
    code = store.get_code(session, project_id=access.project.id, key=key)
    return code_out(store.update_code(session, code=code, user=access.user, **changes))


@router.post("/projects/{project_id}/codes", status_code=201, responses=CHANGE)
def add_code(body: CodeIn, session: SessionDep, access: LeadDep) -> CodeOut:
    """Add a code of the team's own (its key is made from its name and never changes)."""
    return code_out(store.add_code(session, project_id=access.project.id, user=access.user, name=body.name,
                                   parent_key=body.parent or None, definition=body.definition, colour=body.colour))


@router.patch("/projects/{project_id}/codes/{key:path}", responses=CHANGE)
def edit_code(key: Key, body: CodeChange, session: SessionDep, access: LeadDep) -> CodeOut:
    """Rename, redefine or recolour a code, or write its memo; its key stays."""
    return _changed(session, access, key, **body.model_dump(exclude_none=True))


@router.post("/projects/{project_id}/codes/{key:path}/retire", responses=CHANGE)
def retire_code(key: Key, session: SessionDep, access: LeadDep) -> CodeOut:
    """Retire a code: its codings stay, nobody can apply it until it is restored."""
    return _changed(session, access, key, retired=True)


@router.post("/projects/{project_id}/codes/{key:path}/restore", responses=CHANGE)
def restore_code(key: Key, session: SessionDep, access: LeadDep) -> CodeOut:
    """Bring a retired code back."""
    return _changed(session, access, key, retired=False)


@router.post("/projects/{project_id}/codes/{key:path}/move", responses=CHANGE)
def move_code(key: Key, body: MoveIn, session: SessionDep, access: LeadDep) -> CodeOut:
    """Put a code (with its sub-codes) under another code, or at the top level; keys do not change."""
    return code_out(store.move_code(session, project_id=access.project.id, user=access.user, key=key,
                                    parent_key=body.parent or None))


@router.post("/projects/{project_id}/codes/{key:path}/merge", responses=CHANGE)
def merge_code(key: Key, body: MergeIn, session: SessionDep, access: LeadDep) -> MergeOut:
    """Recode every coding of this code to `into` (in every layer) and retire this one."""
    counts = store.merge_code(session, project_id=access.project.id, user=access.user, source_key=key,
                              target_key=body.into)
    return MergeOut(recoded=counts["recoded"], doubles_removed=counts["doubles_removed"], codes=_codes(session, access))


@router.get("/projects/{project_id}/codebook/undo", responses=READ)
def codebook_undo_hint(session: SessionDep, access: ProjectDep) -> UndoHint:
    """What the codebook's Undo would undo of your changes."""
    return UndoHint(next=store.undo_hint(session, project_id=access.project.id, user=access.user,
                                         document_id=store.CODEBOOK))


@router.post("/projects/{project_id}/codebook/undo", responses=CHANGE)
def codebook_undo(session: SessionDep, access: ProjectDep) -> UndoOut:
    """Undo your last codebook change, as the codebook page's Undo does."""
    event = accounts.undo(session, project_id=access.project.id, user=access.user, role=access.role,
                          document_id=store.CODEBOOK)
    return UndoOut(undone=store.undone_message(session, event=event) if event else None,
                   next=store.undo_hint(session, project_id=access.project.id, user=access.user,
                                        document_id=store.CODEBOOK))


# --- memos ------------------------------------------------------------------------------------------

class MemoIn(BaseModel):
    text: str = Field(max_length=MEMO_LIMIT, description="the memo; empty to clear yours")


class DocumentMemoOut(BaseModel):
    author: str
    text: str
    updated_at: datetime
    mine: bool


class ProjectMemoIn(BaseModel):
    title: str = Field(min_length=1, max_length=200, examples=["Emerging themes"])
    text: str = Field(default="", max_length=MEMO_LIMIT)


class ProjectMemoOut(BaseModel):
    id: int
    title: str
    text: str
    author: str
    updated_at: datetime


def _document_memos(session, target: DocumentAccess) -> list[DocumentMemoOut]:
    access = target.access
    scope = visibility.scope_for(session, project=access.project, user=access.user, role=access.role)
    return [DocumentMemoOut(author=author.name, text=memo.text, updated_at=memo.updated_at, mine=author.id == access.user.id)
            for memo, author in progress.document_memos(session, document_id=target.document.id, scope=scope,
                                                        user=access.user)]


@router.get("/documents/{document_id}/memo", responses=READ)
def list_document_memos(session: SessionDep, target: DocumentDep) -> list[DocumentMemoOut]:
    """The transcript's memos you may read (in a blind project a coder reads only their own until reveal)."""
    return _document_memos(session, target)


@router.put("/documents/{document_id}/memo", responses=CHANGE)
def put_document_memo(body: MemoIn, session: SessionDep, target: CoderDocumentDep) -> list[DocumentMemoOut]:
    """Write or replace your memo on the transcript (an empty text clears it; the log keeps the old one)."""
    store.write_document_memo(session, document=target.document, user=target.access.user, text=body.text)
    return _document_memos(session, target)


def _project_memo_out(memo, author) -> ProjectMemoOut:
    return ProjectMemoOut(id=memo.id, title=memo.title, text=memo.text, author=author.name, updated_at=memo.updated_at)


@router.get("/projects/{project_id}/memos", responses=READ)
def list_project_memos(session: SessionDep, access: ProjectDep) -> list[ProjectMemoOut]:
    """The project's titled memos, as on the Memos page."""
    return [_project_memo_out(m, a) for m, a in store.project_memos(session, project_id=access.project.id)]


@router.post("/projects/{project_id}/memos", status_code=201, responses=CHANGE)
def add_project_memo(body: ProjectMemoIn, session: SessionDep, access: CoderDep) -> ProjectMemoOut:
    """Write a new titled memo on the project (coders and leads)."""
    memo = store.add_project_memo(session, project_id=access.project.id, user=access.user, title=body.title,
                                  text=body.text)
    return _project_memo_out(memo, access.user)


@router.put("/projects/{project_id}/memos/{memo_id}", responses=CHANGE)
def edit_project_memo(memo_id: Id, body: ProjectMemoIn, session: SessionDep, access: CoderDep) -> ProjectMemoOut:
    """Change the title and text of a project memo you wrote."""
    memo = store.get_project_memo(session, project_id=access.project.id, memo_id=memo_id)
    store.edit_project_memo(session, memo=memo, user=access.user, title=body.title, text=body.text)
    return _project_memo_out(memo, access.user)


# --- codings by layer, editing one, undo per transcript ---------------------------------------------

class LayeredCodingOut(CodingOut):
    layer: str = Field(examples=["coder:3"], description='"consensus" or "coder:<user id>" (the id in /members)')


class CodingChange(BaseModel):
    memo: Optional[str] = Field(default=None, max_length=MEMO_LIMIT)
    start: Optional[StrictInt] = Field(default=None, ge=0, le=ID_MAX, description="new first code point")
    end: Optional[StrictInt] = Field(default=None, gt=0, le=ID_MAX, description="new code point after the passage")
    code_id: Optional[str] = Field(default=None, min_length=1, max_length=200, description="a code key to recode to")

    @model_validator(mode="after")
    def whole(self):
        if (self.start is None) != (self.end is None):
            raise ValueError("start and end: give both to move a coding's span")
        if self.memo is None and self.start is None and self.code_id is None:
            raise ValueError("say what to change: memo, start and end, or code_id")
        return self


def _layered(session, document, found) -> list[LayeredCodingOut]:
    codes = {c.id: c.key for c in store.project_codes(session, project_id=document.project_id)}
    owners = store.layer_owners(session, project_id=document.project_id)
    names = layers.script_values(session, project_id=document.project_id)
    return [LayeredCodingOut(**coding_out(c, codes[c.code_id], owners[c.layer_id].shown_name if c.layer_id in owners
                                          else "Consensus", document.text).model_dump(), layer=names[c.layer_id])
            for c in found]


@router.get("/documents/{document_id}/codings", responses=answers(404, 422))
def list_document_codings(session: SessionDep, target: DocumentDep,
                          layer: Annotated[str, Query(max_length=120, examples=["coder:3"],
                                                      description="all, consensus or coder:<user id>")] = "all"
                          ) -> list[LayeredCodingOut]:
    """The transcript's live codings in the layer asked for, of those you may see (a blind coder: their own)."""
    document = target.document
    wanted = layers.choice_values(session, project_id=document.project_id, choice=layer)
    shown = layers.chosen(session, document=document, allowed=visible_layers(session, target), wanted=wanted)
    return _layered(session, document, store.document_codings(session, document_id=document.id, layers=shown))


@router.patch("/codings/{coding_id}", responses=CHANGE)
def edit_coding(body: CodingChange, session: SessionDep, target: CodingDep) -> LayeredCodingOut:
    """Change one of your codings: its memo, its span [start, end) (trimmed of white space) and/or its code;
    each change is its own undoable event, and on any refusal none is stored."""
    coding, document = target.coding, target.document
    code = store.get_code(session, project_id=document.project_id, key=body.code_id) if body.code_id else None
    span = store.span_asked(session, document, None, body.start, body.end) if body.start is not None else None
    store.edit_coding(session, coding=coding, user=target.access.user, memo=body.memo, span=span, code=code)
    return _layered(session, document, [coding])[0]


def _document_undo_hint(session, target: DocumentAccess) -> Optional[str]:
    return store.undo_hint(session, project_id=target.document.project_id, user=target.access.user,
                           document_id=target.document.id)


@router.get("/documents/{document_id}/undo", responses=READ)
def document_undo_hint(session: SessionDep, target: DocumentDep) -> UndoHint:
    """What the transcript's Undo would undo of your changes on it."""
    return UndoHint(next=_document_undo_hint(session, target))


@router.post("/documents/{document_id}/undo", responses=CHANGE)
def document_undo(session: SessionDep, target: DocumentDep) -> UndoOut:
    """Undo your last change on the transcript, as its page's Undo does (while your role still allows it)."""
    access = target.access
    event = accounts.undo(session, project_id=access.project.id, user=access.user, role=access.role,
                          document_id=target.document.id)
    return UndoOut(undone=store.undone_message(session, event=event) if event else None,
                   next=_document_undo_hint(session, target))


@router.get("/projects/{project_id}/undo", responses=READ)
def project_undo_hint(session: SessionDep, access: ProjectDep) -> UndoHint:
    """What Undo across the whole project would undo: your last change anywhere in it (on any transcript or
    in the codebook)."""
    return UndoHint(next=store.undo_hint(session, project_id=access.project.id, user=access.user))


@router.post("/projects/{project_id}/undo", responses=CHANGE)
def project_undo(session: SessionDep, access: ProjectDep) -> UndoOut:
    """Undo your last change anywhere in the project (while your role still allows it), as the project's
    Undo does; the transcript and codebook routes undo only there."""
    event = accounts.undo(session, project_id=access.project.id, user=access.user, role=access.role)
    return UndoOut(undone=store.undone_message(session, event=event) if event else None,
                   next=store.undo_hint(session, project_id=access.project.id, user=access.user))


# --- number keys ------------------------------------------------------------------------------------

class ShortcutIn(BaseModel):
    slot: StrictInt = Field(ge=1, le=shortcuts.SLOTS, description="the number key, 1 to 9")
    code: str = Field(default="", max_length=200, examples=["safety"], description="a code key; empty frees the key")


class ShortcutOut(BaseModel):
    slot: int
    code: str
    name: str


def _slots(found) -> list[ShortcutOut]:
    return [ShortcutOut(slot=s.number, code=s.code.key, name=s.code.name) for s in found]


@router.get("/projects/{project_id}/shortcuts", responses=answers(403, 404))
def list_shortcuts(session: SessionDep, access: CoderDep) -> list[ShortcutOut]:
    """Your number keys in this project: which code each key applies (free keys are left out)."""
    return _slots(shortcuts.coder_slots(session, user=access.user, project_id=access.project.id))


@router.post("/projects/{project_id}/shortcuts", responses=CHANGE)
def pin_shortcut(body: ShortcutIn, session: SessionDep, access: CoderDep) -> list[ShortcutOut]:
    """Pin a live code to a number key (or free the key); answers all your keys."""
    return _slots(shortcuts.pin(session, user=access.user, project_id=access.project.id, number=body.slot,
                                key=body.code))
