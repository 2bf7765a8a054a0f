"""Who may change what they did not make: saved queries, undo after a role is lowered, and the coders a
REFI-QDA import names."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from coding import store
from coding.db import session_for
from coding.exchange import refi_export
from coding.models import Event, Layer, SavedQuery
from coding.team import accounts
from tests.test_routes_team import PASSWORD, bearer, signed_in, team  # noqa: F401  (a fixture)


def lead_query(app, project_id: int) -> int:
    """The lead saves "safety passages" (code safety) and gets its id back."""
    lead = signed_in(app, "lead")
    saved = lead.post(f"/projects/{project_id}/queries", data={"name": "safety passages", "code": "safety"})
    assert saved.status_code == 200
    with session_for(app.state.engine) as session:
        return session.exec(select(SavedQuery).where(SavedQuery.name == "safety passages")).one().id


def events(app, kind: str) -> int:
    with session_for(app.state.engine) as session:
        return len(session.exec(select(Event).where(Event.kind == kind)).all())


@pytest.mark.parametrize("who", ["viewer", "coder"])
def test_others_cannot_overwrite_the_leads_saved_query(team_app, team, who):
    query_id = lead_query(team_app, team["x"])
    before = events(team_app, "query.saved")
    response = signed_in(team_app, who).post(f"/projects/{team['x']}/queries",
                                             data={"name": "safety passages", "code": "choice-and-control"},
                                             headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "saved query called “safety passages”" in response.json()["detail"]
    with session_for(team_app.state.engine) as session:
        assert session.get(SavedQuery, query_id).params["codes"] == ["safety"]
    assert events(team_app, "query.saved") == before


@pytest.mark.parametrize("who", ["viewer", "coder"])
def test_others_cannot_delete_the_leads_saved_query(team_app, team, who):
    query_id = lead_query(team_app, team["x"])
    response = signed_in(team_app, who).post(f"/projects/{team['x']}/queries/{query_id}/delete",
                                             headers={"HX-Request": "true"})
    assert response.status_code == 403 and "only the person who saved this query" in response.json()["detail"]
    with session_for(team_app.state.engine) as session:
        assert session.get(SavedQuery, query_id) is not None
    assert events(team_app, "query.deleted") == 0


def test_the_owner_replaces_their_query_and_a_lead_may_forget_anyones(team_app, team):
    coder = signed_in(team_app, "coder")
    assert coder.post(f"/projects/{team['x']}/queries", data={"name": "mine", "code": "safety"}).status_code == 200
    assert coder.post(f"/projects/{team['x']}/queries", data={"name": "mine", "code": "focus"}).status_code == 200
    with session_for(team_app.state.engine) as session:
        mine = session.exec(select(SavedQuery).where(SavedQuery.name == "mine")).one()
        assert mine.params["codes"] == ["focus"]
    assert signed_in(team_app, "lead").post(f"/projects/{team['x']}/queries/{mine.id}/delete").status_code == 200
    with session_for(team_app.state.engine) as session:
        assert session.get(SavedQuery, mine.id) is None


def test_a_coder_made_viewer_cannot_undo_their_earlier_coding(team_app, team):
    coder = signed_in(team_app, "coder")
    coded = coder.post(f"/documents/{team['doc_x']}/codings", data={"start": 20, "end": 30, "code": "safety"})
    assert coded.status_code == 200
    with session_for(team_app.state.engine) as session:
        accounts.set_member(session, project_id=team["x"], user=accounts.find_user(session, name="coder"),
                            role="viewer", by=accounts.find_user(session, name="lead"))
    response = coder.post(f"/projects/{team['x']}/undo", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "needs the coder role; you are a viewer" in response.json()["detail"]
    with session_for(team_app.state.engine) as session:
        assert len(store.project_codings(session, project_id=team["x"])) == 1
    assert events(team_app, "undo") == 0


def test_a_lead_made_coder_cannot_undo_adding_a_code(team_app, team):
    with session_for(team_app.state.engine) as session:
        sam = accounts.create_user(session, name="sam", password=PASSWORD)
        accounts.set_member(session, project_id=team["x"], user=sam, role="lead",
                            by=accounts.find_user(session, name="lead"))
    sam_client = signed_in(team_app, "sam")
    assert sam_client.post(f"/projects/{team['x']}/codes", data={"name": "Belonging"}).status_code == 200
    with session_for(team_app.state.engine) as session:
        accounts.set_member(session, project_id=team["x"], user=accounts.find_user(session, name="sam"),
                            role="coder", by=accounts.find_user(session, name="lead"))
    response = sam_client.post(f"/projects/{team['x']}/undo", headers={"HX-Request": "true"})
    assert response.status_code == 403 and "needs the lead role; you are a coder" in response.json()["detail"]
    with session_for(team_app.state.engine) as session:
        belonging = store.get_code(session, project_id=team["x"], key="belonging")
        assert not belonging.retired
    assert events(team_app, "undo") == 0


def exported_with_coder(app, team) -> bytes:
    """Project X as REFI-QDA, with one coding by the account `coder`."""
    signed_in(app, "coder").post(f"/documents/{team['doc_x']}/codings", data={"start": 20, "end": 30, "code": "safety"})
    with session_for(app.state.engine) as session:
        return refi_export.project_qdpx(session, project=store.get_project(session, project_id=team["x"]))


def test_a_refi_import_never_attributes_codings_to_the_account_it_names(team_app, team):
    data = exported_with_coder(team_app, team)
    page = signed_in(team_app, "outsider").post("/projects/import", data={"name": "Copied"},
                                                files={"file": ("x.qdpx", data, "application/zip")})
    assert page.status_code == 200
    with session_for(team_app.state.engine) as session:
        copied = store.find_project(session, name="Copied")
        real = accounts.find_user(session, name="coder")
        owners = store.layer_owners(session, project_id=copied.id)
        assert real.id not in {u.id for u in owners.values()}
        assert session.exec(select(Layer).where(Layer.project_id == copied.id, Layer.user_id == real.id)).first() is None
        [imported] = [u for u in owners.values()]
        assert imported.name == f"imported:{copied.id}:coder" and imported.display_name == "coder (imported)"
        assert imported.password_hash is None
        assert accounts.role_in(session, project_id=copied.id, user=real) is None


def test_imported_coders_cannot_sign_in_nor_be_registered_by_name(team_app, team):
    data = exported_with_coder(team_app, team)
    signed_in(team_app, "outsider").post("/projects/import", data={"name": "Copied"},
                                         files={"file": ("x.qdpx", data, "application/zip")})
    with session_for(team_app.state.engine) as session:
        name = f"imported:{store.find_project(session, name='Copied').id}:coder"
        with pytest.raises(store.Invalid, match="imported from another tool"):
            accounts.create_token(session, user=accounts.find_user(session, name=name), name="t")
    refused = signed_in(team_app, "lead").post("/admin/users", data={"name": name, "password": PASSWORD})
    assert refused.status_code == 422 and "kept for coders imported from other tools" in refused.text
    login = TestClient(team_app).post("/login", data={"name": name, "password": PASSWORD})
    assert login.status_code == 401 and "do not match an account" in login.text
    with session_for(team_app.state.engine) as session:
        assert accounts.find_user(session, name=name).password_hash is None
