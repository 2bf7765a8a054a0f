"""The application factory."""

import ipaddress
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Optional

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from coding import jobs, store
from coding.analysis import retrieval
from coding.codebook import codetree
from coding.db import make_engine, migrate, session_for
from coding.exchange import survey
from coding.limits import LimitExceeded
from coding.team import accounts, consent, signin
from coding.text import languages, nlp
from coding.text.transcripts import ImportRefused
from coding.workspace import recordings
from server import auth, fragments, headers
from server.body_limit import BodyLimit
from server.deps import csrf_protect
from server.routes import (account, analysis, api, api_analysis, api_jobs, api_team, cases, codebook, documents,
                           erasure, exchange, jobs as job_pages, privacy, progress, projects, quotes, reconciling,
                           journal as journal_routes, meetings as meeting_routes, recordings as recording_routes,
                           shortcuts, suggestions, team, versions as version_routes)
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PROTECTED = (exchange.router, projects.router, documents.router, suggestions.router, codebook.router, quotes.router,
             team.router, reconciling.router, analysis.router, privacy.router, account.router, erasure.router,
             api.router, api_team.router, api_analysis.router, recording_routes.router, progress.router, progress.api,
             shortcuts.router, api_jobs.router, job_pages.router, cases.router, cases.api,
             journal_routes.router, version_routes.router, meeting_routes.router)
STATUS = {store.NotFound: 404, store.Invalid: 422, store.Conflict: 409, ImportRefused: 422, LimitExceeded: 413,
          recordings.UnsupportedMedia: 415, auth.Forbidden: 403, store.NotYours: 403, signin.Throttled: 429}


def _engine(settings: Settings):
    if settings.database_url in ("sqlite://", "sqlite:///:memory:"):
        return create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    return make_engine(settings.database_url)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """Build the whole application: database, templates, routes, sign-in, error handling."""
    settings = settings or Settings()
    engine = _engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    migrate(engine)
    runner = jobs.Runner(engine, Path(settings.jobs_dir), local=settings.jobs_in_process,
                         inline=settings.database_url in ("sqlite://", "sqlite:///:memory:"))
    with session_for(engine) as session:
        jobs.recover(session)  # jobs of a worker that stopped will never finish
    runner.sweep()
    runner.resume()
    threading.Thread(target=nlp.warm_up, name="peerframe-warm-up", daemon=True).start()  # spaCy: a second or two
    threading.Thread(target=signin.decoy_hash, name="peerframe-decoy-hash", daemon=True).start()  # before sign-ins
    if settings.single_user or settings.demo:
        with session_for(engine) as session:
            local = store.ensure_user(session, name=settings.single_user_name, display_name=settings.single_user_name)
            if settings.demo:
                from coding.demo import seed_demo

                seed_demo(session, user=local, single_user=settings.single_user)

    app = FastAPI(title="Peerframe", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Qualitative coding of interview transcripts against a values framework. "
                              "Send an API token as `Authorization: Bearer …` (see `peerframe token create`).")
    app.state.settings = settings
    app.state.engine = engine
    app.state.jobs = runner
    app.state.templates = Jinja2Templates(directory=str(ROOT / "templates"))
    app.state.templates.env.auto_reload = False  # templates change only with a new release (and a restart)
    app.state.templates.env.globals["csrf_token"] = lambda request: getattr(request.state, "csrf", None) or ""
    app.state.templates.env.globals["single_user"] = settings.single_user
    app.state.templates.env.globals.update(consent_of=consent.Consent.of, consent_how=consent.HOW,
                                           document_kinds=consent.DOCUMENT_KINDS, sensitive=consent.SENSITIVE,
                                           survey_roles=survey.ROLES)
    app.state.templates.env.filters["cue_time"] = recordings.cue_time
    app.state.templates.env.filters["quoted"] = retrieval.quoted
    app.state.templates.env.globals["code_depths"] = codetree.depths
    app.state.templates.env.globals["language_name"] = languages.name
    app.state.templates.env.globals["role_label"] = accounts.role_label
    app.state.templates.env.globals["shown_profile"] = accounts.shown_profile
    app.state.templates.env.globals["profile_of"] = accounts.profile
    app.state.templates.env.globals["languages"] = languages.NAMES
    app.state.templates.env.globals["mediation"] = languages.MEDIATION
    app.state.templates.env.globals["palette"] = fragments.palette(app.state.templates.env)
    app.state.templates.env.globals["turn_html"] = fragments.Turns(app.state.templates.env)
    app.state.templates.env.globals["suggestions_panel"] = fragments.suggestions(app.state.templates.env)
    app.mount("/static", StaticFiles(directory=str(ROOT / "static")), name="static")
    if settings.single_user:
        # no sign-in: answer only requests addressed to this machine, so that a web page elsewhere cannot
        # reach the transcripts by pointing its own domain name at 127.0.0.1 (DNS rebinding) ...
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "[::1]", "::1"])
        # ... and only from this machine, however the server was started (uvicorn on 0.0.0.0 included)
        app.add_middleware(LoopbackOnly)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes,
                       larger={"/recording": settings.max_recording_bytes + 1024 * 1024})
    app.include_router(account.public)
    app.include_router(headers.docs)
    for router in PROTECTED:
        app.include_router(router, dependencies=[Depends(csrf_protect)])

    app.add_middleware(headers.Secure)
    for error, status in STATUS.items():
        app.add_exception_handler(error, _error_handler(status))
    app.add_exception_handler(auth.NotSignedIn, _not_signed_in)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(IntegrityError, _clash)
    return app


class LoopbackOnly:
    """Refuse every connection that does not come from this machine (single-user mode has no sign-in)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and not is_loopback((scope.get("client") or ("", 0))[0]):
            response = PlainTextResponse("this Peerframe runs without sign-in, so it answers only this machine",
                                         status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _error_handler(status: int):
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        if _wants_json(request) or request.headers.get("hx-request"):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        templates = request.app.state.templates
        return templates.TemplateResponse(request, "pages/error.html", {"message": str(exc), "status": status},
                                          status_code=status)
    return handle


async def _not_signed_in(request: Request, exc: auth.NotSignedIn):
    if _wants_json(request):
        return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    if request.headers.get("hx-request"):
        # the page stays where it is, so the person's work can be sent again after signing in
        return JSONResponse({"detail": "your session has ended; sign in again"}, status_code=401)
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


async def _unstorable(request: Request, exc: DataError) -> JSONResponse:
    # the database's own message would echo the request's values (and the SQL): name the kinds instead
    return JSONResponse({"detail": "a value in the request cannot be stored or looked up: a number out of range, "
                                   "text too long, or a NUL character"}, status_code=422)


async def _clash(request: Request, exc: IntegrityError) -> JSONResponse:
    # two requests raced to make the same thing and a unique index let only one through
    return JSONResponse({"detail": store.CLASH}, status_code=409)


async def _validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    # the rejected input itself is left out: it may be bytes, or sensitive, and is the caller's own anyway
    errors = [{key: error[key] for key in ("type", "loc", "msg") if key in error} for error in exc.errors()]
    return JSONResponse({"detail": "; ".join(problems) or "the request is not valid", "errors": errors},
                        status_code=422)
