"""Bad input gets a 4xx naming what is wrong, and nothing is stored, on SQLite and PostgreSQL alike."""

import csv
import io

import pytest
from sqlmodel import func, select

from coding import store
from coding.models import Code, Coding, Document, Event, Project, SuggestionDecision
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes

FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def client(client):
    """The browser client, sending forms as htmx does (errors come back as JSON with a detail)."""
    client.headers["HX-Request"] = "true"
    return client


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("pv44.txt", txt_bytes()))


def count(session, table, *where) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def refused(response, *words: str, status: int = 422) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, f"{word!r} not in {detail!r}"
    return detail


# --- CSV export ---------------------------------------------------------------------------------

def test_no_csv_cell_can_start_a_formula_header_participant_and_code_path_included(client, session, project,
                                                                                   user, document):
    parent = store.add_code(session, project_id=project.id, user=user, name="=HYPERLINK(\"https://x.test\")")
    code = store.add_code(session, project_id=project.id, user=user, name="@SUM(1)", parent_key=parent.key)
    store.set_document_participant(session, document=document, user=user, label="+PV44")
    store.set_attributes(session, project_id=project.id, user=user, rows=[("+PV44", {"-cmd": "=1+1"})])
    store.add_coding(session, document=document, code=code, user=user, start=20, end=40, memo="-2+3")
    response = client.get(f"/projects/{project.id}/export/quotes.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert "'-cmd" in rows[0] and "'+PV44" in rows[1] and "'-2+3" in rows[1]
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA), f"a spreadsheet would run {value!r}"


# --- colours ------------------------------------------------------------------------------------

def test_a_colour_that_carries_css_is_refused_and_not_stored(client, session, project):
    response = client.post(f"/projects/{project.id}/codes/safety",
                           data={"colour": "red;background-image:url(https://evil.test/x)"})
    refused(response, "colour", "#")
    session.expire_all()
    assert store.get_code(session, project_id=project.id, key="safety").colour.startswith("#")
    assert count(session, Event, Event.kind == "code.updated") == 0
    assert client.post(f"/projects/{project.id}/codes/safety", data={"colour": "#1B9E77"}).status_code == 200


def test_a_new_code_with_a_css_colour_is_refused(session, project, user):
    with pytest.raises(store.Invalid, match="colour"):
        store.add_code(session, project_id=project.id, user=user, name="New", colour="url(https://x.test)")
    session.rollback()
    assert count(session, Code, Code.name == "New") == 0


# --- memos, offsets, scores ---------------------------------------------------------------------

def test_a_memo_past_the_limit_is_refused(client, session, document):
    too_long = "x" * (store.MEMO_LIMIT + 1)
    refused(client.post(f"/api/documents/{document.id}/codings",
                        json={"start": 20, "end": 40, "code_id": "safety", "memo": too_long}), "memo")
    assert count(session, Coding) == 0
    coding = client.post(f"/api/documents/{document.id}/codings", json={"start": 20, "end": 40, "code_id": "safety"})
    refused(client.post(f"/codings/{coding.json()['id']}/memo", data={"memo": too_long}), "memo", "20,000")
    assert count(session, Event, Event.kind == "coding.memo") == 0


@pytest.mark.parametrize("start", [True, 1.5, "3", None])
def test_json_offsets_must_be_whole_numbers(client, session, document, start):
    refused(client.post(f"/api/documents/{document.id}/codings",
                        json={"start": start, "end": 40, "code_id": "safety"}), "start")
    assert count(session, Coding) == 0


@pytest.mark.parametrize("start, end", [(10**6, 10**6 + 5), (40, 20), (-5, 10), (2**40, 2**41)])
def test_form_offsets_outside_the_text_are_refused(client, session, document, start, end):
    response = client.post(f"/documents/{document.id}/codings", data={"start": start, "end": end, "code": "safety"})
    assert 400 <= response.status_code < 500, response.text
    assert "span" in response.json()["detail"] or "start" in response.json()["detail"]
    assert count(session, Coding) == 0


@pytest.mark.parametrize("score", ["nan", "inf", "-inf"])
def test_a_suggestion_with_a_score_that_is_not_a_number_stores_nothing(client, session, document, score):
    response = client.post(f"/documents/{document.id}/suggestions/accept",
                           data={"start": 20, "end": 40, "code": "safety", "score": score})
    refused(response, "score")
    assert count(session, Coding) == 0 and count(session, SuggestionDecision) == 0


# --- ids, NULs, lengths -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/projects/99999999999", "/api/documents/9223372036854775808",
                                  "/api/projects/0/codes", "/projects/2147483648/codebook",
                                  "/documents/-1/reconcile"])
def test_ids_out_of_range_are_a_clear_refusal(client, path):
    response = client.get(path)
    assert response.status_code in (404, 422), response.text


def test_huge_ids_in_forms_and_deletes_are_refused(client, session, project, document):
    assert client.delete(f"/api/codings/{2**63}").status_code == 422
    response = client.post(f"/projects/{project.id}/assignments", data={"document": 2**40, "coder": "local"})
    refused(response, "document")


@pytest.mark.parametrize("name", ["Nul\x00name", "x" * 201])
def test_project_names_with_nul_or_too_long_are_refused(client, session, name):
    refused(client.post("/api/projects", json={"name": name}), "name")
    response = client.post("/projects", data={"name": name}, follow_redirects=False)
    assert response.status_code == 422 and 'id="create-error"' in response.text and "name" in response.text
    assert "\x00" not in response.text and "x" * 201 not in response.text
    assert count(session, Project) == 0


def test_nul_in_lookups_and_labels_is_refused(client, session, project, document):
    response = client.post(f"/api/documents/{document.id}/codings", json={"start": 20, "end": 40, "code_id": "sa\x00"})
    assert response.status_code in (404, 422), response.text
    refused(client.put(f"/api/projects/{project.id}/participants/PV%0044", json={"attributes": {"a": "b"}}))
    refused(client.put(f"/api/projects/{project.id}/participants/PV44", json={"attributes": {"a": "b\x00"}}), "NUL")
    refused(client.post(f"/api/documents/{document.id}/codings",
                        json={"start": 20, "end": 40, "code_id": "safety", "memo": "a\x00b"}), "NUL")
    assert count(session, Coding) == 0


# --- file names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../../secret/pv45.txt", "C:\\Users\\sam\\pv45.txt", "pv\x0045.txt"])
def test_an_uploaded_file_is_stored_under_its_base_name(client, session, project, name):
    response = client.post(f"/api/projects/{project.id}/documents", files={"file": (name, b"Sam: hello there")})
    assert response.status_code == 201, response.text
    stored = response.json()["name"]
    assert stored.startswith("pv") and stored.endswith("45.txt") and not {"/", "\\", "\x00"} & set(stored)
    session.expire_all()
    assert [d.name for d in session.exec(select(Document))] == [stored]


@pytest.mark.parametrize("path", ["/projects/{p}/quotes?document=²", "/projects/{p}/quotes?query=٣",
                                  "/projects/{p}/activity?document=99999999999", "/projects/{p}/analysis?document=¹",
                                  "/projects/{p}/quotes?query=99999999999"])
def test_ids_in_query_strings_that_are_not_plain_numbers_are_ignored_not_a_server_error(client, project, path):
    response = client.get(path.format(p=project.id))
    assert response.status_code < 500, response.text
