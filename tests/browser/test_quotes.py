"""The coded-quotes page in a real browser: filtering, the exports following the filter, going back to it."""

import csv
import io

import docx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

from tests.browser.conftest import SCREENS, assert_no_axe_violations

pytestmark = pytest.mark.browser

FIRST = (
    "Interviewer: What made the group feel safe?\n\n"
    "PV44: Nobody repeated what was said in the room. I also liked the tea and the biscuits.\n"
)
SECOND = (
    "Interviewer: And online?\n\n"
    "PV45: The moderators took down cruel posts within minutes. People wrote to me kindly.\n"
)
SAFE_QUOTE = "Nobody repeated what was said in the room."
TEA_QUOTE = "I also liked the tea and the biscuits."
MODERATOR_QUOTE = "The moderators took down cruel posts within minutes."

@pytest.fixture
def coded_project(api):
    """Two participants' documents with codings under Safety (one via a sub-code) and Human connection."""
    project = api.create_project()
    first = api.import_text(project["id"], "pv44.txt", FIRST, attributes={"approach": "group"})
    second = api.import_text(project["id"], "pv45.txt", SECOND, attributes={"approach": "online"})
    for document, quote, key in ((first, SAFE_QUOTE, "safety"), (first, TEA_QUOTE, "human-connection"),
                                 (second, MODERATOR_QUOTE, "safety/moderation")):
        start = document["text"].index(quote)
        response = api.client.post(f"/api/documents/{document['id']}/codings",
                                   json={"start": start, "end": start + len(quote), "code_id": key})
        assert response.status_code == 201, response.text
    return project, first, second


def _quotes(page) -> list[str]:
    return page.locator("#quotes blockquote").all_inner_texts()


def _choose(page, name: str, value: str) -> None:
    with page.expect_response(lambda r: "/quotes?" in r.url and r.request.headers.get("hx-request") == "true") as info:
        page.locator(f'form.filters select[name="{name}"]').select_option(value)
    response = info.value
    assert response.ok, f"the filter request failed: {response.status} {response.text()[:300]}"
    page.wait_for_load_state("networkidle")


def _download_text(page, link_id: str, tmp_path) -> tuple[str, str]:
    with page.expect_download() as info:
        page.locator(link_id).click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    if path.suffix == ".docx":
        word = docx.Document(str(path))
        cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
        return download.suggested_filename, "\n".join([p.text for p in word.paragraphs] + cells)
    return download.suggested_filename, path.read_text(encoding="utf-8-sig")


def test_all_quotes_are_listed_with_their_tags(page, coded_project):
    project, first, second = coded_project
    page.goto(f"/projects/{project['id']}/quotes")
    expect(page.locator("#quotes strong").first).to_have_text("3 coded passages")
    quotes = _quotes(page)
    assert len(quotes) == 3
    assert any(SAFE_QUOTE in q and "(PV44, group)" in q for q in quotes)
    assert any(MODERATOR_QUOTE in q and "(PV45, online)" in q for q in quotes)
    assert any(TEA_QUOTE in q and "(PV44, group)" in q for q in quotes)


def test_filter_by_document_and_code_and_the_exports_follow(page, coded_project, tmp_path):
    project, first, second = coded_project
    page.goto(f"/projects/{project['id']}/quotes")
    _choose(page, "document", str(first["id"]))
    expect(page.locator("#quotes blockquote")).to_have_count(2)
    _choose(page, "code", "safety")
    expect(page.locator("#quotes blockquote")).to_have_count(1)
    assert SAFE_QUOTE in _quotes(page)[0]
    assert "code=safety" in page.url and f"document={first['id']}" in page.url
    page.locator("#export summary").click()  # the check of what consent allows comes first
    expect(page.locator("#export-docx")).to_be_visible()
    assert page.locator('#export-form input[name="code"]').get_attribute("value") == "safety"

    name, word = _download_text(page, "#export-docx", tmp_path)
    assert name.endswith("-quotes.docx")
    assert SAFE_QUOTE in word and "(PV44, group)" in word
    assert TEA_QUOTE not in word and MODERATOR_QUOTE not in word

    name, table = _download_text(page, "#export-csv", tmp_path)
    assert name.endswith("-quotes.csv")
    rows = list(csv.reader(io.StringIO(table)))
    body = "\n".join(",".join(row) for row in rows[1:])
    assert SAFE_QUOTE in body and TEA_QUOTE not in body and MODERATOR_QUOTE not in body


@pytest.mark.allow_console_errors  # the 422 of the bug below is logged by the browser and htmx
def test_filter_by_code_alone_includes_sub_codes(page, coded_project):
    project, first, second = coded_project
    page.goto(f"/projects/{project['id']}/quotes")
    _choose(page, "code", "safety")
    expect(page.locator("#quotes blockquote")).to_have_count(2, timeout=2000)
    quotes = _quotes(page)
    assert any(SAFE_QUOTE in q for q in quotes) and any(MODERATOR_QUOTE in q for q in quotes)


def test_filter_by_participant_attribute(page, coded_project):
    project, first, second = coded_project
    page.goto(f"/projects/{project['id']}/quotes")
    _choose(page, "attr", "approach:online")
    expect(page.locator("#quotes blockquote")).to_have_count(1, timeout=2000)
    assert MODERATOR_QUOTE in _quotes(page)[0]


def test_a_quote_links_to_its_passage_in_the_document(page, coded_project):
    project, first, second = coded_project
    page.goto(f"/projects/{project['id']}/quotes")
    page.locator("#quotes li", has_text=MODERATOR_QUOTE).get_by_role("link", name="pv45.txt").click()
    page.wait_for_url(f"**/documents/{second['id']}?at=*")
    flashed = page.locator("#transcript .run.flash")
    expect(flashed).to_have_count(1)
    expect(flashed).to_have_text(MODERATOR_QUOTE)


@pytest.mark.allow_console_errors  # the bare fragment has no <link rel="icon">, so /favicon.ico 404s
def test_back_to_filtered_quotes_shows_the_whole_page(page, coded_project):
    project, first, second = coded_project
    page.goto(f"/projects/{project['id']}/quotes")
    _choose(page, "document", str(first["id"]))
    page.locator("#quotes li", has_text=SAFE_QUOTE).get_by_role("link", name="pv44.txt").click()
    page.wait_for_url(f"**/documents/{first['id']}?at=*")
    page.go_back()
    page.wait_for_url(f"**/quotes?*document={first['id']}*")
    expect(page.locator("header.topbar")).to_be_visible(timeout=2000)
    expect(page.locator("form.filters")).to_be_visible()
    expect(page.locator("#quotes blockquote")).to_have_count(2)


@pytest.mark.parametrize("viewport", SCREENS)
def test_many_quotes_come_two_hundred_at_a_time_and_the_next_page_opens_at_its_top(axe_page, live_server, api,
                                                                                    viewport):
    page = axe_page(live_server, viewport=viewport)
    project = api.create_project()
    text = "\n\n".join(f"{'Interviewer' if n % 2 == 0 else 'PV44'}: Turn {n} felt safe, quite safe, to me." for n in range(200))
    document = api.import_text(project["id"], "pv44.txt", text + "\n", attributes={"approach": "group"})
    starts = [i for i in range(len(document["text"])) if document["text"].startswith("safe", i)][:380]
    for start in starts:
        answer = api.client.post(f"/api/documents/{document['id']}/codings",
                                 json={"start": start, "end": start + 4, "code_id": "safety"})
        assert answer.status_code == 201, answer.text
    page.goto(f"/projects/{project['id']}/quotes")
    expect(page.locator("#quotes-shown")).to_have_text("showing 1–200")
    expect(page.locator("#quotes blockquote")).to_have_count(200)
    assert_no_axe_violations(page, "the first page of quotes")
    following = page.get_by_role("link", name="Next 200")
    following.scroll_into_view_if_needed()
    box = following.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#quotes-shown")).to_have_text("showing 201–380")  # a long page: no scrolling clamps it
    expect(page.locator("#quotes blockquote")).to_have_count(180)
    assert page.url.endswith("page=2")
    # htmx scrolls once the new list has settled, a moment after the swap
    in_sight = f"() => {{ const top = document.getElementById('quotes').getBoundingClientRect().top;" \
               f" return top >= -2 && top <= {viewport['height'] / 2}; }}"
    try:
        page.wait_for_function(in_sight, timeout=5000)
    except PlaywrightTimeout:
        top = page.evaluate("() => document.getElementById('quotes').getBoundingClientRect().top")
        raise AssertionError(f"the new page's list is at {top} px, out of sight") from None
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("link", name="Previous 200").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#quotes-shown")).to_have_text("showing 1–200")


@pytest.mark.parametrize("viewport", SCREENS)
def test_consent_recorded_on_the_project_page_keeps_a_quote_out_of_the_export(axe_page, live_server, coded_project,
                                                                              viewport, tmp_path):
    """A lead records that PV45 did not agree to be quoted; the export check names PV45, the export waits for
    the lead to say they have read it, and the Word file has no quote of PV45. A passage marked sensitive on
    the quotes page is held back the same way."""
    page = axe_page(live_server, viewport=viewport)
    project, first, second = coded_project
    page.goto(f"/projects/{project['id']}")
    page.locator("#consent-forms summary").click()
    form = page.locator("#participant-consent")
    form.locator('select[name="label"]').select_option("PV45")
    form.locator('select[name="how"]').select_option("written")
    form.locator('select[name="quoting"]').select_option("no")
    form.get_by_role("button", name="Record for the participant").click()
    expect(page.locator("#participants")).to_contain_text("Consent recorded for PV45.")
    expect(page.locator("#participants")).to_contain_text("not quoted: did not agree to be quoted")
    assert_no_axe_violations(page, "the participants with their consent")

    page.goto(f"/projects/{project['id']}/quotes")
    tea = page.locator("#quotes .quote-list li").filter(has_text=TEA_QUOTE)
    tea.locator(".mark-sensitive summary").click()
    tea.locator('select[name="category"]').select_option("eating")
    tea.get_by_role("button", name="Mark").click()
    expect(tea).to_contain_text("Marked sensitive: eating and weight")
    expect(page.locator("#quotes .quote-list li").filter(has_text=MODERATOR_QUOTE)).to_contain_text(
        "Not for export: PV45")
    page.locator("#export summary").click()
    check = page.locator("#export-check")
    expect(check).to_contain_text("PV45: did not agree to be quoted; 1 quote left out")
    expect(check).to_contain_text("marked “eating and weight”: left out unless you include them")
    assert_no_axe_violations(page, "the check before an export")
    page.locator("#export-docx").click()  # not yet confirmed: the browser asks for the box first, no download
    assert page.evaluate("() => document.getElementById('export-confirm').validity.valueMissing")
    page.locator("#export-confirm").check()
    name, word = _download_text(page, "#export-docx", tmp_path)
    assert SAFE_QUOTE in word and MODERATOR_QUOTE not in word and TEA_QUOTE not in word


@pytest.mark.parametrize("size", SCREENS)
def test_a_writer_selects_a_quote_for_the_chapter_and_the_draft_has_it(page, coded_project, size, tmp_path):
    project = coded_project[0]
    page.set_viewport_size(size)
    page.goto(f"/projects/{project['id']}/quotes")
    first = page.locator(".quote-list li").first
    button = first.locator(".chapter-pick button")
    expect(button).to_have_text("Select for the chapter")
    button.scroll_into_view_if_needed()
    button.click()
    expect(first.locator(".chapter-pick button")).to_have_attribute("aria-pressed", "true")
    chosen = first.locator("blockquote bdi").inner_text().strip("“”\"")
    page.reload()
    expect(page.locator(".quote-list li").first.locator(".chapter-pick button")).to_have_text("✓ Selected for the chapter")
    with page.expect_download() as download:
        page.locator("#chapter-docx").click()
    path = tmp_path / "chapter.docx"
    download.value.save_as(path)
    quotes = [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Quote"]
    assert len(quotes) == 1 and chosen[:40] in quotes[0]
