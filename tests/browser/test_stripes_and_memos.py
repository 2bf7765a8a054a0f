"""Codes told apart at a glance, in a real browser at desktop and phone sizes: each overlapping code draws its own
underline, the turn's margin names its codes beside their passages (chips under the speaker on a phone), a label
opens its code's passages, and a memo saved in the popover puts a marker on its passage."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, assert_no_axe_violations

pytestmark = pytest.mark.browser

TEXT = ("Interviewer: What made the group feel safe?\n\n"
        "PV44: Nobody judges you there. What is said in the room stays in the room, and we wrote that together. "
        "It took a few weeks before I said anything at all, but nobody pushed me.\n\n"
        "Interviewer: Anything else?\n\n"
        "PV44: The tea was awful.\n")
CODINGS = [("Nobody judges you", "freedom-to-be-oneself/non-judgemental"),
           ("What is said in the room stays in the room", "safety/confidentiality"),
           ("stays in the room", "safety/ground-rules"),
           ("the room stays in", "safety"),
           ("stays in", "focus/social"),
           ("stays in", "human-connection/community")]
NAMES = ["Non-judgemental attitude and respect for differences", "Confidentiality", "Safety", "Ground rules",
         "Social focus", "Creating a sense of community"]
MEMO = "Trust comes from the ground rules they wrote themselves."

STRIPES_JS = """() => Array.from(document.querySelectorAll('#transcript .stripe')).map((li) => {
  const label = li.querySelector('.stripe-label'), bar = li.querySelector('.bar');
  const b = bar && bar.getBoundingClientRect(), l = label.getBoundingClientRect();
  return {name: label.querySelector('.name').textContent, title: label.title,
          truncated: label.querySelector('.name').scrollWidth > label.querySelector('.name').clientWidth,
          bar: b && b.width ? {top: b.top, bottom: b.bottom, left: b.left} : null,
          label: {top: l.top, left: l.left, right: l.right, bottom: l.bottom}};
})"""
RUN_BOX_JS = """([start, end]) => {
  const first = document.querySelector('#transcript .run[data-s="' + start + '"]').getClientRects()[0];
  const rects = document.querySelector('#transcript .run[data-e="' + end + '"]').getClientRects();
  return {top: first.top, bottom: rects[rects.length - 1].bottom};
}"""


def _open(axe_page, live_server, api, size):
    page = axe_page(live_server, viewport=size)
    project = api.create_project()
    document = api.import_text(project["id"], "stripes.txt", TEXT)
    text = document["text"]
    for words, key in CODINGS:
        start = text.index(words)
        api.code(document["id"], start, start + len(words), key)
    page.goto(f"/documents/{document['id']}")
    expect(page.locator("#transcript .stripe-label")).to_have_count(len(CODINGS))
    page.locator("#transcript .turn", has_text="Nobody judges").scroll_into_view_if_needed()
    page.wait_for_timeout(100)  # the bars settle on the next frame
    return page, project, document


def _fits(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


@pytest.mark.parametrize("size", SCREENS)
def test_overlapping_codes_each_draw_their_own_colour_and_the_margin_names_them(axe_page, live_server, api, size):
    page, _, document = _open(axe_page, live_server, api, size)
    text = document["text"]
    stripes = page.evaluate(STRIPES_JS)
    assert [s["name"] for s in stripes] == NAMES
    assert stripes[0]["truncated"] or size["width"] < 900, "a long name is cut short beside the turn"
    assert stripes[0]["title"].startswith("Non-judgemental attitude and respect for differences · 1 passage")
    turn_text = page.locator("#transcript .turn", has_text="Nobody judges").locator(".text").bounding_box()
    if size["width"] >= 900:
        # one bar per code beside the text, from its passage's first line to its last
        for stripe in stripes:
            assert stripe["bar"] and stripe["bar"]["left"] >= turn_text["x"] + turn_text["width"]
        where = text.index(CODINGS[1][0])
        lines = page.evaluate(RUN_BOX_JS, [where, where + len(CODINGS[1][0])])
        bar = stripes[1]["bar"]
        assert abs(bar["top"] - lines["top"]) < 2 and abs(bar["bottom"] - lines["bottom"]) < 2, (bar, lines)
        # each label beside the top of its bar, or just below the label before it when that takes the place
        assert abs(stripes[0]["label"]["top"] - stripes[0]["bar"]["top"]) < 2
        for before, after in zip(stripes, stripes[1:]):
            assert after["label"]["top"] >= before["label"]["bottom"], "labels never overlap"
            assert after["label"]["top"] >= after["bar"]["top"] - 1, "a label is never above its passage"
    else:
        # chips between the speaker and the words, no bars
        for stripe in stripes:
            assert stripe["bar"] is None and stripe["label"]["bottom"] <= turn_text["y"] + 1
            assert stripe["label"]["right"] <= size["width"]
    five = page.locator("#transcript .run.coded", has_text="stays in").first
    expect(five).to_have_text("stays in")
    shown = five.evaluate("""(run) => ({lines: getComputedStyle(run).boxShadow.match(/rgb\\([^)]*\\)/g),
                                       more: getComputedStyle(run, '::after').content,
                                       back: getComputedStyle(run).backgroundColor, title: run.title})""")
    assert len(set(shown["lines"])) == 4, "four stacked underlines, each in its own code's colour"
    assert shown["more"] == '"+1"', "the fifth code is counted"
    assert all(name in shown["title"] for name in ("Confidentiality", "Ground rules", "Safety", "Social focus",
                                                   "Creating a sense of community"))
    _fits(page)
    assert_no_axe_violations(page, f"a transcript with overlapping codes at {size['width']} px")


@pytest.mark.parametrize("size", SCREENS)
def test_a_stripe_label_opens_its_passages_and_a_saved_memo_marks_the_passage(axe_page, live_server, api, size):
    page, project, document = _open(axe_page, live_server, api, size)
    label = page.locator("#transcript .stripe-label", has_text=NAMES[0])
    box = label.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    panel = page.locator("#coding-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".coding strong")).to_have_text([NAMES[0]])
    expect(page.locator("#transcript .run.lit")).to_have_text(["Nobody judges you"])
    assert page.evaluate("() => document.getElementById('coding-panel').contains(document.activeElement)")
    assert_no_axe_violations(page, f"a stripe's passages opened at {size['width']} px")

    expect(page.locator("#transcript .memo-mark")).to_have_count(0)
    memo = panel.locator("textarea[name=memo]")
    memo.click()
    page.keyboard.type(MEMO)
    panel.get_by_role("button", name="Save memo").click()
    expect(panel.locator(".memo-status")).to_have_text("Memo saved")
    mark = page.locator("#transcript .memo-mark")
    expect(mark).to_have_count(1)
    expect(mark).to_have_attribute("aria-label", f"has a memo: {NAMES[0]}: {MEMO}")
    assert mark.evaluate("(m) => m.previousElementSibling.textContent") == "Nobody judges you"
    expect(label).to_contain_text("has a memo")
    assert [c["memo"] for c in api.codings(project["id"]) if c["text"] == "Nobody judges you"] == [MEMO]

    page.mouse.move(2, size["height"] - 2)  # off the label: hovering one lights its passages too
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.locator("#transcript .run.lit")).to_have_count(0)
    mark.scroll_into_view_if_needed()
    spot = mark.bounding_box()
    page.mouse.move(spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2)
    tip = mark.evaluate("(m) => getComputedStyle(m, '::after').content")
    assert tip == f'"{NAMES[0]}: {MEMO}"', "hovering the marker shows how the memo starts"
    _fits(page)
    assert_no_axe_violations(page, f"a passage with a memo at {size['width']} px")
    # the marker opens its passage from the keyboard too
    mark.focus()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(panel.locator("textarea[name=memo]")).to_have_value(MEMO)
    assert not page.console_errors, page.console_errors


def test_a_coder_reaches_a_stripe_label_with_the_keyboard_and_opens_it(axe_page, live_server, api):
    page, _, _ = _open(axe_page, live_server, api, {"width": 1440, "height": 900})
    first = page.locator("#transcript .stripe-label").first
    first.focus()
    page.keyboard.press("Tab")
    expect(page.locator("#transcript .stripe-label").nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.locator("#coding-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#transcript .run.lit")).to_have_count(4)  # the four runs Confidentiality spans
    assert page.evaluate("() => document.getElementById('coding-panel').contains(document.activeElement)")
