"""The project forms keep their errors beside the fields, in words: duplicate or blank names, wrong files."""

import io
import zipfile

import pytest
from sqlmodel import select

from coding import store
from coding.models import Project
from tests.conftest import csrf_token

INTERNALS = ("lxml", "XMLSyntaxError", "BadZipFile", "Traceback", "zipfile", "etree", "tag mismatch")


def _token(client) -> str:
    return csrf_token(client.get("/").text)


def _projects(session) -> list[str]:
    session.expire_all()
    return sorted(p.name for p in session.exec(select(Project)).all())


@pytest.mark.parametrize("name, status, words", [
    ("Test project", 409, "already exists"), (" Test project ", 409, "already exists"), ("   ", 422, "needs a name"),
])
def test_creating_a_project_with_a_taken_or_blank_name_stays_on_the_form(client, session, project, name, status,
                                                                          words):
    before = _projects(session)
    response = client.post("/projects", data={"name": name, "framework": "side-by-side",
                                              "csrf_token": _token(client)}, follow_redirects=False)
    assert response.status_code == status
    page = response.text
    assert 'id="create-error"' in page and words in page
    assert "<h2>New project</h2>" in page and f'value="{name}"' in page      # the form, with what was typed
    assert "error-page" not in page
    assert _projects(session) == before


def _zip(**members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize("filename, data", [
    ("notes.qdpx", b"%PDF-1.4 this is a PDF"),
    ("cut.qdpx", _zip(**{"project.qde": "<Project>"})[:-30]),
    ("broken.qdpx", _zip(**{"project.qde": "<Project><Users></Project>"})),
    ("book.qdc", b"<CodeBook><Codes><Code></CodeBook>"),
])
def test_a_wrong_file_given_to_refi_import_is_refused_on_the_form_in_words(client, session, project, filename, data):
    before = _projects(session)
    response = client.post("/projects/import", data={"name": "From NVivo", "csrf_token": _token(client)},
                           files={"file": (filename, data, "application/octet-stream")})
    assert response.status_code in (413, 422)
    page = response.text
    assert 'id="import-error"' in page and filename in page
    assert "Import a project from another tool" in page and 'value="From NVivo"' in page
    assert not [word for word in INTERNALS if word.lower() in page.lower()], page[page.index("import-error"):][:300]
    assert _projects(session) == before


def test_refi_import_into_a_taken_name_stays_on_the_form(client, session, project):
    response = client.post("/projects/import", data={"name": "Test project", "csrf_token": _token(client)},
                           files={"file": ("book.qdc", b"<CodeBook/>", "application/xml")})
    assert response.status_code in (409, 422)
    assert 'id="import-error"' in response.text
    assert _projects(session) == ["Test project"]
    assert store.find_project(session, name="Test project") is not None
