"""Reflexive journals: a prompt the lead sets for "after coding" reaches every researcher when the lead marks
coding done; entries are private to their author until shared, never in the log or the activity page; an edit
keeps the earlier text; refusals store nothing."""

import html

import pytest
from sqlmodel import func, select

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Event, JournalEntry
from coding.team import accounts
from tests.test_routes_team import PASSWORD, signed_in

PRIVATE = "I kept thinking of my own group while coding safety"
PROMPT = "How do you see peer support now that the coding is done?"


@pytest.fixture
def team(team_app):
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        project = store.create_project(session, name="Journals", framework=get_framework("side-by-side"), user=lead)
        for name, role in (("ann", "coder"), ("ben", "coder"), ("vic", "viewer")):
            user = accounts.create_user(session, name=name, password=PASSWORD)
            accounts.set_member(session, project_id=project.id, user=user, role=role, by=lead)
        accounts.create_user(session, name="stranger", password=PASSWORD)
        return {"project": project.id}


def _entries(app) -> list[tuple]:
    with session_for(app.state.engine) as session:
        return [(e.author_id, e.milestone, e.text, e.shared) for e in session.exec(select(JournalEntry))]


def test_the_after_coding_prompt_reaches_each_researcher_when_the_lead_marks_coding_done(team_app, team):
    pid = team["project"]
    lead, ann, ben, vic = (signed_in(team_app, n) for n in ("lead", "ann", "ben", "vic"))
    assert lead.post(f"/projects/{pid}/milestones/coding-done", data={"prompt": PROMPT, "reached": "false"}
                     ).status_code == 200
    assert PROMPT not in ann.get(f"/projects/{pid}/journal").text  # set, but coding is not done yet
    assert PROMPT not in html.unescape(ann.get(f"/projects/{pid}").text)
    lead.post(f"/projects/{pid}/milestones/coding-done", data={"prompt": PROMPT, "reached": "true"})
    for researcher in (ann, ben, lead):
        assert PROMPT in html.unescape(researcher.get(f"/projects/{pid}/journal").text)
        assert PROMPT in html.unescape(researcher.get(f"/projects/{pid}").text)
    assert PROMPT not in html.unescape(vic.get(f"/projects/{pid}/journal").text)  # a viewer keeps no journal
    answered = ann.post(f"/projects/{pid}/journal", data={"text": PRIVATE, "milestone": "coding-done"})
    assert answered.status_code == 200 and "private: only you can read it" in answered.text
    assert PROMPT not in html.unescape(ann.get(f"/projects/{pid}").text)  # answered: asked no more
    assert PROMPT in html.unescape(ben.get(f"/projects/{pid}").text)  # ben has not answered yet
    with session_for(team_app.state.engine) as session:
        entry = session.exec(select(JournalEntry)).one()
        assert (entry.milestone, entry.framework_version) == ("coding-done", "1")


def test_an_entry_is_private_until_shared_and_private_again_when_taken_back(team_app, team):
    pid = team["project"]
    lead, ann, ben, vic = (signed_in(team_app, n) for n in ("lead", "ann", "ben", "vic"))
    ann.post(f"/projects/{pid}/journal", data={"text": PRIVATE})
    for other in (lead, ben, vic):
        assert PRIVATE not in html.unescape(other.get(f"/projects/{pid}/journal").text)
        assert PRIVATE not in html.unescape(other.get(f"/projects/{pid}/activity").text)
    with session_for(team_app.state.engine) as session:
        entry_id = session.exec(select(JournalEntry.id)).one()
        assert not any(PRIVATE in str(e.payload) for e in session.exec(select(Event)))
    # nobody else can share, change or even find it
    assert ben.post(f"/projects/{pid}/journal/{entry_id}/share", data={"shared": "true"}).status_code == 404
    assert lead.post(f"/projects/{pid}/journal", data={"text": "overwritten", "entry": entry_id}).status_code == 404
    assert _entries(team_app)[0][2:] == (PRIVATE, False)
    ann.post(f"/projects/{pid}/journal/{entry_id}/share", data={"shared": "true"})
    for other in (lead, ben, vic):
        assert PRIVATE in html.unescape(other.get(f"/projects/{pid}/journal").text)
    assert "shared a journal entry with the team" in lead.get(f"/projects/{pid}/activity").text
    ann.post(f"/projects/{pid}/journal/{entry_id}/share", data={"shared": "false"})
    assert PRIVATE not in html.unescape(ben.get(f"/projects/{pid}/journal").text)
    stranger = signed_in(team_app, "stranger")
    assert stranger.get(f"/projects/{pid}/journal").status_code == 404


def test_an_edit_keeps_the_earlier_text(team_app, team):
    pid = team["project"]
    ann = signed_in(team_app, "ann")
    ann.post(f"/projects/{pid}/journal", data={"text": PRIVATE})
    with session_for(team_app.state.engine) as session:
        entry_id = session.exec(select(JournalEntry.id)).one()
    ann.post(f"/projects/{pid}/journal", data={"text": "Second thoughts.", "entry": entry_id})
    with session_for(team_app.state.engine) as session:
        entry = session.get(JournalEntry, entry_id)
        assert entry.text == "Second thoughts." and [e["text"] for e in entry.earlier] == [PRIVATE]
    assert "changed 1 time" in ann.get(f"/projects/{pid}/journal").text


@pytest.mark.parametrize("who, path, data, status", [
    ("ann", "journal", {"text": "   "}, 422),
    ("ann", "journal", {"text": "x" * 20_001}, 422),
    ("ann", "journal", {"text": "hello", "milestone": "halfway"}, 422),
    ("vic", "journal", {"text": "a viewer's thought"}, 403),
    ("ann", "milestones/coding-done", {"reached": "true"}, 403),
    ("lead", "milestones/halfway", {"reached": "true"}, 422),
    ("lead", "milestones/coding-done", {"prompt": "  "}, 422),
])
def test_a_refused_entry_or_milestone_says_why_and_stores_nothing(team_app, team, who, path, data, status):
    with session_for(team_app.state.engine) as session:
        events = session.exec(select(func.count()).select_from(Event)).one()
    answer = signed_in(team_app, who).post(f"/projects/{team['project']}/{path}", data=data)
    assert answer.status_code == status, answer.text
    assert _entries(team_app) == []
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(Event)).one() == events
