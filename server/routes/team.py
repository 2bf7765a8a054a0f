"""The administrator's list of users, and a project's team page (members, roles, blind coding)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from coding import store
from coding.analysis import overview
from coding.models import User
from coding.team import accounts, signin
from server import auth
from server.deps import LeadDep, SessionDep, UserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def _require_admin(user) -> None:
    if not user.is_admin:
        raise auth.Forbidden("only an administrator can manage user accounts")


def _users(request: Request, session, status: int = 200, **context) -> HTMLResponse:
    users = store.list_users(session)
    live = signin.live_session_counts(session, user_ids=[u.id for u in users])
    return request.app.state.templates.TemplateResponse(request, "pages/users.html",
                                                        {"users": users, "live": live, **context}, status_code=status)


def _target(session, user_id: int):
    target = session.get(User, user_id)
    if target is None:
        raise store.NotFound(f"no user {user_id}")
    return target


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, user: UserDep):
    _require_admin(user)
    return _users(request, session)


@router.post("/admin/users/{user_id}/sessions/end", response_class=HTMLResponse)
def end_user_sessions(request: Request, session: SessionDep, user: UserDep, user_id: int):
    _require_admin(user)
    target = _target(session, user_id)
    keep = request.state.session_id if target.id == user.id else None
    ended = signin.end_sessions(session, user=target, keep=keep)
    return _users(request, session, message=f"{target.name} is signed out on {ended} browser{'s' if ended != 1 else ''}.")


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
def reset_user_password(request: Request, session: SessionDep, user: UserDep, user_id: int,
                        password: Annotated[str, Form()]):
    _require_admin(user)
    target = _target(session, user_id)
    try:
        signin.reset_password(session, user=target, new=password)
    except ValueError as exc:
        return _users(request, session, 422, error=str(exc))
    return _users(request, session, message=f"{target.name} has a new password and is signed out everywhere.")


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
    return _users(request, session, 422 if error else 200, error=error)


@router.get("/projects/{project_id}/team", response_class=HTMLResponse)
def team_page(request: Request, session: SessionDep, access: LeadDep):
    context = overview.project_overview(session, project=access.project, user=access.user, role=access.role)
    return request.app.state.templates.TemplateResponse(request, "pages/team.html", {**context, "access": access})
