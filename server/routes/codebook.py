"""The project codebook: browse, add, rename, redefine, retire, restore, merge and move codes."""

from typing import Annotated, Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from coding import store
from coding.codebook import codetree
from coding.team import accounts, visibility
from server.deps import LeadDep, ProjectDep, SessionDep

router = APIRouter(tags=["pages"], include_in_schema=False)
FORM_STATUS = {store.Conflict: 409, store.Invalid: 422}


def _codebook(request: Request, session, access, template: str = "pages/codebook.html", status: int = 200, **extra):
    codes = store.project_codes(session, project_id=access.project.id)
    undo_hint = store.undo_hint(session, project_id=access.project.id, user=access.user, document_id=store.CODEBOOK)
    scope = visibility.scope_for(session, project=access.project, user=access.user, role=access.role)
    counts = visibility.code_counts(session, project_id=access.project.id, scope=scope)
    return request.app.state.templates.TemplateResponse(
        request, template, {"project": access.project, "codes": codes, "access": access, "undo_hint": undo_hint,
                            "lineage": codetree.lineages(codes), "counts": counts, **extra}, status_code=status)


@router.get("/projects/{project_id}/codebook", response_class=HTMLResponse)
def codebook(request: Request, session: SessionDep, access: ProjectDep):
    return _codebook(request, session, access)


@router.post("/projects/{project_id}/codebook/undo", response_class=HTMLResponse)
def undo_codebook_change(request: Request, session: SessionDep, access: ProjectDep):
    event = accounts.undo(session, project_id=access.project.id, user=access.user, role=access.role,
                          document_id=store.CODEBOOK)
    message = store.undone_message(session, event=event) + "." if event else "Nothing to undo in the codebook."
    return _codebook(request, session, access, "partials/codebook/tree.html", message=message)


@router.post("/projects/{project_id}/codes", response_class=HTMLResponse)
def add_code(request: Request, session: SessionDep, access: LeadDep,
             name: Annotated[str, Form()], parent: Annotated[str, Form()] = "",
             definition: Annotated[str, Form()] = ""):
    try:
        code = store.add_code(session, project_id=access.project.id, user=access.user, name=name,
                              parent_key=parent or None, definition=definition)
    except (store.Conflict, store.Invalid) as refused:
        return _codebook(request, session, access, "partials/codebook/tree.html", FORM_STATUS[type(refused)],
                         error=str(refused), entered={"name": name, "parent": parent, "definition": definition})
    return _codebook(request, session, access, "partials/codebook/tree.html", message=f"Added {code.name}.",
                     added=code.key)


@router.post("/projects/{project_id}/codes/{key:path}", response_class=HTMLResponse)
def edit_code(request: Request, session: SessionDep, access: LeadDep, key: str,
              name: Annotated[Optional[str], Form()] = None, definition: Annotated[Optional[str], Form()] = None,
              colour: Annotated[Optional[str], Form()] = None, retired: Annotated[Optional[bool], Form()] = None,
              memo: Annotated[Optional[str], Form()] = None):
    code = store.get_code(session, project_id=access.project.id, key=key)
    changes = {k: v for k, v in {"name": name, "definition": definition, "colour": colour,
                                 "retired": retired, "memo": memo}.items() if v is not None}
    store.update_code(session, code=code, user=access.user, **changes)
    return _codebook(request, session, access, "partials/codebook/tree.html", message=f"Saved {code.name}.")


@router.post("/projects/{project_id}/merge", response_class=HTMLResponse)
def merge_code(request: Request, session: SessionDep, access: LeadDep, code: Annotated[str, Form()],
               into: Annotated[str, Form()]):
    try:
        counts = store.merge_code(session, project_id=access.project.id, user=access.user, source_key=code,
                                  target_key=into)
    except (store.Conflict, store.Invalid) as refused:
        return _codebook(request, session, access, "partials/codebook/tree.html", FORM_STATUS[type(refused)],
                         error=str(refused), failed=code)
    return _codebook(request, session, access, "partials/codebook/tree.html", added=into,
                     message=f"Merged {code} into {into}: {counts['recoded']} coding(s) recoded, "
                             f"{counts['doubles_removed']} double(s) removed; {code} is retired.")


@router.post("/projects/{project_id}/move", response_class=HTMLResponse)
def move_code(request: Request, session: SessionDep, access: LeadDep, code: Annotated[str, Form(max_length=200)],
              parent: Annotated[str, Form(max_length=200)] = ""):
    try:
        moved = store.move_code(session, project_id=access.project.id, user=access.user, key=code,
                                parent_key=parent or None)
    except (store.Conflict, store.Invalid) as refused:
        return _codebook(request, session, access, "partials/codebook/tree.html", FORM_STATUS[type(refused)],
                         error=str(refused), move_failed=code)
    where = store.get_code(session, project_id=access.project.id, key=moved.parent_key).name if moved.parent_key \
        else None
    return _codebook(request, session, access, "partials/codebook/tree.html", added=moved.key,
                     message=f"Moved {moved.name} " + (f"under {where}." if where else "to the top level."))
