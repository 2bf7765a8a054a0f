"""Single-user mode shows what fits one person: no assignments, blind coding, agreement or team furniture."""

import pytest

from coding import store
from coding.db import session_for
from coding.demo import DEMO_NAME
from server.app import create_app
from server.settings import Settings
from tests.conftest import local_client

TEAM_FURNITURE = ("Assigned to", "/agreement\">Agreement", "/team\">Team", "compare coders", "Blind coding",
                  "blind coding is on", 'name="assigned"')


@pytest.fixture
def demo(db_url):
    app = create_app(Settings(database_url=db_url, secret_key="test-secret-key-not-for-production",
                              single_user=True, demo=True))
    with local_client(app) as client:
        yield app, client


def _pages(client) -> dict[str, str]:
    project_page = client.get("/").text
    project_id = int(project_page.split('href="/projects/')[1].split('"')[0])
    document = client.get(f"/projects/{project_id}").text
    document_id = int(document.split('href="/documents/')[1].split('"')[0])
    return {"projects": project_page, "project": document, "document": client.get(f"/documents/{document_id}").text,
            "codebook": client.get(f"/projects/{project_id}/codebook").text,
            "agreement": client.get(f"/projects/{project_id}/agreement").text}


def test_single_user_pages_show_no_team_furniture(demo):
    _, client = demo
    for name, page in _pages(client).items():
        shown = [f for f in TEAM_FURNITURE if f in page]
        assert not shown, f"the {name} page shows {shown}"


def test_the_single_user_demo_has_one_coder_and_agreement_says_it_needs_two(demo):
    app, client = demo
    page = _pages(client)["agreement"]
    assert 'id="needs-two-coders"' in page and "α" not in page and "demo-coder" not in page
    with session_for(app.state.engine) as session:
        project = store.find_project(session, name=DEMO_NAME)
        owners = store.layer_owners(session, project_id=project.id)
        assert {u.name for u in owners.values()} == {"local"}
