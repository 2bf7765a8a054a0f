"""Consent that every export obeys: nobody who did not agree to be quoted, or who is to inform only, is quoted
in any file; a passage marked sensitive is held back unless the exporter includes it knowingly; the check
before an export says what is left out and why; recording consent and marks is for the right people only."""

import io
import zipfile

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook
from sqlmodel import func, select

from coding import erasure, store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Event, Participant, SensitiveFlag
from coding.team import accounts, consent
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes
from tests.test_routes_team import PASSWORD, signed_in

AGREED = "I felt safe there because nobody judged me"
REFUSED = "My sister drove me there every week"
INFORM = "The coordinator explained how the funding works"
SELF_HARM = "I had been hurting myself before I came"


@pytest.fixture
def study(team_app):
    """PV44 agreed to be quoted; PV45 did not; PV46's interview is to inform only; PV44 also said something
    marked as touching self-harm. Each passage is coded by the lead and selected for the chapter draft."""
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        viewer = accounts.create_user(session, name="viewer", password=PASSWORD)
        project = store.create_project(session, name="Consent study", framework=get_framework("side-by-side"),
                                       user=lead)
        accounts.set_member(session, project_id=project.id, user=viewer, role="viewer", by=lead)
        documents = {}
        for label, said in (("PV44", [AGREED, SELF_HARM]), ("PV45", [REFUSED]), ("PV46", [INFORM])):
            turns = [("Interviewer", "How was it?")] + [(label, words + ".") for words in said]
            document = store.import_document(session, project_id=project.id, user=lead, participant=label,
                                             attributes={"approach": "online"},
                                             transcript=read_transcript(f"{label.lower()}.txt", txt_bytes(turns)))
            documents[label] = document
            for words in said:
                start = document.text.index(words)
                coding = store.add_coding(session, document=document, user=lead, start=start, end=start + len(words),
                                          code=store.get_code(session, project_id=project.id, key="safety"))
                store.pick(session, coding=coding, user=lead, chosen=True)  # every quote in the chapter draft
        person = store.get_participant(session, project_id=project.id, label="PV45")
        consent.set_participant_consent(session, participant=person, user=lead,
                                        consent=consent.Consent(how="written", on="2016-05-02", quoting=False))
        consent.set_document_consent(session, document=documents["PV46"], user=lead, kind="interview-notes",
                                     consent=consent.Consent(how="phone", inform_only=True))
        start = documents["PV44"].text.index(SELF_HARM)
        consent.flag(session, document=documents["PV44"], user=lead, start=start, end=start + len(SELF_HARM),
                     category="self-harm")
        return {"project": project.id, "documents": {k: d.id for k, d in documents.items()}}


def _word(data: bytes) -> str:
    doc = WordDocument(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def _excel(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value)


def _qdpx(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


READERS = {"docx": _word, "xlsx": _excel, "csv": lambda data: data.decode("utf-8-sig"), "qdpx": _qdpx}
EXPORTS = [  # (how it is asked for, the file's kind)
    ("GET", "/projects/{p}/export/quotes.docx", {}, "docx"),
    ("GET", "/projects/{p}/export/quotes.xlsx", {}, "xlsx"),
    ("GET", "/projects/{p}/export/quotes.csv", {}, "csv"),
    ("POST", "/projects/{p}/export/report.docx", {"tag": "approach"}, "docx"),
    ("GET", "/projects/{p}/export/codebook.docx", {}, "docx"),
    ("GET", "/projects/{p}/export/project.qdpx", {}, "qdpx"),
    ("GET", "/projects/{p}/export/project.qdpx", {"positions": "utf16"}, "qdpx"),
    ("GET", "/api/projects/{p}/exports/word-quotes", {}, "docx"),
    ("GET", "/api/projects/{p}/exports/excel", {}, "xlsx"),
    ("GET", "/api/projects/{p}/exports/csv", {}, "csv"),
    ("GET", "/api/projects/{p}/exports/report-word", {}, "docx"),
    ("POST", "/api/projects/{p}/exports/report-word", {"tag": "approach"}, "docx"),
    ("GET", "/api/projects/{p}/exports/codebook-word", {}, "docx"),
    ("GET", "/api/projects/{p}/exports/refi-qdpx", {}, "qdpx"),
    ("GET", "/projects/{p}/export/chapter.docx", {}, "docx"),
    ("GET", "/api/projects/{p}/exports/chapter-word", {}, "docx"),
]


def _export(client, method, path, params, include_flagged=False):
    extra = {"include_flagged": "true"} if include_flagged else {}
    if method == "POST":
        return client.post(path, data={**params, **extra})
    return client.get(path, params={**params, **extra})


@pytest.mark.parametrize("method, path, params, kind", EXPORTS)
def test_no_export_quotes_who_did_not_agree_and_none_holds_a_sensitive_passage_unasked(team_app, study, method,
                                                                                     path, params, kind):
    lead = signed_in(team_app, "lead")
    answer = _export(lead, method, path.format(p=study["project"]), params)
    assert answer.status_code == 200, answer.text
    text = READERS[kind](answer.content)
    assert REFUSED not in text and INFORM not in text and SELF_HARM not in text
    if "codebook" not in path:  # the codebook shows one example a code, the first that may be quoted
        assert AGREED in text
    if kind == "qdpx":  # the transcripts that may not be quoted are not in the file at all
        assert "pv45.txt" not in text and "pv46.txt" not in text and "[passage held back: self-harm or suicide]" in text


@pytest.mark.parametrize("method, path, params, kind", [e for e in EXPORTS if "codebook" not in e[1]])
def test_a_sensitive_passage_goes_into_an_export_only_when_the_exporter_includes_it(team_app, study, method, path,
                                                                                  params, kind):
    lead = signed_in(team_app, "lead")
    answer = _export(lead, method, path.format(p=study["project"]), params, include_flagged=True)
    text = READERS[kind](answer.content)
    assert SELF_HARM in text and REFUSED not in text and INFORM not in text


def test_a_report_built_by_a_job_obeys_consent_too(team_app, study, monkeypatch):
    monkeypatch.setattr(team_app.state.settings, "job_report_quotes", 0)
    lead = signed_in(team_app, "lead")
    started = lead.post(f"/projects/{study['project']}/export/report.docx", data={"tag": "approach"})
    assert started.status_code == 202
    job_id = started.text.split('id="job-')[1].split('"')[0]
    team_app.state.jobs.wait(job_id)
    text = _word(lead.get(f"/api/jobs/{job_id}/result").content)
    assert AGREED in text and REFUSED not in text and INFORM not in text and SELF_HARM not in text


def test_the_check_before_an_export_names_who_is_left_out_and_why(team_app, study):
    lead = signed_in(team_app, "lead")
    page = lead.get(f"/projects/{study['project']}/export/check").text
    assert "PV45: did not agree to be quoted; 1 quote left out" in page
    assert "pv46.txt: to inform only, not to be quoted; 1 quote left out" in page
    assert "1 quote touching a passage marked “self-harm or suicide”: left out unless you include them" in page
    assert 'id="export-confirm"' in page and 'name="include_flagged"' in page
    assert "PV44: consent to be quoted not recorded; 1 quote included" in page  # quoted, and said so
    answer = lead.get(f"/api/projects/{study['project']}/exports/check").json()
    assert answer["left_out"] == [{"who": "PV45", "why": "did not agree to be quoted", "quotes": 1},
                                  {"who": "pv46.txt", "why": "to inform only, not to be quoted", "quotes": 1}]
    assert answer["flagged"] == {"self-harm": 1} and answer["unrecorded"] == [{"who": "PV44", "quotes": 1}]
    quotes = lead.get(f"/projects/{study['project']}/quotes", params={"layer": "all"}).text
    assert "Not for export: PV45 — did not agree to be quoted." in quotes
    assert "Marked sensitive: self-harm or suicide" in quotes


def test_recording_consent_is_logged_and_a_bad_answer_stores_nothing(team_app, study):
    lead = signed_in(team_app, "lead")
    done = lead.post(f"/projects/{study['project']}/participants/consent",
                     data={"label": "PV44", "how": "verbal", "on": "2016-06-01", "recording": "yes", "quoting": "yes"})
    assert done.status_code == 200 and "Consent recorded for PV44." in done.text
    assert "verbal, 2016-06-01; recording yes; quoting yes" in done.text
    with session_for(team_app.state.engine) as session:
        before = session.exec(select(func.count()).select_from(Event)).one()
        kept = {p.label: dict(p.consent) for p in session.exec(select(Participant))}
    for bad in ({"on": "last May"}, {"how": "telepathy"}, {"quoting": "maybe"}):
        answer = lead.post(f"/projects/{study['project']}/participants/consent", data={"label": "PV44", **bad})
        assert answer.status_code == 422 and 'id="consent-error"' in answer.text
    assert lead.post(f"/projects/{study['project']}/participants/consent",
                     data={"label": "PV99", "quoting": "no"}).status_code == 404
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(Event)).one() == before
        assert {p.label: dict(p.consent) for p in session.exec(select(Participant))} == kept
        assert store.list_events(session, project_id=study["project"], kind="participant.consent")[0].payload[
            "after"]["how"] == "verbal"


def test_only_a_lead_records_consent_and_a_viewer_cannot_mark_passages(team_app, study):
    viewer = signed_in(team_app, "viewer")
    assert viewer.post(f"/projects/{study['project']}/participants/consent",
                       data={"label": "PV45", "quoting": "yes"}).status_code == 403
    document = study["documents"]["PV44"]
    assert viewer.post(f"/documents/{document}/flags", data={"start": 0, "end": 5, "category": "risk",
                                                             "coding": 1}).status_code == 403
    with session_for(team_app.state.engine) as session:
        assert consent.Consent.of(store.get_participant(session, project_id=study["project"],
                                                        label="PV45").consent).quoting is False
        assert session.exec(select(func.count()).select_from(SensitiveFlag)).one() == 1


def test_a_mark_must_lie_in_the_text_and_name_a_known_kind(team_app, study):
    lead = signed_in(team_app, "lead")
    document = study["documents"]["PV44"]
    for start, end, category in ((0, 10**6, "risk"), (5, 5, "risk"), (0, 5, "gossip")):
        answer = lead.post(f"/documents/{document}/flags", data={"start": start, "end": end, "category": category,
                                                                 "coding": 1})
        assert answer.status_code == 422
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(SensitiveFlag)).one() == 1
        flag, = session.exec(select(SensitiveFlag))
    taken = lead.post(f"/documents/{document}/flags/{flag.id}/delete", data={"start": flag.start, "end": flag.end,
                                                                            "coding": 1})
    assert taken.status_code == 200 and "Mark taken off." in taken.text
    words = _word(lead.get(f"/projects/{study['project']}/export/quotes.docx").content)
    assert SELF_HARM in words  # no longer marked: quoted like the rest


def test_erasing_a_transcript_takes_its_marks_with_it(team_app, study, tmp_path):
    with session_for(team_app.state.engine) as session:
        document = store.get_document(session, document_id=study["documents"]["PV44"])
        erasure.erase_document(session, document=document, user=accounts.user_named(session, name="lead"),
                               confirm=document.name, media=tmp_path)
        assert session.exec(select(func.count()).select_from(SensitiveFlag)).one() == 0


def test_words_said_through_an_interpreter_are_cited_so(team_app, study):
    with session_for(team_app.state.engine) as session:
        document = store.get_document(session, document_id=study["documents"]["PV44"])
        store.set_interpreted(session, document=document, user=accounts.user_named(session, name="lead"),
                              speakers=["PV44"])
    lead = signed_in(team_app, "lead")
    cells = [c.text for t in WordDocument(io.BytesIO(lead.get(
        f"/projects/{study['project']}/export/quotes.docx").content)).tables for r in t.rows for c in r.cells]
    assert "(PV44, online – via interpreter)" in cells
    quotes = lead.get(f"/projects/{study['project']}/quotes", params={"layer": "all"}).text
    assert "(PV44, online – via interpreter)" in quotes


def test_the_report_form_offers_to_include_sensitive_quotes_and_takes_the_choice(team_app, study):
    lead = signed_in(team_app, "lead")
    page = lead.get(f"/projects/{study['project']}/quotes").text
    form = page[page.index('id="report-options"'):]
    assert 'name="include_flagged"' in form[:form.index("</form>")]
    held = _word(lead.post(f"/projects/{study['project']}/export/report.docx", data={"tag": "approach"}).content)
    shown = _word(lead.post(f"/projects/{study['project']}/export/report.docx",
                            data={"tag": "approach", "include_flagged": "true"}).content)
    assert SELF_HARM not in held and SELF_HARM in shown and REFUSED not in shown


def test_a_transcript_gets_its_type_and_consent_and_a_bad_type_stores_nothing(team_app, study):
    lead = signed_in(team_app, "lead")
    document = study["documents"]["PV44"]
    done = lead.post(f"/projects/{study['project']}/documents/consent",
                     data={"document": document, "kind": "focus-group", "how": "verbal", "quoting": "no"})
    assert done.status_code == 200 and "Consent recorded for pv44.txt." in done.text
    assert AGREED not in _word(lead.get(f"/projects/{study['project']}/export/quotes.docx").content)
    refused = lead.post(f"/projects/{study['project']}/documents/consent",
                        data={"document": document, "kind": "podcast", "quoting": "yes"})
    assert refused.status_code == 422 and "a document is one of" in refused.text
    with session_for(team_app.state.engine) as session:
        kept = store.get_document(session, document_id=document)
        assert kept.kind == "focus-group" and consent.Consent.of(kept.consent).quoting is False



def test_the_pseudonyms_page_lists_the_passages_marked_sensitive(team_app, study):
    page = signed_in(team_app, "lead").get(f"/projects/{study['project']}/pseudonyms").text
    listed = page[page.index('id="marked-sensitive"'):]
    assert "pv44.txt</a> · self-harm or suicide: “<bdi>" + SELF_HARM in listed
