"""The application factory."""

import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from coding import nlp, store
from coding.db import make_engine, migrate, session_for
from coding.transcripts import ImportRefused
from server.routes import api, codebook, documents, projects, quotes, suggestions
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ROUTERS = (projects.router, documents.router, suggestions.router, codebook.router, quotes.router, api.router)
STATUS = {store.NotFound: 404, store.Invalid: 422, store.Conflict: 409, ImportRefused: 422}


def _engine(settings: Settings):
    if settings.database_url in ("sqlite://", "sqlite:///:memory:"):
        return create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    return make_engine(settings.database_url)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """Build the whole application: database, templates, routes, error handling."""
    settings = settings or Settings()
    engine = _engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    migrate(engine)
    threading.Thread(target=nlp.warm_up, name="peerframe-warm-up", daemon=True).start()
    with session_for(engine) as session:
        store.ensure_user(session, name=settings.single_user_name, display_name=settings.single_user_name)
        if settings.demo:
            from coding.demo import seed_demo

            seed_demo(session, user=store.ensure_user(session, name=settings.single_user_name))

    app = FastAPI(title="Peerframe", version="0.1.0", lifespan=lifespan,
                  description="Qualitative coding of interview transcripts against a values framework.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = Jinja2Templates(directory=str(ROOT / "templates"))
    app.mount("/static", StaticFiles(directory=str(ROOT / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.middleware("http")
    async def no_stale_pages(request: Request, call_next):
        """Pages are never reused from the browser cache, and htmx fragments never stand in for pages."""
        response = await call_next(request)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Vary"] = "HX-Request"
        return response

    for error, status in STATUS.items():
        app.add_exception_handler(error, _error_handler(status))
    app.add_exception_handler(RequestValidationError, _validation_handler)
    return app


def _error_handler(status: int):
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        if _wants_json(request) or request.headers.get("hx-request"):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        templates = request.app.state.templates
        return templates.TemplateResponse(request, "pages/error.html", {"message": str(exc), "status": status},
                                          status_code=status)
    return handle


async def _validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    return JSONResponse({"detail": "; ".join(problems) or "the request is not valid", "errors": exc.errors()},
                        status_code=422)
