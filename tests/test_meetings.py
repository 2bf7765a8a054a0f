"""Analysis meeting records: who was present, the transcripts reviewed, the decisions and the codebook changes
they caused; members add input until the lead closes the record; refusals say why and store nothing."""

import html

import pytest
from sqlmodel import func, select

from coding import erasure, store
from coding.db import session_for
from coding.demo import seed_demo
from coding.models import CodebookChange, Meeting, MeetingInput
from coding.team import accounts
from tests.test_routes_team import PASSWORD, signed_in


@pytest.fixture
def demo(team_app):
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        project = seed_demo(session, user=lead)
        for name, role in (("ann", "coder"), ("vic", "viewer")):
            user = accounts.create_user(session, name=name, password=PASSWORD)
            accounts.set_member(session, project_id=project.id, user=user, role=role, by=lead)
        accounts.create_user(session, name="stranger", password=PASSWORD)
        return {"project": project.id, "documents": [d.id for d in store.list_documents(session, project_id=project.id)]}


def _counts(app) -> tuple[int, int]:
    with session_for(app.state.engine) as session:
        return (session.exec(select(func.count()).select_from(Meeting)).one(),
                session.exec(select(func.count()).select_from(MeetingInput)).one())


def test_a_meeting_records_its_decisions_and_changes_and_takes_input_until_closed(team_app, demo):
    pid = demo["project"]
    lead, ann = signed_in(team_app, "lead"), signed_in(team_app, "ann")
    lead.post(f"/projects/{pid}/versions/changes", data={"kind": "rename", "code": "human-connection/friendship",
                                                          "name": "Friendship", "reason": "agreed at the meeting"})
    page = html.unescape(lead.get(f"/projects/{pid}/meetings").text)
    assert "version 2: Renamed Friendship in peer support to Friendship" in page
    with session_for(team_app.state.engine) as session:
        change_id = session.exec(select(CodebookChange.id)).one()
    saved = lead.post(f"/projects/{pid}/meetings", data={
        "title": "Framework review", "held_on": "2016-07-14", "present": ["lead", "ann"],
        "document": [str(demo["documents"][0])], "decisions": "Friendship becomes its own sub-theme.",
        "change": [str(change_id)]})
    assert saved.status_code == 200
    page = html.unescape(ann.get(f"/projects/{pid}/meetings").text)
    assert "Framework review · 2016-07-14" in page and "present: lead, ann" in page
    assert "Friendship becomes its own sub-theme." in page and "Renamed Friendship in peer support" in page
    with session_for(team_app.state.engine) as session:
        meeting_id = session.exec(select(Meeting.id)).one()
    assert ann.post(f"/projects/{pid}/meetings/{meeting_id}/input",
                    data={"text": "I did not say it then, but online friends count too."}).status_code == 200
    assert "online friends count too" in html.unescape(lead.get(f"/projects/{pid}/meetings").text)
    assert lead.post(f"/projects/{pid}/meetings/{meeting_id}/close").status_code == 200
    late = ann.post(f"/projects/{pid}/meetings/{meeting_id}/input", data={"text": "too late"})
    assert late.status_code == 422 and "closed" in late.text
    assert _counts(team_app) == (1, 1)
    activity = html.unescape(lead.get(f"/projects/{pid}/activity").text)
    assert "recorded the meeting “Framework review”" in activity and "closed the meeting “Framework review”" in activity


@pytest.mark.parametrize("form, status, says", [
    ({"title": "  "}, 422, "needs a title"),
    ({"title": "M", "held_on": "14/07/2016"}, 422, "is not a date"),
    ({"title": "M", "present": ["stranger"]}, 404, "is not a member"),
    ({"title": "M", "document": ["999999"]}, 404, "transcript named is not in this project"),
    ({"title": "M", "change": ["999999"]}, 404, "codebook change named is not in this project"),
    ({"title": "M", "decisions": "x" * 20_001}, 422, "at most"),
])
def test_a_refused_record_says_why_and_stores_nothing(team_app, demo, form, status, says):
    answer = signed_in(team_app, "lead").post(f"/projects/{demo['project']}/meetings", data=form)
    assert answer.status_code == status and says in html.unescape(answer.text)
    assert _counts(team_app) == (0, 0)


def test_only_the_lead_records_and_closes_and_only_researchers_add_input(team_app, demo):
    pid = demo["project"]
    assert signed_in(team_app, "ann").post(f"/projects/{pid}/meetings", data={"title": "M"}).status_code == 403
    signed_in(team_app, "lead").post(f"/projects/{pid}/meetings", data={"title": "M"})
    with session_for(team_app.state.engine) as session:
        meeting_id = session.exec(select(Meeting.id)).one()
    assert signed_in(team_app, "ann").post(f"/projects/{pid}/meetings/{meeting_id}/close").status_code == 403
    assert signed_in(team_app, "vic").post(f"/projects/{pid}/meetings/{meeting_id}/input",
                                           data={"text": "x"}).status_code == 403
    assert signed_in(team_app, "stranger").get(f"/projects/{pid}/meetings").status_code == 404
    assert _counts(team_app) == (1, 0)


def test_an_erased_transcript_leaves_the_meetings_that_reviewed_it(team_app, demo, tmp_path):
    pid, first = demo["project"], demo["documents"][0]
    signed_in(team_app, "lead").post(f"/projects/{pid}/meetings", data={"title": "M", "document": [str(first)]})
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        document = store.get_document(session, document_id=first)
        erasure.erase_document(session, document=document, user=lead, confirm=document.name, media=tmp_path)
        assert session.exec(select(Meeting)).one().documents == []
