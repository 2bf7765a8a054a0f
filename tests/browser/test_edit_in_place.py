"""Changing a coding in place in a real browser: dragging its ends (word-snapped), recoding and nudging it by
keyboard, the palette's counts after coding, and moving a code in the codebook."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHAR_BOXES_JS, SCREENS, assert_no_axe_violations

pytestmark = pytest.mark.browser

TEXT = ("Interviewer: What made the group feel safe?\n\n"
        "PV12: Nobody judges you there, whatever you say about yourself.\n\n"
        "Interviewer: And the rules?\n\n"
        "PV12: What is said in the room stays in the room.\n")


@pytest.fixture
def page(new_person_page, live_server):
    """A page that fails on console errors, and lets axe-core's script past the Content-Security-Policy."""
    return new_person_page(live_server, bypass_csp=True)


def _arrange(api, phrase="Nobody judges you", key="safety"):
    project = api.create_project()["id"]
    document = api.import_text(project, "pv12.txt", TEXT)
    start = document["text"].index(phrase)
    coding = api.code(document["id"], start, start + len(phrase), key)
    return project, document, coding


def _stored(api, project, coding):
    found = next(c for c in api.codings(project) if c["id"] == coding["id"])
    return TEXT[found["start"]:found["end"]], found["code_id"]


def _open_popover(page, passage):
    run = page.locator("#transcript span.run.coded", has_text=passage).first
    run.scroll_into_view_if_needed()
    box = run.bounding_box()
    page.mouse.click(box["x"] + 4, box["y"] + box["height"] / 2)
    expect(page.locator("#coding-panel")).to_be_visible()


def _popover_on_a_coding(page, api, viewport):
    """Safety on "Nobody judges you", its popover opened by a click at this screen size."""
    page.set_viewport_size(viewport)
    project, document, coding = _arrange(api)
    page.goto(f"/documents/{document['id']}")
    _open_popover(page, "Nobody judges you")
    return project, coding


def _drag(page, which, needle, at_letter):
    """Drag a handle with the real mouse to the middle of a letter of `needle`."""
    handle = page.locator(f".span-handle.{which}")
    expect(handle).to_be_visible()
    box = handle.bounding_box()
    target = page.evaluate(CHAR_BOXES_JS, [needle, 0])["first"]
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    x = target["x"] + target["width"] * (at_letter + 0.5)
    page.mouse.move(x, target["y"] + target["height"] / 2, steps=8)
    page.mouse.up()


def _no_sideways_scroll(page):
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", SCREENS)
def test_dragging_the_handles_resizes_the_coding_to_whole_words(page, api, viewport):
    project, coding = _popover_on_a_coding(page, api, viewport)
    expect(page.locator(".span-handle.start")).to_be_visible()
    assert_no_axe_violations(page, "the popover with span controls")
    _no_sideways_scroll(page)

    _drag(page, "end", "there, whatever", 2)  # let go in the middle of "there"
    expect(page.locator("#status")).to_have_text("The span of “Nobody judges you there” is saved")
    assert _stored(api, project, coding) == ("Nobody judges you there", "safety")
    expect(page.locator("#coding-panel blockquote")).to_have_text("Nobody judges you there")
    expect(page.locator("#coding-panel")).to_be_visible()

    _drag(page, "start", "judges", 3)  # into the middle of "judges": the start snaps to the word's start
    expect(page.locator("#status")).to_have_text("The span of “judges you there” is saved")
    assert _stored(api, project, coding) == ("judges you there", "safety")
    expect(page.locator("#transcript span.run.coded")).to_have_text("judges you there")
    expect(page.locator("#undo")).to_have_text("Undo: span of Safety on “judges you there”")

    page.locator("#coding-panel .close-popover").click()
    expect(page.locator(".span-handle.start")).to_be_hidden()
    page.locator("#undo").click()
    expect(page.locator("#status")).to_have_text("Put Safety on “Nobody judges you there” back as it was")
    assert _stored(api, project, coding) == ("Nobody judges you there", "safety")


@pytest.mark.parametrize("viewport", SCREENS)
def test_alt_keeps_the_exact_letter_a_drag_ends_on(page, api, viewport):
    project, coding = _popover_on_a_coding(page, api, viewport)
    page.keyboard.down("Alt")
    _drag(page, "end", "there, whatever", 2)
    page.keyboard.up("Alt")
    expect(page.locator("#status")).to_contain_text("is saved")
    assert _stored(api, project, coding)[0] in ("Nobody judges you th", "Nobody judges you the")


@pytest.mark.parametrize("viewport", SCREENS)
def test_a_coding_is_recoded_and_nudged_with_the_keyboard_alone(page, api, viewport):
    page.set_viewport_size(viewport)
    project, document, coding = _arrange(api)
    page.goto(f"/documents/{document['id']}")
    run = page.locator("#transcript span.run.coded")
    run.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#coding-panel")).to_be_visible()
    expect(page.locator("#coding-panel .close-popover")).to_be_focused()
    for _ in range(8):  # Close, the memo, Save memo, Remove code, the four span buttons, then the filter
        page.keyboard.press("Tab")
    expect(page.locator("#coding-panel .recode-filter")).to_be_focused()
    page.keyboard.type("confid")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Changed to Confidentiality")
    expect(page.locator("#coding-panel")).to_be_visible()
    assert _stored(api, project, coding) == ("Nobody judges you", "safety/confidentiality")
    expect(page.locator("#coding-panel .recode-filter")).to_be_focused()
    expect(page.locator("#undo")).to_have_text("Undo: changing Safety to Confidentiality on “Nobody judges you”")

    page.keyboard.press("Shift+Tab")  # back to "End later"
    expect(page.locator("#coding-panel .nudge[data-move='end-later']")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("The span of “Nobody judges you there” is saved")
    assert _stored(api, project, coding) == ("Nobody judges you there", "safety/confidentiality")
    expect(page.locator("#coding-panel .nudge[data-move='end-later']")).to_be_focused()
    assert_no_axe_violations(page, "the popover after a keyboard recode")

    page.keyboard.press("Control+z")
    expect(page.locator("#status")).to_have_text("Put Confidentiality on “Nobody judges you” back as it was")
    page.keyboard.press("Control+z")
    expect(page.locator("#status")).to_have_text("Changed Confidentiality on “Nobody judges you” back to Safety")
    assert _stored(api, project, coding) == ("Nobody judges you", "safety")


@pytest.mark.parametrize("viewport", SCREENS)
def test_the_palette_counts_change_as_passages_are_coded_and_removed(page, api, ui, viewport):
    page.set_viewport_size(viewport)
    project, document, coding = _arrange(api)
    other = api.import_text(project, "pv13.txt", TEXT.replace("PV12", "PV13"))
    api.code(other["id"], 50, 60, "focus/social")
    page.goto(f"/documents/{document['id']}")
    social = page.locator('#palette li.code[data-key="focus/social"] .count')
    expect(social.locator("[aria-hidden]")).to_have_text("0 · 1")
    ui.select(page, "the rules")
    page.locator('#palette li.code[data-key="focus/social"]').click()
    expect(page.locator("#transcript span.run.coded", has_text="the rules")).to_have_count(1)
    expect(social.locator("[aria-hidden]")).to_have_text("1 · 2")
    expect(social.locator(".visually-hidden")).to_have_text("1 coding in this transcript, 2 in the project")
    assert_no_axe_violations(page, "the palette with counts")
    _open_popover(page, "the rules")
    page.locator("#coding-panel button", has_text="Remove code").click()
    expect(social.locator("[aria-hidden]")).to_have_text("0 · 1")
    _no_sideways_scroll(page)


@pytest.mark.parametrize("viewport", SCREENS)
def test_the_lead_moves_a_code_under_another_parent_and_undoes_it(page, api, viewport):
    page.set_viewport_size(viewport)
    project, document, coding = _arrange(api, key="safety/confidentiality")
    page.goto(f"/projects/{project}/codebook")
    node = page.locator('[id="code-safety/confidentiality"]')
    expect(node).to_have_class(re.compile(r"depth-1"))
    node.locator("summary").click()
    expect(node.locator(".code-count")).to_have_text("· 1 coding in the project")
    node.get_by_label("Move under").select_option(label="Focus of peer support")
    node.get_by_role("button", name="Move").click()
    expect(page.locator("#codebook p.ok")).to_contain_text("Moved Confidentiality under Focus of peer support.")
    keys = page.locator(".tree > li").evaluate_all("(items) => items.map((li) => li.id.slice(5))")
    at = keys.index("safety/confidentiality")
    assert keys[at - 1].startswith("focus/") and keys[keys.index("focus")] == "focus"
    assert_no_axe_violations(page, "the codebook after a move")
    _no_sideways_scroll(page)

    moved = page.locator('[id="code-safety/confidentiality"]')
    choices = moved.locator("select[name=parent] option").evaluate_all("(options) => options.map((o) => o.value)")
    assert "safety/confidentiality" not in choices and "focus" in choices  # never under itself

    page.locator("#codebook-undo").click()
    expect(page.locator("#codebook p.ok")).to_have_text("Moved code Confidentiality back under Safety.")
    keys = page.locator(".tree > li").evaluate_all("(items) => items.map((li) => li.id.slice(5))")
    assert keys[keys.index("safety/confidentiality") - 1] == "safety/emotional-distance"
