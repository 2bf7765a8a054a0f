"""The administrator's list of users, and a project's team page (members, roles, blind coding)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from coding import accounts, overview, store
from server import auth
from server.deps import LeadDep, SessionDep, UserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def _require_admin(user) -> None:
    if not user.is_admin:
        raise auth.Forbidden("only an administrator can manage user accounts")


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, user: UserDep):
    _require_admin(user)
    return request.app.state.templates.TemplateResponse(request, "pages/users.html",
                                                        {"users": store.list_users(session)})


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(request: Request, session: SessionDep, user: UserDep, name: Annotated[str, Form()],
             password: Annotated[str, Form()], display_name: Annotated[str, Form()] = "",
             admin: Annotated[bool, Form()] = False):
    _require_admin(user)
    error = None
    try:
        accounts.create_user(session, name=name, password=password, display_name=display_name, admin=admin)
    except ValueError as exc:
        error = str(exc)
    return request.app.state.templates.TemplateResponse(
        request, "pages/users.html", {"users": store.list_users(session), "error": error},
        status_code=422 if error else 200)


@router.get("/projects/{project_id}/team", response_class=HTMLResponse)
def team_page(request: Request, session: SessionDep, access: LeadDep):
    context = overview.project_overview(session, project=access.project, user=access.user, role=access.role)
    return request.app.state.templates.TemplateResponse(request, "pages/team.html", {**context, "access": access})
