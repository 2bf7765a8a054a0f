"""A transcript's language, whether it was interpreted or translated, and an original held beside its English
translation: both are transcripts of their own, coded on either; quotes say "via interpreter" or "translated";
every refusal says why and stores nothing."""

import html
import io

import pytest
from docx import Document as WordDocument
from sqlmodel import func, select

from coding import erasure, store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Document, Event
from coding.team import accounts
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes
from tests.test_routes_team import PASSWORD, bearer, signed_in

URDU = [("Interviewer", "گروپ کیسا تھا؟"), ("PV31", "وہاں مجھے محفوظ محسوس ہوا۔")]
ENGLISH = [("Interviewer", "How was the group?"), ("PV31", "There I felt safe.")]


@pytest.fixture
def study(team_app):
    """PV31's interview in Urdu and its English translation, both coded; a third transcript; a coder."""
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        coder = accounts.create_user(session, name="coder", password=PASSWORD)
        project = store.create_project(session, name="Languages", framework=get_framework("side-by-side"), user=lead)
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
        made = {}
        for name, turns in (("pv31-ur.txt", URDU), ("pv31-en.txt", ENGLISH),
                            ("pv32.txt", [("Interviewer", "And you?"), ("PV32", "I felt safe too.")])):
            made[name] = store.import_document(session, project_id=project.id, user=lead, participant=name[:4].upper(),
                                               transcript=read_transcript(name, txt_bytes(turns)))
        for name, words in (("pv31-ur.txt", "محفوظ"), ("pv31-en.txt", "felt safe")):
            document = made[name]
            start = document.text.index(words)
            store.add_coding(session, document=document, user=lead, start=start, end=start + len(words),
                             code=store.get_code(session, project_id=project.id, key="safety"))
        token, _ = accounts.create_token(session, user=lead, name="t")
        return {"project": project.id, "token": token, **{name: d.id for name, d in made.items()}}


def _documents(app) -> list[tuple]:
    with session_for(app.state.engine) as session:
        return [(d.name, d.language, d.mediation, d.original_id) for d in session.exec(select(Document).order_by(Document.id))]


def _events(app) -> int:
    with session_for(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(Event)).one()


def test_a_translation_is_linked_to_its_original_and_both_pages_and_a_side_by_side_view_show_them(team_app, study):
    lead = signed_in(team_app, "lead")
    urdu, english = study["pv31-ur.txt"], study["pv31-en.txt"]
    assert lead.post(f"/documents/{urdu}/language", data={"language": "ur", "mediation": ""}).status_code == 204
    assert lead.post(f"/documents/{english}/language", data={"language": "en", "other": "",
                                                             "mediation": "translated"}).status_code == 204
    assert lead.post(f"/documents/{english}/original", data={"original": str(urdu)}).status_code == 204
    assert _documents(team_app)[:2] == [("pv31-ur.txt", "ur", "", None), ("pv31-en.txt", "en", "translated", urdu)]
    original = html.unescape(lead.get(f"/documents/{urdu}").text)
    assert 'lang="ur"' in original and "Urdu" in original
    assert f'href="/documents/{english}"' in original and f"/documents/{urdu}/side-by-side?with={english}" in original
    translation = html.unescape(lead.get(f"/documents/{english}").text)
    assert "Translation of" in translation and "English, translated" in translation
    beside = lead.get(f"/documents/{english}/side-by-side", params={"with": urdu})
    assert beside.status_code == 200
    text = html.unescape(beside.text)
    assert text.index("pv31-ur.txt") < text.index("pv31-en.txt")  # the original on the left
    assert text.index("وہاں مجھے محفوظ محسوس ہوا۔") < text.index("There I felt safe.")
    assert 'lang="ur" dir="auto"' in beside.text
    # a transcript that is neither is not shown beside it
    assert lead.get(f"/documents/{english}/side-by-side", params={"with": study["pv32.txt"]}).status_code == 404
    activity = html.unescape(lead.get(f"/projects/{study['project']}/activity").text)
    assert "linked “pv31-en.txt” as a translation of “pv31-ur.txt”" in activity
    assert "set the language of “pv31-en.txt” to English (translated)" in activity


def test_quotes_say_how_words_reached_english(team_app, study):
    client = bearer(team_app, study["token"])
    urdu, english = study["pv31-ur.txt"], study["pv31-en.txt"]
    assert client.put(f"/api/documents/{urdu}/language", json={"language": "ur", "mediation": "interpreted"}
                      ).json()["language"] == "ur"
    settings = client.put(f"/api/documents/{english}/language", json={"language": "en", "mediation": "translated"})
    assert settings.json()["mediation"] == "translated"
    linked = client.put(f"/api/documents/{english}/original", json={"original": urdu}).json()
    assert linked["original"] == urdu
    assert client.get(f"/api/documents/{urdu}/settings").json()["translations"] == [english]
    assert client.get(f"/api/documents/{english}").json()["original_id"] == urdu
    report = signed_in(team_app, "lead").get(f"/projects/{study['project']}/export/quotes.docx")
    assert report.status_code == 200
    words = "\n".join(p.text for p in WordDocument(io.BytesIO(report.content)).paragraphs)
    words += "\n".join(c.text for t in WordDocument(io.BytesIO(report.content)).tables for r in t.rows for c in r.cells)
    assert "(PV31 – via interpreter)" in words and "(PV31 – translated)" in words


@pytest.mark.parametrize("form, says", [
    ({"language": "not a tag!"}, "is not a language tag"),
    ({"language": "", "other": "x" * 36}, "is not a language tag"),
    ({"language": "ur", "mediation": "dubbed"}, "as spoken, interpreted or translated"),
])
def test_a_bad_language_is_refused_and_nothing_changes(team_app, study, form, says):
    before, events = _documents(team_app), _events(team_app)
    answer = signed_in(team_app, "lead").post(f"/documents/{study['pv31-ur.txt']}/language", data=form,
                                              headers={"HX-Request": "true"})
    assert answer.status_code == 422 and says in answer.text
    assert _documents(team_app) == before and _events(team_app) == events


def test_links_that_make_no_sense_are_refused(team_app, study):
    client = bearer(team_app, study["token"])
    urdu, english, other = study["pv31-ur.txt"], study["pv31-en.txt"], study["pv32.txt"]
    assert client.put(f"/api/documents/{english}/original", json={"original": urdu}).status_code == 200
    before, events = _documents(team_app), _events(team_app)
    itself = client.put(f"/api/documents/{other}/original", json={"original": other})
    assert itself.status_code == 422 and "itself" in itself.text
    chain = client.put(f"/api/documents/{other}/original", json={"original": english})
    assert chain.status_code == 422 and "is itself a translation" in chain.text
    original = client.put(f"/api/documents/{urdu}/original", json={"original": other})
    assert original.status_code == 422 and "has translations of its own" in original.text
    assert client.put(f"/api/documents/{other}/original", json={"original": 999999}).status_code == 404
    assert client.put(f"/api/documents/{other}/language", json={"language": "ur", "mediation": "x"}).status_code == 422
    assert _documents(team_app) == before and _events(team_app) == events


def test_a_transcript_of_another_project_cannot_be_linked_and_a_coder_cannot_change_languages(team_app, study):
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        elsewhere = store.create_project(session, name="Elsewhere", framework=get_framework("side-by-side"), user=lead)
        far = store.import_document(session, project_id=elsewhere.id, user=lead,
                                    transcript=read_transcript("far.txt", txt_bytes(ENGLISH))).id
    before, events = _documents(team_app), _events(team_app)
    lead_client = signed_in(team_app, "lead")
    assert lead_client.post(f"/documents/{study['pv31-en.txt']}/original", data={"original": str(far)}).status_code == 404
    assert lead_client.get(f"/documents/{study['pv31-en.txt']}/side-by-side", params={"with": far}).status_code == 404
    coder = signed_in(team_app, "coder")
    assert coder.post(f"/documents/{study['pv31-ur.txt']}/language", data={"language": "ur"}).status_code in (403, 404)
    assert _documents(team_app) == before and _events(team_app) == events


def test_erasing_an_original_keeps_its_translation_unlinked(team_app, study, tmp_path):
    client = bearer(team_app, study["token"])
    client.put(f"/api/documents/{study['pv31-en.txt']}/original", json={"original": study["pv31-ur.txt"]})
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        document = store.get_document(session, document_id=study["pv31-ur.txt"])
        erasure.erase_document(session, document=document, user=lead, confirm="pv31-ur.txt", media=tmp_path)
    assert [d[0] for d in _documents(team_app)] == ["pv31-en.txt", "pv32.txt"]
    assert _documents(team_app)[0][3] is None


def test_a_transcript_naming_no_participant_takes_the_next_tag_of_the_teams_pattern(team_app, study):
    client, pid = bearer(team_app, study["token"]), study["project"]

    def imported(name: str, turns) -> str:
        turns = turns + [("Interviewer", f"That was {name}.")]  # each its own text, not a twin of the last
        sent = client.post(f"/api/projects/{pid}/documents", files={"file": (name, txt_bytes(turns), "text/plain")})
        assert sent.status_code == 201, sent.text
        return sent.json()["participant"]

    nameless = [("Interviewer", "How was it?"), ("Someone", "Fine, thanks.")]
    assert imported("notes.txt", nameless) is None  # no pattern yet: no participant
    assert client.put(f"/api/projects/{pid}/tag-pattern", json={"pattern": "PV<n>"}).json() == {"pattern": "PV<n>"}
    assert imported("second notes.txt", nameless) == "PV33"  # after PV31 and PV32
    assert imported("third notes.txt", nameless) == "PV34"
    assert client.put(f"/api/projects/{pid}/tag-pattern", json={"pattern": "FG<n>"}).status_code == 200
    assert imported("group fg7 notes.txt", nameless) == "FG7"  # a tag of the pattern in the file name
    assert imported("group notes.txt", nameless) == "FG8"
    events = _events(team_app)
    for bad in ("PV", "<n>PV", "P V<n>", "PV<n><n>", "x" * 41):
        refused = client.put(f"/api/projects/{pid}/tag-pattern", json={"pattern": bad})
        assert refused.status_code == 422, bad
    page = signed_in(team_app, "lead").post(f"/projects/{pid}/tag-pattern", data={"pattern": "9<n>"})
    assert page.status_code == 422 and "is not a tag pattern" in html.unescape(page.text)
    assert _events(team_app) == events
    assert client.get(f"/api/projects/{pid}").json()["tag_pattern"] == "FG<n>"
