"""The project codebook: browse, add, rename, redefine, retire and restore codes."""

from typing import Annotated, Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from coding import store
from server.deps import ProjectDep, SessionDep, UserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def _codebook(request: Request, session, project, template: str = "pages/codebook.html", **extra):
    codes = store.project_codes(session, project_id=project.id)
    return request.app.state.templates.TemplateResponse(
        request, template, {"project": project, "codes": codes, **extra})


@router.get("/projects/{project_id}/codebook", response_class=HTMLResponse)
def codebook(request: Request, session: SessionDep, project: ProjectDep):
    return _codebook(request, session, project)


@router.post("/projects/{project_id}/codes", response_class=HTMLResponse)
def add_code(request: Request, session: SessionDep, user: UserDep, project: ProjectDep,
             name: Annotated[str, Form()], parent: Annotated[str, Form()] = "",
             definition: Annotated[str, Form()] = ""):
    code = store.add_code(session, project_id=project.id, user=user, name=name, parent_key=parent or None,
                          definition=definition)
    return _codebook(request, session, project, "partials/codebook/tree.html", message=f"Added {code.name}.")


@router.post("/projects/{project_id}/codes/{key:path}", response_class=HTMLResponse)
def edit_code(request: Request, session: SessionDep, user: UserDep, project: ProjectDep, key: str,
              name: Annotated[Optional[str], Form()] = None, definition: Annotated[Optional[str], Form()] = None,
              colour: Annotated[Optional[str], Form()] = None, retired: Annotated[Optional[bool], Form()] = None):
    code = store.get_code(session, project_id=project.id, key=key)
    changes = {k: v for k, v in {"name": name, "definition": definition, "colour": colour,
                                 "retired": retired}.items() if v is not None}
    store.update_code(session, code=code, user=user, **changes)
    return _codebook(request, session, project, "partials/codebook/tree.html", message=f"Saved {code.name}.")
