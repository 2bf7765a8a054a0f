"""The document page's codebook palette is rendered once per distinct content, so each view must still show
what is stored now: a renamed or redefined code, a new count, a newly pinned key, another project's codes."""

import re

import pytest

from coding import store
from coding.text.transcripts import read_transcript
from coding.workspace import shortcuts
from tests.builders import code_phrase, txt_bytes

TURNS = [("Interviewer", "What made the group feel safe?"),
         ("PV44", "Nobody judges you there. What is said in the room stays in the room.")]
KEY = "safety/confidentiality"


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("pv44.txt", txt_bytes(TURNS)))


def _entry(html: str, key: str) -> str:
    """The palette's list item for the code `key`."""
    found = re.search(rf'<li role="option"[^>]*data-key="{re.escape(key)}".*?</li>', html, re.S)
    assert found, f"the palette lists no {key}"
    return found.group(0)


def test_each_view_shows_the_palette_as_stored_now(client, session, document, user):
    before = _entry(client.get(f"/documents/{document.id}").text, KEY)
    assert "Confidentiality" in before and ">0 · 0<" in before
    code = store.get_code(session, project_id=document.project_id, key=KEY)
    store.update_code(session, code=code, user=user, name="Keeping things private",
                      definition="What is said in the group stays there.")
    code_phrase(session, document, user, "stays in the room", KEY)
    shortcuts.pin(session, user=user, project_id=document.project_id, number=9, key=KEY)
    after = _entry(client.get(f"/documents/{document.id}").text, KEY)
    assert "Keeping things private" in after and "What is said in the group stays there." in after
    assert ">1 · 1<" in after
    assert 'data-shortcut="9"' in after


def test_two_projects_each_show_their_own_palette(client, session, document, user):
    from coding.codebook.frameworks import get_framework

    other = store.create_project(session, name="ImROC study", framework=get_framework("imroc"), user=user)
    theirs = store.import_document(session, project_id=other.id, user=user,
                                   transcript=read_transcript("pv45.txt", txt_bytes(TURNS)))
    ours = client.get(f"/documents/{document.id}").text
    imroc = client.get(f"/documents/{theirs.id}").text
    assert f'data-project="{document.project_id}"' in ours and f'data-project="{other.id}"' in imroc
    assert 'data-key="safety"' in ours and 'data-key="safety"' not in imroc
