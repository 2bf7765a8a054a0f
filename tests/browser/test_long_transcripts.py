"""A long transcript in the browser, with real mouse and keyboard at desktop and phone sizes: turns arrive as
the coder scrolls, find steps through hits in chunks not yet loaded and marks them, the outline jumps to a far
turn, a deep link opens a far passage, and a passage in a lazily loaded turn codes exactly."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, assert_no_axe_violations
from tests.browser.test_workspace_selection import _drag, _in_viewport

pytestmark = pytest.mark.browser

FAR_WORD = {5: "Zanzibar", 150: "Zanzíbar", 390: "ZANZIBAR"}


def _turn(i: int) -> str:
    speaker = "Interviewer" if i % 2 == 0 else "PV8"
    extra = f" We once went to {FAR_WORD[i]} together." if i in FAR_WORD else ""
    return f"{speaker}: Turn {i} says the group met on a quiet evening and people listened well.{extra}"


TRANSCRIPT = "\n\n".join(_turn(i) for i in range(400))


def _open(page, api, size, query: str = ""):
    page.set_viewport_size(size)
    project = api.create_project()
    document = api.import_text(project["id"], "long.txt", TRANSCRIPT)
    page.goto(f"/documents/{document['id']}{query}")
    expect(page.locator("#transcript .turn").first).to_be_visible()
    return project, document


def _numbers(page) -> list[int]:
    """The turn numbers on the page, in DOM order."""
    texts = page.locator("#transcript .turn .text").all_inner_texts()
    return [int(re.match(r"Turn (\d+) says", t).group(1)) for t in texts]


def _contiguous(page) -> list[int]:
    numbers = _numbers(page)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), numbers
    return numbers


def _turn_locator(page, i: int):
    return page.locator("#transcript .turn").filter(has=page.locator(".text", has_text=re.compile(rf"^\s*Turn {i} says")))


def _scroll_until(page, size, i: int) -> None:
    """Scroll down the transcript with the mouse wheel until turn `i` has arrived, for as long as chunks keep
    arriving on a busy machine (each wheel waits for the page to settle), and fail here if it never does."""
    page.mouse.move(size["width"] / 3, size["height"] / 2)
    deadline = time.monotonic() + 45
    while not _turn_locator(page, i).count() and time.monotonic() < deadline:
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(150)
    expect(_turn_locator(page, i)).to_have_count(1)


def _current_hit(page) -> dict:
    return page.evaluate("""() => {
      const current = [...(CSS.highlights.get("find-current") || [])];
      if (current.length !== 1) return {count: current.length};
      const range = current[0];
      const box = range.getBoundingClientRect();
      const turn = range.startContainer.parentElement.closest(".turn");
      return {count: 1, text: range.toString(), top: box.top, bottom: box.bottom,
              turn: turn.querySelector(".text").textContent.match(/Turn (\\d+) says/)[1],
              marked: (CSS.highlights.get("find-hit") || new Set()).size};
    }""")


@pytest.mark.parametrize("size", SCREENS)
def test_turns_arrive_as_the_coder_scrolls_and_stay_in_text_order(page, api, size):
    _open(page, api, size)
    first = _contiguous(page)
    assert first[0] == 0 and len(first) < 400
    _scroll_until(page, size, 120)
    expect(_turn_locator(page, 120)).to_have_count(1)
    assert _contiguous(page)[0] == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    expect(page.locator(".more-turns.after")).to_be_attached()


@pytest.mark.parametrize("size", SCREENS)
def test_find_steps_through_hits_across_chunks_and_marks_them(page, api, size):
    _open(page, api, size)
    box = page.locator("#find-query")
    box.click()
    page.keyboard.type("zanzibar")
    expect(page.locator("#find-count")).to_have_text("3 found")
    page.keyboard.press("Enter")
    expect(page.locator("#find-count")).to_have_text("1 of 3 found")
    hit = _current_hit(page)
    assert (hit["text"], hit["turn"]) == ("Zanzibar", "5") and 0 <= hit["top"] and hit["bottom"] <= size["height"]
    page.keyboard.press("Enter")
    expect(page.locator("#find-count")).to_have_text("2 of 3 found")
    expect(_turn_locator(page, 150)).to_have_count(1)
    page.wait_for_function("() => (CSS.highlights.get('find-current') || new Set()).size === 1")
    hit = _current_hit(page)
    assert (hit["text"], hit["turn"]) == ("Zanzíbar", "150") and 0 <= hit["top"] and hit["bottom"] <= size["height"]
    _contiguous(page)
    expect(box).to_be_focused()
    page.keyboard.press("Shift+Enter")
    expect(page.locator("#find-count")).to_have_text("1 of 3 found")
    page.locator("#find-previous").click()
    expect(page.locator("#find-count")).to_have_text("3 of 3 found")
    expect(_turn_locator(page, 390)).to_have_count(1)
    page.wait_for_function("() => (CSS.highlights.get('find-current') || new Set()).size === 1")
    hit = _current_hit(page)
    assert (hit["text"], hit["turn"]) == ("ZANZIBAR", "390") and 0 <= hit["top"] and hit["bottom"] <= size["height"]
    _contiguous(page)


@pytest.mark.parametrize("size", SCREENS)
def test_the_outline_jumps_to_a_far_turn(page, api, size):
    _open(page, api, size)
    page.locator("#outline summary").click()
    expect(page.locator("#outline-list li a")).to_have_count(200)
    more = page.locator("#outline-list .outline-more button")
    more.scroll_into_view_if_needed()
    more.click()
    expect(page.locator("#outline-list li a")).to_have_count(400)
    entry = page.locator("#outline-list li a", has_text="Turn 350 says")
    entry.scroll_into_view_if_needed()
    entry.click()
    turn = _turn_locator(page, 350)
    expect(turn).to_be_focused()
    box = turn.bounding_box()
    assert 0 <= box["y"] < size["height"]
    _contiguous(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


@pytest.mark.parametrize("size", SCREENS)
def test_a_deep_link_to_a_far_offset_opens_its_passage(page, api, size):
    page.set_viewport_size(size)
    project = api.create_project()
    document = api.import_text(project["id"], "long.txt", TRANSCRIPT)
    at = document["text"].index("Turn 300 says") + 5
    page.goto(f"/documents/{document['id']}?at={at}")
    flashed = page.locator("#transcript .run.flash")
    expect(flashed).to_have_count(1)
    assert "Turn 300 says" in flashed.inner_text()
    _in_viewport(page, "#transcript .run.flash")
    assert _numbers(page)[0] <= 300 and 300 in _contiguous(page)
    expect(page.locator("#transcript .more-turns.before")).to_be_attached()


@pytest.mark.parametrize("size", SCREENS)
def test_a_passage_in_a_lazily_loaded_turn_codes_exactly(page, api, size):
    project, document = _open(page, api, size)
    assert not _turn_locator(page, 250).count()
    _scroll_until(page, size, 250)
    _drag(page, "Turn 250 says the group met")
    expect(page.locator("#pending-text")).to_have_text("Turn 250 says the group met")
    page.keyboard.press("1")
    expect(page.locator("#coding-count")).to_have_text("1")
    codings = api.codings(project["id"])
    assert [c["text"] for c in codings] == ["Turn 250 says the group met"]
    expect(_turn_locator(page, 250).locator(".run.coded")).to_have_text("Turn 250 says the group met")


@pytest.mark.parametrize("size", SCREENS)
def test_every_state_of_a_long_transcript_passes_axe(axe_page, live_server, api, size):
    page = axe_page(live_server, viewport=size)
    project = api.create_project()
    document = api.import_text(project["id"], "long.txt", TRANSCRIPT)
    page.goto(f"/documents/{document['id']}")
    assert_no_axe_violations(page, f"a long transcript's first chunk at {size['width']} px")
    page.locator("#find-query").click()
    page.keyboard.type("zanzibar")
    page.keyboard.press("Enter")
    expect(page.locator("#find-count")).to_have_text("1 of 3 found")
    page.keyboard.press("Enter")
    expect(_turn_locator(page, 150)).to_have_count(1)
    assert_no_axe_violations(page, f"find with hits marked, after a far chunk loaded, at {size['width']} px")
    page.locator("#outline summary").click()
    expect(page.locator("#outline-list li a")).to_have_count(200)
    assert_no_axe_violations(page, f"the turn outline open at {size['width']} px")
    page.goto(f"/documents/{document['id']}?from=390")
    assert_no_axe_violations(page, f"the last chunk, with its link to earlier turns, at {size['width']} px")


@pytest.mark.allow_console_errors
@pytest.mark.parametrize("size", SCREENS)
def test_a_chunk_that_failed_to_load_is_fetched_again_as_the_coder_scrolls_on(page, api, size):
    failed = []

    def fail_once(route):
        if not failed:
            failed.append(route.request.url)
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    page.route(re.compile(r"/documents/\d+/turns\?"), fail_once)
    _open(page, api, size)
    _scroll_until(page, size, 120)
    assert failed, "no chunk request was refused"
    expect(page.locator("#status")).to_contain_text("could not be loaded (503)")
    _contiguous(page)
