"""In a real browser: a coder marks a transcript done and the project page shows the progress; they write a
transcript memo and a project memo; every state passes axe-core, on a laptop and on a phone."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, assert_no_axe_violations

pytestmark = pytest.mark.browser

TEXT = ("Interviewer: How did you first hear about the group?\n\n"
        "PV44: A friend told me. I felt safe there because everyone had been through something similar.\n")


def _click(page, locator) -> None:
    """Press the real mouse on the middle of what the person sees."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


@pytest.mark.parametrize("viewport", SCREENS)
def test_marking_done_shows_on_the_project_page_and_memos_are_kept(axe_page, live_server, api, viewport):
    project = api.create_project()
    name = f"Interview {uuid.uuid4().hex[:6]}.txt"
    document = api.import_text(project["id"], name, TEXT + f"\nPV44: Marker {uuid.uuid4().hex}.\n")
    start = document["text"].index("I felt safe there")
    api.code(document["id"], start, start + len("I felt safe there"), "safety")
    page = axe_page(live_server, viewport=viewport)

    page.goto(f"/projects/{project['id']}")
    expect(page.locator("#progress")).to_contain_text("0 of 1 done")
    page.locator("#documents").get_by_role("link", name=name).click()
    status = page.locator("#doc-progress")
    expect(status.get_by_role("radio", name="In progress")).to_be_checked()
    assert_no_axe_violations(page, f"the document page at {viewport['width']} px")

    _click(page, status.locator("label.segment", has_text="Done"))
    expect(page.locator("#doc-progress")).to_contain_text("You marked this transcript done")
    expect(page.locator("#doc-progress").get_by_role("radio", name="Done")).to_be_checked()
    expect(page.locator("#undo")).to_contain_text("marking the transcript done")
    assert_no_axe_violations(page, f"the document page marked done at {viewport['width']} px")

    _click(page, page.locator("#doc-memo summary"))
    memo = page.get_by_label("Your memo on this transcript")
    _click(page, memo)
    expect(memo).to_be_focused()
    page.keyboard.type("Ground rules come up twice; ask about them in the next interview.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save memo")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#doc-memo")).to_contain_text("Memo saved")
    assert_no_axe_violations(page, f"the document page with its memo saved at {viewport['width']} px")
    _no_sideways_scroll(page)

    page.reload()
    _click(page, page.locator("#doc-memo summary"))
    expect(page.get_by_label("Your memo on this transcript")).to_have_value(
        "Ground rules come up twice; ask about them in the next interview.")
    expect(page.locator("#doc-progress").get_by_role("radio", name="Done")).to_be_checked()

    page.goto(f"/projects/{project['id']}")
    expect(page.locator("#progress")).to_contain_text("1 of 1 done")
    assert page.locator("#overall-progress").evaluate("(p) => [p.value, p.max]") == [1, 1]
    row = page.locator("#documents tr", has_text=name)
    expect(row.locator(".status-badge")).to_have_text("✓ done")
    assert_no_axe_violations(page, f"the project page at {viewport['width']} px")
    _no_sideways_scroll(page)

    page.get_by_role("navigation", name="Project").get_by_role("link", name="Memos").click()
    expect(page.get_by_role("heading", name="Memos", level=1)).to_be_visible()
    _click(page, page.get_by_label("Title"))
    page.keyboard.type("Questions for the codebook")
    page.keyboard.press("Tab")
    page.keyboard.type("Should Ground rules sit under Safety?")
    _click(page, page.get_by_role("button", name="Add memo"))
    memo_card = page.locator("article.memo", has_text="Questions for the codebook")
    expect(memo_card).to_contain_text("Should Ground rules sit under Safety?")
    expect(memo_card).to_contain_text("local · written")
    assert_no_axe_violations(page, f"the memos page at {viewport['width']} px")
    _no_sideways_scroll(page)
