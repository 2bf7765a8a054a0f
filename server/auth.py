"""Who is asking: signed session cookies, bearer tokens, the local user, and CSRF protection."""

import hmac
from typing import Optional
from urllib.parse import urlsplit

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "peerframe_session"
MAX_AGE = 14 * 24 * 3600
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NotSignedIn(Exception):
    """The request needs a signed-in user (pages redirect to sign-in, the API answers 401)."""


class Forbidden(Exception):
    """The user is known but may not do this."""


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, salt="peerframe-session")


def read_session(request: Request) -> Optional[str]:
    """The session token a signed cookie carries, or None when absent, forged or expired.

    The token only names a session stored on the server; whether that session is still live is the
    database's answer (`signin.session_for_token`), so signing out ends it on every worker.
    """
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 512:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    token = data.get("sid") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def write_session(request: Request, response: Response, token: Optional[str]) -> None:
    """Set (or, given None, clear) the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    if token is None:
        response.delete_cookie(COOKIE, path="/")
        return
    response.set_cookie(COOKIE, _serializer(request).dumps({"sid": token}), max_age=MAX_AGE, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


def bearer_token(request: Request) -> Optional[str]:
    """The token of an `Authorization: Bearer …` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def cross_site(request: Request) -> bool:
    """True when a browser says the request comes from another site."""
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc != request.headers.get("host", "")
    return origin == "null"


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request that a signed-in browser did not mean to send.

    Bearer-token requests carry no ambient credentials and need no token. A request with a session
    cookie must echo the session's CSRF token (header `X-CSRF-Token`, or form field `csrf_token`). A
    request with neither (a script on this machine, in single-user mode) must not come from another site.
    """
    if request.method in SAFE_METHODS or request.state.auth == "token":
        return
    expected = request.state.csrf
    if expected is None:
        if cross_site(request):
            raise Forbidden("a request from another site was refused")
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        sent = (await request.form()).get("csrf_token")
    if not sent or not hmac.compare_digest(str(sent), expected):
        raise Forbidden("this request has no valid CSRF token; reload the page and try again")
