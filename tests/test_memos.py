"""Transcript memos (one per author, private to a blind coder until reveal) and the project's titled memos:
authorship, history in the log, undo, size limits, and who may read or change them."""

import pytest
from sqlmodel import select

from coding import store
from coding.analysis import queries
from coding.db import session_for
from coding.models import Memo
from coding.team import accounts, progress, visibility
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes, word_text
from tests.conftest import csrf_token
from tests import test_routes_team
from tests.test_routes_team import bearer, signed_in

team = test_routes_team.team  # the team world (the team server, team_app, is in conftest)


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("Interview 3.txt", txt_bytes()))


def test_a_transcript_memo_keeps_every_version_in_the_log_and_undoes(session, project, user, document):
    store.write_document_memo(session, document=document, user=user, text="First thoughts")
    store.write_document_memo(session, document=document, user=user, text="  Second thoughts \n")
    memo = store.own_document_memo(session, document_id=document.id, user=user)
    assert memo.text == "Second thoughts" and memo.author_id == user.id
    events = store.list_events(session, project_id=project.id, kind="memo")
    assert [(e.payload["before"], e.payload["after"]) for e in events] == [
        ("First thoughts", "Second thoughts"), ("", "First thoughts")]
    words = store.Wording(session, project_id=project.id)
    assert [store.describe(e, words) for e in events] == ["edited the memo on “Interview 3.txt”",
                                                          "wrote the memo on “Interview 3.txt”"]
    accounts.undo(session, project_id=project.id, user=user, role="lead", document_id=document.id)
    assert store.own_document_memo(session, document_id=document.id, user=user).text == "First thoughts"


def test_an_oversize_memo_is_refused_and_nothing_is_stored(session, project, user, document):
    with pytest.raises(store.Invalid, match="at most 20,000 characters"):
        store.write_document_memo(session, document=document, user=user, text="x" * 20_001)
    with pytest.raises(store.Invalid, match="at most 20,000 characters"):
        store.add_project_memo(session, project_id=project.id, user=user, title="Long", text="x" * 20_001)
    assert session.exec(select(Memo)).all() == [] and store.list_events(session, project_id=project.id, kind="memo") == []


@pytest.mark.parametrize("title, message", [("   ", "needs a title"), ("t" * 201, "at most 200 characters"),
                                            ("a\x00b", "NUL")])
def test_a_project_memo_needs_a_short_plain_title(session, project, user, title, message):
    with pytest.raises(store.Invalid, match=message):
        store.add_project_memo(session, project_id=project.id, user=user, title=title, text="x")


def test_project_memos_are_edited_only_by_their_author_and_keep_history(session, project, user):
    memo = store.add_project_memo(session, project_id=project.id, user=user, title="Safety  codes", text="Merge?")
    assert memo.title == "Safety codes"
    store.edit_project_memo(session, memo=memo, user=user, title="Safety codes", text="Merged on Tuesday")
    history = store.memo_history(session, memo=memo)
    assert [(e.kind, e.payload.get("before"), e.payload["after"]) for e in history] == [
        ("memo.edited", "Merge?", "Merged on Tuesday"), ("memo.added", None, "Merge?")]
    other = store.ensure_user(session, name="ann")
    with pytest.raises(store.NotYours):
        store.edit_project_memo(session, memo=memo, user=other, title="Mine now", text="")
    assert store.get_project_memo(session, project_id=project.id, memo_id=memo.id).title == "Safety codes"


def test_a_blind_coders_transcript_memo_is_theirs_until_reveal(session, project, user, document):
    ann, bob = (store.ensure_user(session, name=n) for n in ("ann", "bob"))
    for coder in (ann, bob):
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=user)
        accounts.assign(session, document=document, coder=coder, by=user)
        store.write_document_memo(session, document=document, user=coder, text=f"{coder.name}'s reading")

    def read(who, role):
        scope = visibility.scope_for(session, project=project, user=who, role=role)
        return [m.text for m, _ in progress.document_memos(session, document_id=document.id, scope=scope, user=who)]

    assert read(ann, "coder") == ["ann's reading"]
    assert read(user, "lead") == ["ann's reading", "bob's reading"]
    accounts.set_revealed(session, document=document, by=user, revealed=True)
    assert read(ann, "coder") == ["ann's reading", "bob's reading"]


# --- pages -----------------------------------------------------------------------------------------

def test_the_document_page_sets_status_and_memo_and_the_project_page_shows_progress(client, project, document):
    page = client.get(f"/documents/{document.id}").text
    token = csrf_token(page)
    assert "Your status on this transcript" in page and 'value="not started" checked' in page
    done = client.post(f"/documents/{document.id}/status", data={"state": "done"}, headers={"X-CSRF-Token": token,
                                                                                         "HX-Request": "true"})
    assert done.status_code == 200 and 'value="done" checked' in done.text
    assert "You marked this transcript done" in done.text and 'id="undo"' in done.text
    saved = client.post(f"/documents/{document.id}/memo", data={"text": "Rich on ground rules"},
                        headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert saved.status_code == 200 and "Rich on ground rules</textarea>" in saved.text and "Memo saved" in saved.text
    overview = client.get(f"/projects/{project.id}").text
    assert "1 of 1 done" in overview and "✓" in overview and "Coders’ status" not in overview
    assert "You:" not in overview, "single-user mode shows the status without team furniture"


def test_bad_status_and_oversize_memo_answer_in_words_and_store_nothing(client, session, project, document):
    token = csrf_token(client.get(f"/documents/{document.id}").text)
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    wrong = client.post(f"/documents/{document.id}/status", data={"state": "finished"}, headers=headers)
    assert wrong.status_code == 422 and "is one of not started, in progress, done" in wrong.text
    big = client.post(f"/documents/{document.id}/memo", data={"text": "y" * 20_001}, headers=headers)
    assert big.status_code == 422 and "at most 20,000 characters" in big.text and 'aria-invalid="true"' in big.text
    assert store.list_events(session, project_id=project.id, kind="memo") == []
    assert store.list_events(session, project_id=project.id, kind="document.status") == []


def test_the_memos_page_adds_edits_and_refuses_a_blank_title(client, project):
    page = client.get(f"/projects/{project.id}/memos").text
    token = csrf_token(page)
    assert "No memos yet" in page
    blank = client.post(f"/projects/{project.id}/memos", data={"title": " ", "text": "kept", "csrf_token": token})
    assert blank.status_code == 422 and "a project memo needs a title" in blank.text and ">kept</textarea>" in blank.text
    added = client.post(f"/projects/{project.id}/memos", data={"title": "Codebook questions", "text": "Merge?",
                                                               "csrf_token": token})
    assert added.status_code == 200 and "Codebook questions" in added.text and "local · written" in added.text
    memo_id = int(added.text.split('<article class="card memo" id="memo-')[1].split('"')[0])
    edited = client.post(f"/projects/{project.id}/memos/{memo_id}", data={
        "title": "Codebook questions", "text": "Merged", "csrf_token": token})
    assert edited.status_code == 200, edited.text
    page = client.get(f"/projects/{project.id}/memos").text
    assert "Earlier versions (1)" in page and "Merge?" in page and "Merged" in page


def _team_memo(team_app, team, author: str) -> int:
    with session_for(team_app.state.engine) as session:
        who = accounts.find_user(session, name=author)
        return store.add_project_memo(session, project_id=team["x"], user=who, title="Lead's plan", text="Plan").id


def test_memo_and_status_routes_refuse_the_wrong_role_and_other_projects(team_app, team):
    memo_id = _team_memo(team_app, team, "lead")
    viewer, coder, outsider = (signed_in(team_app, n) for n in ("viewer", "coder", "outsider"))
    assert viewer.get(f"/projects/{team['x']}/memos").status_code == 200
    assert viewer.post(f"/projects/{team['x']}/memos", data={"title": "t", "text": ""}).status_code == 403
    assert viewer.post(f"/documents/{team['doc_x']}/status", data={"state": "done"}).status_code == 403
    assert viewer.post(f"/documents/{team['doc_x']}/memo", data={"text": "mine"}).status_code == 403
    assert coder.post(f"/projects/{team['x']}/memos/{memo_id}", data={"title": "Taken", "text": ""}).status_code == 403
    assert outsider.get(f"/projects/{team['x']}/memos").status_code == 404
    assert outsider.post(f"/documents/{team['doc_x']}/status", data={"state": "done"}).status_code == 404
    assert outsider.post(f"/projects/{team['y']}/memos/{memo_id}", data={"title": "x", "text": ""}).status_code == 404
    assert coder.post(f"/documents/{team['doc_y']}/memo", data={"text": "x"}).status_code == 404
    assert coder.post(f"/projects/{team['x']}/memos/99999999999", data={"title": "x"}).status_code == 422
    with session_for(team_app.state.engine) as session:
        assert store.get_project_memo(session, project_id=team["x"], memo_id=memo_id).title == "Lead's plan"
        assert store.list_events(session, project_id=team["x"], kind="document.status") == []


def test_the_status_api_follows_blind_coding(team_app, team):
    coder = bearer(team_app, team["tokens"]["coder"])
    lead = bearer(team_app, team["tokens"]["lead"])
    put = coder.put(f"/api/documents/{team['doc_x']}/status", json={"state": "done"})
    assert put.status_code == 200 and put.json() == [{"coder": "coder", "name": "coder", "state": "done"}]
    assert coder.put(f"/api/documents/{team['doc_x']}/status", json={"state": "nearly"}).status_code == 422
    assert bearer(team_app, team["tokens"]["viewer"]).put(f"/api/documents/{team['doc_x']}/status",
                                                          json={"state": "done"}).status_code == 403
    assert bearer(team_app, team["tokens"]["outsider"]).get(f"/api/documents/{team['doc_x']}/status").status_code == 404
    assert lead.get(f"/api/documents/{team['doc_x']}/status").json() == [
        {"coder": "coder", "name": "coder", "state": "done"}]


def test_a_blind_coders_pages_hide_another_coders_memo_and_status(team_app, team):
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        other = accounts.create_user(session, name="other", password="a long enough password", display_name="Olu Other")
        accounts.set_member(session, project_id=team["x"], user=other, role="coder", by=lead)
        document = store.get_document(session, document_id=team["doc_x"])
        accounts.assign(session, document=document, coder=other, by=lead)
        store.write_document_memo(session, document=document, user=other, text="Olu's private reading")
        store.set_status(session, document=document, user=other, state="done")
    coder, lead_client = signed_in(team_app, "coder"), signed_in(team_app, "lead")
    for page in (coder.get(f"/documents/{team['doc_x']}").text, coder.get(f"/projects/{team['x']}").text,
                 coder.get(f"/api/documents/{team['doc_x']}/status").text):
        assert "Olu" not in page and "private reading" not in page
    assert "Olu Other: done" in " ".join(lead_client.get(f"/projects/{team['x']}").text.split())
    assert "Olu&#39;s private reading" in lead_client.get(f"/documents/{team['doc_x']}").text


def test_the_memos_word_file_holds_what_the_reader_may_read_with_pseudonyms(team_app, team, tmp_path):
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        coder = accounts.find_user(session, name="coder")
        document = store.get_document(session, document_id=team["doc_x"])
        store.add_project_memo(session, project_id=team["x"], user=lead, title="About Jo", text="Jo runs it.")
        store.write_document_memo(session, document=document, user=lead, text="Lead's reading of Jo")
        store.write_document_memo(session, document=document, user=coder, text="Coder's reading")
        queries.set_pseudonym(session, project_id=team["x"], user=lead, original="Jo", replacement="Sam")
    for name, expected, hidden in (("lead", ["Sam runs it.", "Lead's reading of Sam", "Coder's reading"], []),
                                   ("coder", ["About Sam", "Coder's reading"], ["Lead's reading"])):
        response = signed_in(team_app, name).get(f"/projects/{team['x']}/export/memos.docx")
        assert response.status_code == 200 and 'filename="x-memos.docx"' in response.headers["content-disposition"]
        (tmp_path / f"{name}.docx").write_bytes(response.content)
        text = word_text(tmp_path / f"{name}.docx")
        assert all(e in text for e in expected) and not any(h in text for h in hidden) and "Jo" not in text
    assert signed_in(team_app, "outsider").get(f"/projects/{team['x']}/export/memos.docx").status_code == 404
