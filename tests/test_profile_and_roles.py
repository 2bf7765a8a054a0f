"""A researcher may describe drawing on lived experience (never required, shown to their teams only if they
choose), and a team names its roles its own way; both are refused with a reason when too long."""

import html
import re

import pytest
from sqlmodel import func, select

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Event
from coding.team import accounts
from tests.test_routes_team import PASSWORD, signed_in

SAID = "I use peer support myself and draw on it when I code."


@pytest.fixture
def team(team_app):
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        ann = accounts.create_user(session, name="ann", password=PASSWORD)
        project = store.create_project(session, name="Team", framework=get_framework("side-by-side"), user=lead)
        accounts.set_member(session, project_id=project.id, user=ann, role="coder", by=lead)
        return {"project": project.id}


def test_a_description_is_shown_to_the_team_only_when_its_author_chooses(team_app, team):
    ann, lead = signed_in(team_app, "ann"), signed_in(team_app, "lead")
    assert ann.post("/account/profile", data={"text": SAID}).status_code == 200
    assert SAID in html.unescape(ann.get("/account").text)  # kept for its author
    assert SAID not in html.unescape(lead.get(f"/projects/{team['project']}/team").text)
    ann.post("/account/profile", data={"text": SAID, "shown": "true"})
    assert SAID in html.unescape(lead.get(f"/projects/{team['project']}/team").text)
    ann.post("/account/profile", data={"text": ""})
    with session_for(team_app.state.engine) as session:
        assert accounts.profile(accounts.find_user(session, name="ann")) == {"text": "", "shown": False}
    assert ann.post("/account/profile", data={"text": "x" * 2001}).status_code == 422


def test_a_team_names_its_roles_and_the_members_list_uses_the_names(team_app, team):
    lead = signed_in(team_app, "lead")
    pid = team["project"]
    assert lead.post(f"/projects/{pid}/role-labels", data={"coder": "Peer researcher", "lead": "",
                                                           "viewer": "Report writer"}).status_code == 200
    page = re.sub(r"<[^>]+>", "", html.unescape(lead.get(f"/projects/{pid}/team").text))
    assert "Peer researcher (coder)" in page
    assert "renamed the roles: coder as Peer researcher, viewer as Report writer" in html.unescape(
        lead.get(f"/projects/{pid}/activity").text)
    with session_for(team_app.state.engine) as session:
        events = session.exec(select(func.count()).select_from(Event)).one()
    assert lead.post(f"/projects/{pid}/role-labels", data={"coder": "x" * 41}).status_code == 422
    assert signed_in(team_app, "ann").post(f"/projects/{pid}/role-labels", data={"coder": "Boss"}).status_code == 403
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(Event)).one() == events
        assert store.get_project(session, project_id=pid).role_labels == {"coder": "Peer researcher",
                                                                          "viewer": "Report writer"}
