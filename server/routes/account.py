"""Signing in and out, first-run set-up of an administrator, and a user's own API tokens."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coding import accounts
from server import auth
from server.deps import Id, SessionDep, UserDep

public = APIRouter(tags=["pages"], include_in_schema=False)
router = APIRouter(tags=["pages"], include_in_schema=False)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def _signed_in(request: Request, user_id: int, target: str) -> Response:
    response = RedirectResponse(_safe_next(target), status_code=303)
    auth.write_session(request, response, auth.new_session(user_id))
    return response


@public.get("/login", response_class=HTMLResponse)
def login_page(request: Request, session: SessionDep, next: str = "/"):
    if request.app.state.settings.single_user:
        return RedirectResponse("/", status_code=303)
    if not accounts.has_admin(session):
        return RedirectResponse("/setup", status_code=303)
    return _page(request, "pages/login.html", next=_safe_next(next))


@public.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, name: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/"):
    if auth.cross_site(request):
        raise auth.Forbidden("a sign-in from another site was refused")
    address = request.client.host if request.client else "unknown"
    try:
        user = accounts.sign_in(session, name=name.strip(), password=password, address=address)
    except accounts.SignInRefused as exc:
        return _page(request, "pages/login.html", 401, error=str(exc), name=name, next=_safe_next(next))
    except accounts.Throttled as exc:
        return _page(request, "pages/login.html", 429, error=str(exc), name=name, next=_safe_next(next))
    return _signed_in(request, user.id, next)


@public.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request, session: SessionDep):
    if request.app.state.settings.single_user or accounts.has_admin(session):
        return RedirectResponse("/login", status_code=303)
    return _page(request, "pages/setup.html")


@public.post("/setup", response_class=HTMLResponse)
def setup(request: Request, session: SessionDep, name: Annotated[str, Form()], password: Annotated[str, Form()],
          confirm: Annotated[str, Form()], display_name: Annotated[str, Form()] = ""):
    if request.app.state.settings.single_user or accounts.has_admin(session):
        raise auth.Forbidden("this server already has an administrator")
    if auth.cross_site(request):
        raise auth.Forbidden("a request from another site was refused")
    if password != confirm:
        return _page(request, "pages/setup.html", 422, error="the two passwords differ", name=name)
    try:
        user = accounts.create_user(session, name=name, password=password, display_name=display_name, admin=True)
    except ValueError as exc:
        return _page(request, "pages/setup.html", 422, error=str(exc), name=name)
    return _signed_in(request, user.id, "/")


@router.post("/logout")
def logout(request: Request, user: UserDep):
    response = RedirectResponse("/login", status_code=303)
    response.headers["HX-Redirect"] = "/login"
    auth.write_session(request, response, None)
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep, user: UserDep):
    return _page(request, "pages/account.html", user=user, tokens=accounts.list_tokens(session, user=user))


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, session: SessionDep, user: UserDep, name: Annotated[str, Form()] = "script"):
    plain, _ = accounts.create_token(session, user=user, name=name)
    return _page(request, "pages/account.html", user=user, tokens=accounts.list_tokens(session, user=user),
                 new_token=plain)


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, session: SessionDep, user: UserDep, token_id: Id):
    accounts.revoke_token(session, user=user, token_id=token_id)
    return _page(request, "pages/account.html", user=user, tokens=accounts.list_tokens(session, user=user))
