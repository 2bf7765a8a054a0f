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


@pytest.fixture
def coded(session, project, user):
    from coding.text.transcripts import read_transcript
    from tests.builders import code_phrase, txt_bytes

    document = store.import_document(session, project_id=project.id, user=user, participant="PV44",
                                     transcript=read_transcript("pv44.txt", txt_bytes()))
    code_phrase(session, document, user, "I felt safe there", "safety")
    code_phrase(session, document, user, "Nobody judges you", "safety")
    store.add_code(session, project_id=project.id, user=user, name="Belonging")
    code_phrase(session, document, user, "Nobody judges you", "belonging")
    code_phrase(session, document, user, "what is said in the room", "belonging")
    return document


def _live(session, project) -> list[tuple[str, int, int]]:
    session.expire_all()
    codes = {c.id: c.key for c in store.project_codes(session, project_id=project.id)}
    return sorted((codes[c.code_id], c.start, c.end) for c in store.project_codings(session, project_id=project.id))


def test_merging_a_code_recodes_its_passages_retires_it_and_logs_the_counts(client, session, project, coded):
    response = client.post(f"/projects/{project.id}/merge", data={"code": "belonging", "into": "safety"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "1 coding(s) recoded, 1 double(s) removed" in response.text
    assert [k for k, _, _ in _live(session, project)] == ["safety", "safety", "safety"]
    assert store.get_code(session, project_id=project.id, key="belonging").retired
    event = session.exec(select(Event).where(Event.kind == "code.merged")).one()
    assert event.payload == {"code": "belonging", "into": "safety", "recoded": 1, "doubles_removed": 1}
    quotes = client.get(f"/projects/{project.id}/quotes?code=safety").text
    assert quotes.count("<blockquote>") == 3


def test_a_merge_into_a_sub_code_recodes_every_passage(client, session, project, coded):
    client.post(f"/projects/{project.id}/merge", data={"code": "belonging", "into": "safety/confidentiality"},
                headers={"HX-Request": "true"})
    assert sorted(k for k, _, _ in _live(session, project)) == ["safety", "safety", "safety/confidentiality",
                                                               "safety/confidentiality"]


@pytest.mark.parametrize("code, into, words", [
    ("safety", "safety", "cannot be merged into itself"),
    ("safety", "safety/confidentiality", "has sub-codes"),
    ("facilitation/named-facilitator", "facilitation/named-facilitator", "into itself"),
])
def test_merges_that_make_no_sense_are_refused_on_the_form(client, session, project, coded, code, into, words):
    before = _live(session, project)
    response = client.post(f"/projects/{project.id}/merge", data={"code": code, "into": into},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and 'id="merge-error"' in response.text and words in response.text
    assert _live(session, project) == before
    assert not store.get_code(session, project_id=project.id, key=code).retired
