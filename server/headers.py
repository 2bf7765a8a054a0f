"""Security headers on every answer, and the API docs page served from vendored, pinned Swagger UI assets."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders

from server import auth

# no inline script anywhere (app.js binds behaviour); inline style attributes carry code colours, which are
# only ever #rrggbb; nothing may frame the app
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
          "frame-ancestors 'none'")
SWAGGER = "/static/vendor/swagger-ui"

docs = APIRouter(include_in_schema=False)


class Secure:
    """Send the content policy, no-sniff and no-framing headers everywhere; cache nothing but static files (and
    never a page); hand a browser the new session cookie the request's sign-in made. A plain ASGI wrapper that
    edits the first message of each answer, so page bodies stream through untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_secured(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", POLICY)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                page = headers.get("content-type", "").startswith("text/html")
                if page:
                    headers["Vary"] = "HX-Request"
                if page or not static:
                    headers["Cache-Control"] = "no-store"
                fresh = scope.get("state", {}).get("new_session")
                if fresh is not None:
                    cookie = Response()
                    auth.write_session(Request(scope), cookie, fresh)
                    headers.raw.extend((k, v) for k, v in cookie.raw_headers if k == b"set-cookie")
            await send(message)

        await self.app(scope, receive, send_secured)


@docs.get("/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    """The interactive API documentation, with no script from outside the app and none inline."""
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Peerframe API</title>
<link rel="icon" href="{SWAGGER}/favicon-32x32.png"><link rel="stylesheet" href="{SWAGGER}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script><script src="/static/api-docs.js"></script></body></html>""")
