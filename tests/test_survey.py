"""Open-text survey answers: a 200-respondent file imports in one step (API) or two (preview, then import on the
project page); respondents become participants, answers survey documents; counts by respondent match a count
made by hand; bad files and bad column choices are refused, saying what and where, and store nothing."""

import csv
import html
import io
import random

import pytest
from docx import Document as WordDocument
from openpyxl import Workbook
from sqlmodel import func, select

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.exchange import survey
from coding.models import Coding, Document, Participant
from coding.team import accounts
from tests.test_routes_team import PASSWORD, signed_in

WORDS = ["friendly", "supportive", "understanding", "safe", "equal", "honest", "listening"]


def survey_rows(n: int = 200, seed: int = 52) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [{"Respondent": f"R{i:03d}", "Region": rng.choice(["North", "South", "Online"]),
             "Words": ", ".join(rng.sample(WORDS, rng.randint(1, 3))),
             "Why": rng.choice(["Because people listen to me without judging.", "", "It felt safe to talk."])}
            for i in range(1, n + 1)]


def as_csv(rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def lead_project(team_app):
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        accounts.create_user(session, name="viewer", password=PASSWORD)
        project = store.create_project(session, name="Survey", framework=get_framework("side-by-side"), user=lead)
        accounts.set_member(session, project_id=project.id, user=accounts.user_named(session, name="viewer"),
                            role="viewer", by=lead)
        token, _ = accounts.create_token(session, user=lead, name="t")
        return project.id, token


def _count(app, model) -> int:
    with session_for(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _code_the_word(app, project_id: int, word: str, key: str) -> None:
    """Code every answer that has the word, as a coder would."""
    with session_for(app.state.engine) as session:
        lead = accounts.user_named(session, name="lead")
        code = store.get_code(session, project_id=project_id, key=key)
        for document in session.exec(select(Document).where(Document.project_id == project_id)):
            for turn in store.document_turns(session, document_id=document.id):
                said = document.text[turn.start:turn.end]
                if turn.speaker != survey.QUESTION and word in said:
                    start = document.text.index(word, turn.start)
                    store.add_coding(session, document=document, user=lead, start=start, end=start + len(word),
                                     code=code)


@pytest.mark.parametrize("per", ["respondent", "question"])
def test_a_200_respondent_survey_imports_in_one_step_and_counts_by_respondent_as_by_hand(team_app, lead_project, per):
    project_id, token = lead_project
    rows = survey_rows()
    answer = signed_in(team_app, "lead").post(
        f"/api/projects/{project_id}/survey", headers={"Authorization": f"Bearer {token}"},
        files={"file": ("peers.csv", as_csv(rows))},
        data={"respondent": "Respondent", "answers": ["Words", "Why"], "attributes": ["Region"], "per": per})
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["respondents"] == 200 and len(made["documents"]) == (200 if per == "respondent" else 2)
    assert _count(team_app, Participant) == 200
    with session_for(team_app.state.engine) as session:
        r7 = store.get_participant(session, project_id=project_id, label="R007")
        assert r7.attributes == {"Region": rows[6]["Region"]}
        kinds = set(session.exec(select(Document.kind).where(Document.project_id == project_id)))
        assert kinds == {"survey"}
    _code_the_word(team_app, project_id, "safe", "safety")
    _code_the_word(team_app, project_id, "listen", "two-way-interactions")
    by_hand_safe = sum(1 for r in rows if "safe" in r["Words"] or "safe" in r["Why"])
    by_hand_listen = sum(1 for r in rows if "listen" in r["Words"] or "listen" in r["Why"])
    lead = signed_in(team_app, "lead")
    table = lead.get(f"/projects/{project_id}/export/respondents.docx", params={"layer": "all"})
    assert table.status_code == 200
    cells = {r.cells[0].text: [c.text for c in r.cells[1:]]
             for t in WordDocument(io.BytesIO(table.content)).tables for r in t.rows}
    assert cells["Safety"] == [str(by_hand_safe), f"{round(100 * by_hand_safe / 200)}%"]
    assert cells["Two-way interactions"] == [str(by_hand_listen), f"{round(100 * by_hand_listen / 200)}%"]
    assert "respondents per code (N = 200)" in "\n".join(p.text for p in WordDocument(
        io.BytesIO(table.content)).paragraphs)


def test_the_project_page_previews_the_columns_then_imports_the_survey(team_app, lead_project):
    project_id, _ = lead_project
    rows = survey_rows(30)
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    data = io.BytesIO()
    book.save(data)
    lead = signed_in(team_app, "lead")
    preview = lead.post(f"/projects/{project_id}/survey/preview", files={"file": ("peers.xlsx", data.getvalue())})
    assert preview.status_code == 200 and "30 respondents" in preview.text
    assert '<option value="respondent" selected>' in preview.text and '<option value="answer" selected>' in preview.text
    assert _count(team_app, Document) == 0  # nothing is stored before the import
    text = preview.text.split('<textarea name="text" hidden aria-hidden="true">')[1].split("</textarea>")[0]
    done = lead.post(f"/projects/{project_id}/survey/import", data={
        "name": "peers.xlsx", "text": html.unescape(text), "per": "respondent", "role:Respondent": "respondent",
        "role:Region": "attribute", "role:Words": "answer", "role:Why": "answer"})
    assert done.status_code == 200 and "30 survey document(s) imported from peers.xlsx, for 30 respondents." in done.text
    assert _count(team_app, Document) == 30


@pytest.mark.parametrize("data, fields, said", [
    (b"", {}, "the file is empty"),
    (b"Respondent,,Words\nR1,x,y\n", {}, "column 2 of the header has no name"),
    (b"Respondent,Words,Words\nR1,x,y\n", {}, "appears twice in the header"),
    (b"Respondent,Words\nR1,a,b\n", {}, "row 2: 3 values for 2 columns"),
    (b"Respondent,Words\nR1,good\nR1,fine\n", {}, "row 3: respondent 'R1' is already on row 2"),
    (b"Respondent,Words\n,good\n", {}, "row 2: the respondent id is empty"),
    (b"Respondent,Words\nR1,good\n", {"answers": ["Nope"]}, "has no column 'Nope'"),
    (b"Respondent,Words\nR1,good\n", {"answers": ["Respondent"]}, "choose each for one only"),
    (b"Respondent,Words\nR1,good\n", {"per": "page"}, "not per 'page'"),
    (b"PK\x03\x04 not really a workbook", {}, "not a readable Excel file"),
])
def test_a_bad_survey_is_refused_saying_what_and_where_and_stores_nothing(team_app, lead_project, data, fields, said):
    project_id, token = lead_project
    form = {"respondent": "Respondent", "answers": ["Words"], "per": "respondent", **fields}
    answer = signed_in(team_app, "lead").post(f"/api/projects/{project_id}/survey",
                                              headers={"Authorization": f"Bearer {token}"},
                                              files={"file": ("peers.csv", data)}, data=form)
    assert answer.status_code == 422 and said in answer.text, answer.text
    assert _count(team_app, Document) == _count(team_app, Participant) == _count(team_app, Coding) == 0


def test_the_same_survey_twice_is_refused_whole(team_app, lead_project):
    project_id, token = lead_project
    send = dict(headers={"Authorization": f"Bearer {token}"}, files={"file": ("peers.csv", as_csv(survey_rows(20)))},
                data={"respondent": "Respondent", "answers": ["Words"]})
    client = signed_in(team_app, "lead")
    assert client.post(f"/api/projects/{project_id}/survey", **send).status_code == 201
    again = client.post(f"/api/projects/{project_id}/survey", **send)
    assert again.status_code == 409 and "already in the project" in again.text
    assert _count(team_app, Document) == 20


def test_only_a_lead_imports_a_survey(team_app, lead_project):
    project_id, _ = lead_project
    viewer = signed_in(team_app, "viewer")
    answer = viewer.post(f"/projects/{project_id}/survey/preview", files={"file": ("peers.csv", as_csv(survey_rows(3)))})
    assert answer.status_code == 403 and _count(team_app, Document) == 0


def test_the_first_guess_takes_short_varied_answers_as_answers_and_shared_values_as_attributes():
    table = survey.read_table("peers.csv", as_csv(survey_rows(60)))
    assert survey.guess_roles(table) == {"Respondent": "respondent", "Region": "attribute", "Words": "answer",
                                         "Why": "answer"}
