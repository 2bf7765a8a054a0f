"""The codebook page: a second code of the same name is refused on the form; a new code is brought into view."""

import pytest
from sqlmodel import select

from coding import store
from coding.models import Code, Event


def _codes(session, project) -> list[tuple[str, str]]:
    session.expire_all()
    return [(c.key, c.name) for c in session.exec(select(Code).where(Code.project_id == project.id))]


@pytest.mark.parametrize("name, parent, where", [
    ("Safety", "", "at the top level"), ("  safety ", "", "at the top level"),
    ("Confidentiality", "safety", "under Safety"),
])
def test_a_sibling_with_the_same_name_is_refused_beside_the_form(client, session, project, name, parent, where):
    if parent and not any(n == "Confidentiality" for _, n in _codes(session, project)):
        client.post(f"/projects/{project.id}/codes", data={"name": "Confidentiality", "parent": parent},
                    headers={"HX-Request": "true"})
    before = _codes(session, project)
    events = len(session.exec(select(Event)).all())
    response = client.post(f"/projects/{project.id}/codes", data={"name": name, "parent": parent,
                                                                   "definition": "kept"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert 'id="add-code-error"' in response.text and where in response.text and "already a code called" in response.text
    assert f'value="{name}"' in response.text and 'value="kept"' in response.text   # the form keeps what was typed
    assert _codes(session, project) == before
    assert len(session.exec(select(Event)).all()) == events


def test_a_blank_name_is_refused_on_the_form(client, session, project):
    before = _codes(session, project)
    response = client.post(f"/projects/{project.id}/codes", data={"name": "   "}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and 'id="add-code-error"' in response.text and "needs a name" in response.text
    assert _codes(session, project) == before


def test_the_same_name_under_another_parent_is_allowed_and_the_new_code_is_highlighted(client, session, project):
    response = client.post(f"/projects/{project.id}/codes", data={"name": "Safety", "parent": "facilitation"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    code = store.get_code(session, project_id=project.id, key="facilitation/safety")
    page = response.text
    assert f'id="code-{code.key}"' in page and "just-added" in page
    assert page.count("just-added") == 1 and f'href="#code-{code.key}"' in page
