"""The acceptance journey in a real browser: import, code with the mouse, see it, export it to Word."""

import re

import pytest
from playwright.sync_api import expect

from tests.builders import word_text

pytestmark = pytest.mark.browser

SENTENCE = "The peer group felt like the one place I could say anything without being judged."
TRANSCRIPT = (
    "Interviewer: Thank you for joining. How did the group feel when you first went?\n\n"
    "PV44: It was strange for a week or two. " + SENTENCE + " After that I kept going back every Tuesday.\n\n"
    "Interviewer: What made it feel that way?\n\n"
    "PV44: Everyone there had been through something like it, so nobody needed the whole story.\n"
)


def test_import_code_with_the_mouse_and_export_to_word(page, api, ui, tmp_path):
    project = api.create_project("Acceptance journey")
    source = tmp_path / "interview-pv44.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")

    # import through the project page's form
    page.goto(f"/projects/{project['id']}")
    expect(page.locator("#import-area")).to_contain_text("No documents yet")
    page.locator('#import-form input[type="file"][name="files"]').set_input_files(source)
    page.locator("#import-form").get_by_role("button", name="Import").click()
    ok = page.locator(".import-results li.ok")
    expect(ok).to_have_count(1)
    expect(ok).to_contain_text("interview-pv44.txt")
    expect(page.locator(".import-results li.error")).to_have_count(0)
    row = page.locator("#documents tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("interview-pv44.txt")
    expect(row).to_contain_text("PV44")

    # open it from the results
    ok.get_by_role("link", name="interview-pv44.txt").click()
    page.wait_for_url("**/documents/*")
    expect(page.locator("#transcript .turn")).to_have_count(4)
    expect(page.locator("#transcript .speaker").first).to_have_text("Interviewer")
    expect(page.locator("#transcript")).to_contain_text(SENTENCE)
    expect(page.locator("#transcript span.run.coded")).to_have_count(0)
    ui.mark_page(page)

    # select the sentence with a real mouse drag; the palette asks for a code
    ui.drag_select(page, SENTENCE)
    assert ui.selection_text(page) == SENTENCE
    expect(page.locator("#pending")).to_be_visible()
    expect(page.locator("#pending-text")).to_have_text(SENTENCE)

    # click a code in the palette: the highlight appears in place, without a reload
    page.locator('#palette li.code[data-key="safety"]').click()
    coded = page.locator("#transcript span.run.coded")
    expect(coded).to_have_count(1)
    expect(coded).to_have_text(SENTENCE)
    expect(coded).to_have_attribute("title", re.compile(r"^Safety( · |$)"))
    assert "background-color" in (coded.get_attribute("style") or "")
    expect(page.locator("#status")).to_have_text("Coded as Safety")
    expect(page.locator("#pending")).to_be_hidden()
    expect(page.locator("#undo")).to_be_enabled()
    expect(page.locator("#undo")).to_contain_text("Undo: Safety on “")
    assert ui.page_was_not_reloaded(page), "applying a code reloaded the page"

    codings = api.codings(project["id"])
    assert [(c["code_id"], c["text"]) for c in codings] == [("safety", SENTENCE)]
    text = api.document(codings[0]["document_id"])["text"]
    assert codings[0]["start"] == text.index(SENTENCE)

    # after a reload the highlight is still there
    page.reload()
    assert not ui.page_was_not_reloaded(page)
    expect(page.locator("#transcript span.run.coded")).to_have_text(SENTENCE)
    expect(page.locator("#coding-count")).to_have_text("1")

    # the quotes page lists it, and the Word export carries the quote and its participant tag
    page.get_by_role("link", name="Coded quotes").click()
    page.wait_for_url(f"**/projects/{project['id']}/quotes")
    expect(page.locator("#quotes blockquote")).to_have_count(1)
    expect(page.locator("#quotes blockquote")).to_contain_text(SENTENCE)
    expect(page.locator("#quotes blockquote")).to_contain_text("(PV44)")
    page.locator("#export summary").click()  # the check of what consent allows comes first
    expect(page.locator("#export-docx")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("#export-docx").click()
    download = download_info.value
    assert download.suggested_filename == "acceptance-journey-quotes.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    word = word_text(saved)
    assert SENTENCE in word
    assert "(PV44" in word
    assert "Safety" in word
