"""Security headers: a content policy with no inline script, no framing, no sniffing, no caching of data;
/docs works offline from vendored Swagger UI."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

def _policy(response) -> dict[str, str]:
    policy = response.headers.get("content-security-policy", "")
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}

def test_pages_forbid_inline_script_framing_and_sniffing(client):
    page = client.get("/")
    assert page.status_code == 200
    policy = _policy(page)
    assert policy.get("script-src") == "script-src 'self'", "pages must not allow inline or outside script"
    assert "frame-ancestors 'none'" in policy.values()
    assert "object-src 'none'" in policy.values()
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"

def test_api_answers_and_exports_are_never_cached(client, project):
    api = client.get("/api/projects")
    assert api.status_code == 200 and api.headers["cache-control"] == "no-store"
    assert api.headers["x-content-type-options"] == "nosniff"
    export = client.get(f"/projects/{project.id}/export/quotes.csv")
    assert export.status_code == 200 and export.headers["cache-control"] == "no-store"

def test_no_template_carries_inline_script_or_event_handlers():
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|hx-on", text):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert not found, "inline script would be blocked by the content policy: " + "; ".join(found)

def test_docs_load_swagger_ui_from_the_app_itself(client):
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), f"/docs loads from outside: {sources}"
    assert "<script>" not in page.text, "/docs needs an inline script, which the content policy blocks"
    assert _policy(page).get("script-src") == "script-src 'self'"
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 0, source
    assert "5.35.0" in (ROOT / "static/vendor/swagger-ui/VERSION").read_text()
    assert client.get("/redoc").status_code == 404
