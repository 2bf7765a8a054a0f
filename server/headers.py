"""Security headers on every answer, and the API docs page served from vendored, pinned Swagger UI assets."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

# no inline script anywhere (app.js binds behaviour); inline style attributes carry code colours, which are
# only ever #rrggbb; nothing may frame the app
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
          "frame-ancestors 'none'")
SWAGGER = "/static/vendor/swagger-ui"

docs = APIRouter(include_in_schema=False)


async def secure(request: Request, call_next):
    """Send the content policy, no-sniff and no-framing headers everywhere; nothing but static files is cached."""
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if not request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@docs.get("/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    """The interactive API documentation, with no script from outside the app and none inline."""
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Peerframe API</title>
<link rel="icon" href="{SWAGGER}/favicon-32x32.png"><link rel="stylesheet" href="{SWAGGER}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script><script src="/static/api-docs.js"></script></body></html>""")
