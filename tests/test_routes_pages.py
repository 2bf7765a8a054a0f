"""The pages a person uses: project list, import, document, codebook, quotes, activity."""

import re

import pytest

from coding import store
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes


@pytest.fixture
def document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("pv44.txt", txt_bytes()), attributes={"approach": "online"})


def test_project_list_and_creation(client):
    response = client.post("/projects", data={"name": "Team study", "framework": "imroc"}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/").text
    assert "Team study" in page and "imroc" in page


def test_import_form_reports_each_file(client, session, project):
    files = [("files", ("good.txt", txt_bytes())), ("files", ("empty.txt", b"")), ("files", ("x.pdf", b"%PDF"))]
    page = client.post(f"/projects/{project.id}/import", files=files).text
    assert "Imported" in page and "good.txt" in page
    assert "empty.txt: the file is empty" in page
    assert "x.pdf: .pdf files cannot be imported" in page
    assert [d.name for d in store.list_documents(session, project_id=project.id)] == ["good.txt"]


def test_document_page_shows_turns_speakers_and_codings(client, session, project, user, document):
    start = document.text.index("Nobody judges you")
    store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key="safety"),
                     user=user, start=start, end=start + len("Nobody judges you"))
    page = client.get(f"/documents/{document.id}").text
    assert page.count('class="turn') == 4
    assert '<div class="speaker"><bdi>PV44</bdi>' in page
    assert re.search(r'class="run coded" data-s="%d" data-e="%d"[^>]*title="Safety"[^>]*>Nobody judges you<' % (
        start, start + 17), page)


def test_script_in_a_transcript_is_shown_as_text(client, session, project, user):
    hostile = "PV1: before <script>alert(1)</script> and <img src=x onerror=alert(2)> after"
    doc = store.import_document(session, project_id=project.id, user=user,
                                transcript=read_transcript("x.txt", hostile.encode()))
    page = client.get(f"/documents/{doc.id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page


def test_coding_from_the_page_returns_the_changed_turn_only(client, session, project, document):
    start = document.text.index("A friend told me.")
    response = client.post(f"/documents/{document.id}/codings",
                           data={"start": start - 1, "end": start + len("A friend told me.") + 1, "code": "focus/social"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.count('hx-swap-oob="outerHTML"') == 4  # one turn, the undo button, the header's count, the code's count
    assert '<span id="coding-count" hx-swap-oob="outerHTML">1</span>' in response.text
    coding = store.document_codings(session, document_id=document.id)[0]
    assert document.text[coding.start:coding.end] == "A friend told me."  # the spaces around it were trimmed


def test_coding_panel_memo_remove_and_undo(client, session, project, user, document):
    start = document.text.index("How did you")
    coding = store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key="safety"),
                              user=user, start=start, end=start + 10)
    panel = client.get(f"/documents/{document.id}/codings-at", params={"start": start, "end": start + 3}).text
    assert "Safety" in panel and f"/codings/{coding.id}/remove" in panel
    assert client.post(f"/codings/{coding.id}/memo", data={"memo": "why I coded this"}).status_code == 200
    assert client.post(f"/codings/{coding.id}/remove").status_code == 200
    assert store.document_codings(session, document_id=document.id) == []
    response = client.post(f"/projects/{project.id}/undo", params={"document_id": document.id})
    assert 'class="run coded"' in response.text and "Put back Safety on “How did yo”" in response.text
    session.expire_all()
    assert [c.memo for c in store.document_codings(session, document_id=document.id)] == ["why I coded this"]


def test_codebook_page_edits(client, session, project):
    assert "Experience in common" in client.get(f"/projects/{project.id}/codebook").text
    client.post(f"/projects/{project.id}/codes/safety", data={"name": "Feeling safe", "definition": "Own words."})
    client.post(f"/projects/{project.id}/codes", data={"name": "Hope", "parent": ""})
    client.post(f"/projects/{project.id}/codes/focus/social", data={"retired": "true"})
    codes = {c.key: c for c in store.project_codes(session, project_id=project.id)}
    assert codes["safety"].name == "Feeling safe" and codes["hope"].name == "Hope" and codes["focus/social"].retired
    activity = client.get(f"/projects/{project.id}/activity").text
    assert "changed code Feeling safe" in activity and "added code Hope" in activity


def test_quotes_page_filters_by_code_with_children_and_attribute(client, session, project, user, document):
    for key, phrase in (("safety/confidentiality", "stays in the room"), ("focus/social", "A friend told me.")):
        start = document.text.index(phrase)
        store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key=key),
                         user=user, start=start, end=start + len(phrase))
    page = client.get(f"/projects/{project.id}/quotes", params={"code": "safety"}).text
    assert "stays in the room" in page and "A friend told me." not in page and "(PV44, online)" in page
    page = client.get(f"/projects/{project.id}/quotes", params={"attribute": "approach", "value": "group"}).text
    assert "No coded passages match." in page
    csv_text = client.get(f"/projects/{project.id}/export/quotes.csv", params={"code": "focus"}).content.decode("utf-8-sig")
    assert "A friend told me." in csv_text and "stays in the room" not in csv_text


def test_quotes_page_shows_two_hundred_at_a_time_and_exports_keep_every_quote(client, session, project, user):
    turns = [("PV45" if n % 2 else "Interviewer", f"Turn {n} of the talk about feeling safe.") for n in range(210)]
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("long.txt", txt_bytes(turns)))
    safety = store.get_code(session, project_id=project.id, key="safety")
    words = [m.start() for m in re.finditer("feeling", document.text)][:205]
    for start in words:
        store.add_coding(session, document=document, code=safety, user=user, start=start, end=start + 7, commit=False)
    session.commit()
    first = client.get(f"/projects/{project.id}/quotes", params={"code": "safety"}).text
    assert "205 coded passages" in first and "showing 1–200" in first and "Page 1 of 2" in first
    assert first.count("<blockquote>") == 200 and 'rel="next"' in first and 'rel="prev"' not in first
    assert f"/projects/{project.id}/quotes?code=safety&amp;page=2" in first
    second = client.get(f"/projects/{project.id}/quotes", params={"code": "safety", "page": 2}).text
    assert second.count("<blockquote>") == 5 and "showing 201–205" in second and 'rel="prev"' in second
    assert "/export/check?code=safety\"" in second  # the export is of every quote, not this page's
    check = client.get(f"/projects/{project.id}/export/check", params={"code": "safety", "page": 2}).text
    assert '<input type="hidden" name="code" value="safety">' in check and 'name="page"' not in check
    beyond = client.get(f"/projects/{project.id}/quotes", params={"code": "safety", "page": 99}).text
    assert "Page 2 of 2" in beyond  # past the end: the last page
    csv_rows = client.get(f"/projects/{project.id}/export/quotes.csv", params={"code": "safety", "page": 2})
    assert csv_rows.content.decode("utf-8-sig").count("\n") == 206  # the header and every quote
    assert client.get(f"/projects/{project.id}/quotes", params={"page": 0}).status_code == 422


def test_unknown_pages_are_404(client):
    assert client.get("/documents/12345").status_code == 404
    assert "Not found" in client.get("/projects/12345").text


def test_retrieval_by_several_codes_text_and_saved_queries(client, session, project, user, document):
    def code(phrase, key):
        start = document.text.index(phrase)
        store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key=key),
                         user=user, start=start, end=start + len(phrase))
    code("Nobody judges you", "freedom-to-be-oneself")
    code("Nobody judges you, and what is said", "safety/confidentiality")
    code("A friend told me.", "focus/social")
    both = client.get(f"/projects/{project.id}/quotes?code=safety&code=freedom-to-be-oneself&match=all").text
    assert both.count("<blockquote>") == 2 and "A friend told me." not in both
    either = client.get(f"/projects/{project.id}/quotes?code=safety&code=focus&match=any").text
    assert either.count("<blockquote>") == 2
    words = client.get(f"/projects/{project.id}/quotes?text=FRIEND").text
    assert words.count("<blockquote>") == 1 and "A friend told me." in words
    saved = client.post(f"/projects/{project.id}/queries",
                        data={"name": "Safe and free", "code": ["safety", "freedom-to-be-oneself"], "match": "all"})
    assert saved.status_code == 200 and "Safe and free" in saved.text
    query_id = re.search(r"quotes\?query=(\d+)", saved.text).group(1)
    again = client.get(f"/projects/{project.id}/quotes?query={query_id}").text
    assert again.count("<blockquote>") == 2
    report = client.get(f"/projects/{project.id}/export/quotes.csv?query={query_id}").content.decode("utf-8-sig")
    assert report.count("Nobody judges you") == 2 and "A friend" not in report
    assert "query.saved" in [e.kind for e in store.list_events(session, project_id=project.id)]


def test_single_user_mode_answers_only_requests_addressed_to_this_machine(client):
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/api/projects", headers={"Host": "evil.example"}).status_code == 400


def test_the_project_list_page_is_well_formed(client):
    page = client.get("/").text
    assert "<title>Projects · Peerframe</title>" in page
    assert page.count("Import a project from another tool") == 1 and page.count("<form") == 2
