"""Importing through the project page's form in a real browser: markup stays text, bad files are refused."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
XSS_NAME = "chat<img src=y onerror=alert(3)>.txt"
XSS_TRANSCRIPT = (
    "Interviewer: Did anything surprise you in the online group?\n\n"
    f"PV7: Someone pasted {SCRIPT} into the chat and another wrote {IMAGE} as a joke.\n\n"
    "Interviewer: And then?\n\n"
    "PV7: We laughed & moved on; the moderator said <b>nothing</b>.\n"
)
GOOD_TRANSCRIPT = "Interviewer: How are you?\n\nPV5: Better than last year, thank you.\n"


def _import(page, *files) -> None:
    page.locator('#import-form input[type="file"][name="files"]').set_input_files(list(files))
    page.locator("#import-form").get_by_role("button", name="Import").click()
    expect(page.locator(".import-results li")).to_have_count(len(files))


def _txt(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "text/plain", "buffer": data}


def test_markup_in_a_transcript_and_its_name_is_shown_as_text(page, api, ui):
    project = api.create_project()
    page.goto(f"/projects/{project['id']}")
    _import(page, _txt(XSS_NAME, XSS_TRANSCRIPT.encode("utf-8")))
    ok = page.locator(".import-results li.ok")
    expect(ok).to_have_text(f"Imported {XSS_NAME}")
    expect(page.locator("#documents tbody tr")).to_contain_text(XSS_NAME)
    assert page.locator("#import-area img, #import-area script").count() == 0

    ok.get_by_role("link").click()
    page.wait_for_url("**/documents/*")
    page.wait_for_load_state("networkidle")
    assert XSS_NAME in page.title()
    expect(page.locator("h1")).to_have_text(XSS_NAME)
    transcript = page.locator("#transcript")
    shown = transcript.inner_text()
    assert SCRIPT in shown and IMAGE in shown and "<b>nothing</b>" in shown and "We laughed & moved on" in shown
    assert page.locator("main script, main img, #transcript b").count() == 0

    # the markup survives selecting, coding, the coding panel and the quotes page as plain text
    ui.select(page, SCRIPT)
    expect(page.locator("#pending-text")).to_have_text(SCRIPT)
    page.locator('#palette li.code[data-key="safety/moderation"]').click()
    coded = page.locator("#transcript span.run.coded")
    expect(coded).to_have_text(SCRIPT)
    coded.click()
    expect(page.locator("#coding-panel blockquote")).to_have_text(SCRIPT)
    assert page.locator("#coding-panel script").count() == 0
    assert [c["text"] for c in api.codings(project["id"])] == [SCRIPT]

    page.goto(f"/projects/{project['id']}/quotes")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#quotes blockquote")).to_contain_text(SCRIPT)
    expect(page.locator("#quotes .muted a")).to_have_text(XSS_NAME)
    assert page.locator("main script, main img").count() == 0


def test_empty_binary_and_other_refused_files_are_named_with_the_reason(page, api):
    project = api.create_project()
    existing = api.import_text(project["id"], "existing.txt", GOOD_TRANSCRIPT)
    page.goto(f"/projects/{project['id']}")
    rows = page.locator("#documents tbody tr")
    expect(rows).to_have_count(1)
    table_before = page.locator("#documents").inner_text()

    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    _import(page,
            _txt("empty.txt", b""),
            _txt("blank.txt", b"  \n\n \t\n"),
            _txt("picture.txt", binary),
            {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 hello"},
            _txt("again.txt", GOOD_TRANSCRIPT.encode("utf-8")))
    errors = page.locator(".import-results li.error")
    expect(errors).to_have_count(5)
    expect(page.locator(".import-results li.ok")).to_have_count(0)
    expect(errors.nth(0)).to_have_text("Not imported: empty.txt: the file is empty")
    expect(errors.nth(1)).to_have_text("Not imported: blank.txt: the file is empty")
    expect(errors.nth(2)).to_have_text("Not imported: picture.txt: this looks like binary data, not a text transcript")
    expect(errors.nth(3)).to_contain_text("notes.pdf: .pdf files cannot be imported; use one of .txt")
    expect(errors.nth(4)).to_have_text(
        "Not imported: again.txt: this transcript is already in the project as 'existing.txt'")
    for item in errors.all():
        expect(item.get_by_role("alert")).to_have_text(item.inner_text())  # a list item holding an alert

    expect(rows).to_have_count(1)
    assert page.locator("#documents").inner_text() == table_before
    assert [d["id"] for d in api.documents(project["id"])] == [existing["id"]]

    # a batch mixing a good file with a bad one imports the good one only
    _import(page, _txt("empty-again.txt", b""), _txt("pv6.txt", b"Interviewer: Hi?\n\nPV6: Hello.\n"))
    expect(page.locator(".import-results li.error")).to_have_text("Not imported: empty-again.txt: the file is empty")
    expect(page.locator(".import-results li.ok")).to_have_text("Imported pv6.txt")
    expect(rows).to_have_count(2)
    assert sorted(d["name"] for d in api.documents(project["id"])) == ["existing.txt", "pv6.txt"]


def test_webvtt_interview_shows_speakers_without_cue_timings(page, api, ui, fixture_file):
    source = fixture_file("transcripts", "bristlenose_climbing_research_S1.vtt")
    project = api.create_project()
    page.goto(f"/projects/{project['id']}")
    _import(page, source)
    ok = page.locator(".import-results li.ok")
    expect(ok).to_have_text(f"Imported {source.name}")
    ok.get_by_role("link").click()
    page.wait_for_url("**/documents/*")

    document = api.document(int(page.url.rstrip("/").rsplit("/", 1)[1]))
    turns = page.locator("#transcript .turn")
    expect(turns).to_have_count(len(document["turns"]))
    speakers = page.locator("#transcript .speaker").evaluate_all(
        "els => els.map(e => e.firstChild ? e.firstChild.textContent : '')")
    assert set(speakers) == {"Sarah Chen", "Tom Baker"}
    assert speakers[:2] == ["Sarah Chen", "Tom Baker"]
    expect(page.locator("#transcript .speaker .cue").first).to_have_text("0:02")
    shown = page.locator("#transcript").inner_text()
    assert "Thanks for joining me today." in shown
    assert "Fontainebleau" in shown
    for leftover in ("-->", "WEBVTT", "00:00:02.400", "<v", "</v>"):
        assert leftover not in shown, f"{leftover!r} is shown in the transcript"

    # coding in a subtitle transcript stores the passage the reader selected
    passage = "The rock feels completely different from plastic holds."
    ui.select(page, passage)
    page.keyboard.press("1")
    expect(page.locator("#transcript span.run.coded")).to_have_text(passage)
    assert [c["text"] for c in api.codings(project["id"])] == [passage]


def test_word_and_opendocument_files_import_together(page, api, fixture_file):
    docx = fixture_file("transcripts", "qualcoder_ID1.docx")
    odt = fixture_file("transcripts", "qualcoder_ID2.odt")
    project = api.create_project()
    page.goto(f"/projects/{project['id']}")
    _import(page, docx, odt)
    expect(page.locator(".import-results li.ok")).to_have_text([f"Imported {docx.name}", f"Imported {odt.name}"])
    expect(page.locator("#documents tbody tr")).to_have_count(2)
    page.locator(".import-results li.ok a", has_text=odt.name).click()
    expect(page.locator("#transcript")).to_contain_text("Joe Bloggs")
    page.goto(f"/projects/{project['id']}")
    page.locator("#documents a", has_text=docx.name).click()
    expect(page.locator("#transcript")).to_contain_text("€")


def test_back_from_an_imported_document_shows_it_in_the_project(page, api):
    project = api.create_project()
    page.goto(f"/projects/{project['id']}")
    _import(page, _txt("pv8.txt", b"Interviewer: Hi?\n\nPV8: Hello again.\n"))
    page.locator(".import-results li.ok a").click()
    page.wait_for_url("**/documents/*")
    page.go_back()
    page.wait_for_url(f"**/projects/{project['id']}")
    expect(page.locator("#documents tbody tr")).to_have_count(1, timeout=2000)
