"""Signing in and out, first-run set-up of an administrator, and a user's own API tokens."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coding import store
from coding.team import accounts, signin
from server import auth
from server.deps import Id, SessionDep, UserDep

public = APIRouter(tags=["pages"], include_in_schema=False)
router = APIRouter(tags=["pages"], include_in_schema=False)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def _signed_in(request: Request, session, user, target: str) -> Response:
    response = RedirectResponse(_safe_next(target), status_code=303)
    plain, _ = signin.start_session(session, user=user)
    auth.write_session(request, response, plain)
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
        user = signin.sign_in(session, name=name.strip(), password=password, address=address)
    except signin.SignInRefused as exc:
        return _page(request, "pages/login.html", 401, error=str(exc), name=name, next=_safe_next(next))
    except signin.Throttled as exc:
        return _page(request, "pages/login.html", 429, error=str(exc), name=name, next=_safe_next(next))
    return _signed_in(request, session, user, next)


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
        user = signin.create_first_admin(session, name=name, password=password, display_name=display_name)
    except store.Conflict:
        raise auth.Forbidden("this server already has an administrator") from None
    except ValueError as exc:
        return _page(request, "pages/setup.html", 422, error=str(exc), name=name)
    return _signed_in(request, session, user, "/")


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: UserDep):
    token = auth.read_session(request)
    if token:
        signin.end_session(session, token=token)
    response = RedirectResponse("/login", status_code=303)
    response.headers["HX-Redirect"] = "/login"
    auth.write_session(request, response, None)
    return response


def _account(request: Request, session, user, status: int = 200, **context) -> HTMLResponse:
    return _page(request, "pages/account.html", status, user=user, tokens=accounts.list_tokens(session, user=user),
                 sessions=signin.live_sessions(session, user=user), **context)


@router.post("/account/profile", response_class=HTMLResponse)
def set_profile(request: Request, session: SessionDep, user: UserDep, text: Annotated[str, Form(max_length=4000)] = "",
                shown: Annotated[bool, Form()] = False):
    """Your own words about drawing on lived experience, shown to your teams only if you choose."""
    try:
        accounts.set_profile(session, user=user, text=text, shown=shown)
    except store.Invalid as refused:
        return _account(request, session, user, 422, profile_error=str(refused))
    return _account(request, session, user, profile_message="Saved." if text.strip() else "Removed.")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, session: SessionDep, user: UserDep, current: Annotated[str, Form()],
                    password: Annotated[str, Form()], confirm: Annotated[str, Form()]):
    if password != confirm:
        return _account(request, session, user, 422, password_error="the two new passwords differ")
    try:
        ended = signin.change_password(session, user=user, current=current, new=password,
                                         keep=request.state.session_id)
    except ValueError as exc:
        return _account(request, session, user, 422, password_error=str(exc))
    return _account(request, session, user, password_message=_ended("Your password is changed", ended))


@router.post("/account/sessions/end", response_class=HTMLResponse)
def end_other_sessions(request: Request, session: SessionDep, user: UserDep):
    ended = signin.end_sessions(session, user=user, keep=request.state.session_id)
    return _account(request, session, user, password_message=_ended("Done", ended))


def _ended(first: str, count: int) -> str:
    if not count:
        return f"{first}; you were not signed in anywhere else."
    return f"{first}; you are signed out on {count} other browser{'s' if count != 1 else ''}."


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep, user: UserDep):
    return _account(request, session, user)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, session: SessionDep, user: UserDep, name: Annotated[str, Form()] = "script"):
    plain, _ = accounts.create_token(session, user=user, name=name)
    return _account(request, session, user, new_token=plain)


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, session: SessionDep, user: UserDep, token_id: Id):
    accounts.revoke_token(session, user=user, token_id=token_id)
    return _account(request, session, user)
