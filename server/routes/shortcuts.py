"""A coder's number keys: pinning a code to 1–9 from the document page's palette."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from coding import store
from coding.workspace import shortcuts
from server.deps import CoderDep, SessionDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.post("/projects/{project_id}/shortcuts", response_class=HTMLResponse)
def pin(request: Request, session: SessionDep, access: CoderDep,
        slot: Annotated[int, Form()], code: Annotated[str, Form(max_length=200)] = ""):
    project_id = access.project.id
    taken = shortcuts.pin(session, user=access.user, project_id=project_id, number=slot, key=code)
    name = next((s.code.name for s in taken if s.number == slot), None)
    return request.app.state.templates.TemplateResponse(request, "partials/document/shortcuts.html", {
        "project_id": project_id, "shortcuts": taken, "codes": store.project_codes(session, project_id=project_id),
        "message": f"Key {slot} now codes {name}" if name else f"Key {slot} is free"})
