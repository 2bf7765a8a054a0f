"""The coding workspace with real mouse and keyboard at desktop and phone sizes: selections over codings,
snapping to words, no stale selection, the codes popover at the passage, messages in view, the header's
count, definitions in the window, and a coding retried after the session ended."""

from typing import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHAR_BOXES_JS, SCREENS
from tests.browser.test_team import PASSWORDS, TEAM_SERVER_SCRIPT, TRANSCRIPT as TEAM_TRANSCRIPT
from tests.browser.test_team import _seed as seed_team

pytestmark = pytest.mark.browser

PASSAGE = "The caseworker at the refugee centre listened to me and I felt safe for the first time."
FILLER = "Interviewer: Can you say more about that week?\n\nPV1: It was an ordinary week, nothing much happened.\n\n"
TRANSCRIPT = FILLER * 12 + "Interviewer: And then?\n\nPV1: " + PASSAGE + "\n\n" + FILLER * 4


def _open(page, api, size, text: str = TRANSCRIPT):
    page.set_viewport_size(size)
    project = api.create_project()
    document = api.import_text(project["id"], "workspace.txt", text)
    page.goto(f"/documents/{document['id']}")
    expect(page.locator("#transcript .turn")).to_have_count(len(document["turns"]))
    return project, document


def _boxes(page, needle: str):
    boxes = page.evaluate(CHAR_BOXES_JS, [needle, 0])
    assert boxes and boxes["first"] and boxes["last"], f"{needle!r} is not in the transcript"
    return boxes["first"], boxes["last"]


def _drag(page, needle: str, alt: bool = False) -> None:
    """Scroll `needle` into view and drag over it with the real mouse, first character to last."""
    page.evaluate("""(needle) => {
      const turn = Array.from(document.querySelectorAll('#transcript .turn')).find((t) => t.textContent.includes(needle));
      turn.scrollIntoView({block: 'center'});
    }""", needle)
    first, last = _boxes(page, needle)
    page.mouse.move(first["x"] + 1, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["width"] - 1, last["y"] + last["height"] / 2, steps=8)
    if alt:
        page.keyboard.down("Alt")
    page.mouse.up()
    if alt:
        page.keyboard.up("Alt")


def _click_code(page, key: str) -> None:
    page.locator(f'#palette li.code[data-key="{key}"]').click()


def _in_viewport(page, selector: str) -> dict:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box, f"{selector} is not shown"
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"], (selector, box, size)
    return box


def _stored(api, project_id: int) -> list[tuple[int, int, str, str]]:
    return sorted((c["start"], c["end"], c["text"], c["code_id"]) for c in api.codings(project_id))


def _at(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


@pytest.mark.parametrize("size", SCREENS)
def test_a_drag_from_the_first_letter_of_a_highlight_co_codes_the_dragged_words(page, api, size):
    project, document = _open(page, api, size)
    text = document["text"]
    api.code(document["id"], *_at(text, "caseworker at the refugee centre"), "safety")
    page.reload()
    for count, words in enumerate(("caseworker at", "caseworker", "refugee centre listened"), start=2):
        _drag(page, words)
        expect(page.locator("#pending-text")).to_have_text(words)
        assert page.evaluate("() => window.getSelection().toString()") == words
        _click_code(page, "human-connection")
        expect(page.locator("#coding-count")).to_have_text(str(count))
        expect(page.locator("#status")).to_have_text("Coded as Human connection")
        expect(page.locator("#pending")).to_be_hidden()
    human = [c for c in _stored(api, project["id"]) if c[3] == "human-connection"]
    assert human == sorted((*_at(text, w), w, "human-connection")
                           for w in ("caseworker at", "caseworker", "refugee centre listened"))


@pytest.mark.parametrize("size", SCREENS)
def test_a_selection_that_is_gone_is_not_coded(page, api, size):
    project, document = _open(page, api, size)
    _drag(page, "refugee centre")
    expect(page.locator("#pending-text")).to_have_text("refugee centre")
    # a click on plain text elsewhere ends the browser selection: nothing stays armed
    first, _ = _boxes(page, "felt safe")
    page.mouse.click(first["x"] + 2, first["y"] + first["height"] / 2)
    assert page.evaluate("() => window.getSelection().isCollapsed")
    expect(page.locator("#pending")).to_be_hidden()
    _click_code(page, "safety")
    page.wait_for_timeout(300)
    assert api.codings(project["id"]) == []
    expect(page.locator("#transcript span.run.coded")).to_have_count(0)
    expect(page.locator("#coding-count")).to_have_text("0")


@pytest.mark.parametrize("size", SCREENS)
def test_a_mouse_selection_snaps_to_whole_words_unless_alt_is_held(page, api, size):
    project, document = _open(page, api, size)
    text = document["text"]
    _drag(page, "aseworker at the refug")
    expect(page.locator("#pending-text")).to_have_text("caseworker at the refugee")
    assert page.evaluate("() => window.getSelection().toString()") == "caseworker at the refugee"
    _click_code(page, "safety")
    expect(page.locator("#status")).to_have_text("Coded as Safety")
    assert _stored(api, project["id"]) == [(*_at(text, "caseworker at the refugee"), "caseworker at the refugee", "safety")]

    _drag(page, "istened to m", alt=True)
    expect(page.locator("#pending-text")).to_have_text("istened to m")
    _click_code(page, "human-connection")
    expect(page.locator("#status")).to_have_text("Coded as Human connection")
    assert (*_at(text, "istened to m"), "istened to m", "human-connection") in _stored(api, project["id"])


@pytest.mark.parametrize("size", SCREENS)
def test_clicking_a_highlight_opens_its_codes_at_the_passage_with_the_focus(page, api, size):
    project, document = _open(page, api, size)
    text = document["text"]
    api.code(document["id"], *_at(text, "refugee centre"), "safety", memo="first contact")
    page.reload()
    run = page.locator("#transcript span.run.coded")
    run.scroll_into_view_if_needed()
    passage = run.bounding_box()
    page.mouse.click(passage["x"] + passage["width"] / 2, passage["y"] + passage["height"] / 2)

    panel = page.locator("#coding-panel")
    expect(panel.locator("li.coding blockquote")).to_have_text("refugee centre")
    expect(panel).to_be_visible()
    box = _in_viewport(page, "#coding-panel")
    passage = run.bounding_box()
    # next to the passage: just under it or just over it
    assert abs(box["y"] - (passage["y"] + passage["height"])) < 40 or abs(box["y"] + box["height"] - passage["y"]) < 40
    assert page.evaluate("() => document.getElementById('coding-panel').contains(document.activeElement)")
    expect(panel.get_by_label("Memo")).to_have_value("first contact")

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert page.evaluate("() => document.activeElement.matches('#transcript span.run.coded')")

    # from the popover, removing the code updates the passage and the header's count
    expect(page.locator("#coding-count")).to_have_text("1")
    page.mouse.click(passage["x"] + passage["width"] / 2, passage["y"] + passage["height"] / 2)
    panel.get_by_role("button", name="Remove code").click()
    expect(page.locator("#status")).to_have_text("Code removed")
    expect(page.locator("#transcript span.run.coded")).to_have_count(0)
    expect(page.locator("#coding-count")).to_have_text("0")
    assert api.codings(project["id"]) == []


@pytest.mark.parametrize("size", SCREENS)
def test_the_header_count_and_the_message_follow_each_coding_where_the_coder_is(page, api, size):
    project, document = _open(page, api, size)
    expect(page.locator("#coding-count")).to_have_text("0")
    _drag(page, "felt safe")
    _click_code(page, "safety")
    expect(page.locator("#status")).to_have_text("Coded as Safety")
    _in_viewport(page, "#status")
    expect(page.locator("#coding-count")).to_have_text("1")
    _drag(page, "first time")
    _click_code(page, "human-connection")
    expect(page.locator("#coding-count")).to_have_text("2")
    assert len(api.codings(project["id"])) == 2


@pytest.mark.parametrize("size", SCREENS)
def test_a_code_definition_on_hover_is_inside_the_window_and_on_top(page, api, size):
    _open(page, api, size)
    code = page.locator('#palette li.code[data-key="safety"]')
    code.scroll_into_view_if_needed()
    code.hover()
    definition = code.locator(".definition")
    expect(definition).to_be_visible()
    box = _in_viewport(page, '#palette li.code[data-key="safety"] .definition')
    on_top = page.evaluate("""([x, y]) => {
      const hit = document.elementFromPoint(x, y);
      return Boolean(hit && hit.closest('.definition'));
    }""", [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert on_top, "something covers the definition"
    assert len(definition.inner_text()) > 10


# --- a session that ends while coding -----------------------------------------------------------------

def _assign_ann(url: str, document_id: int) -> None:
    """Assign the team server's transcript to the coder ann."""
    from coding import store
    from coding.team import accounts
    from coding.db import make_engine, session_for

    engine = make_engine(url)
    try:
        with session_for(engine) as session:
            lead, ann = (accounts.find_user(session, name=n) for n in ("lead", "ann"))
            accounts.assign(session, document=store.get_document(session, document_id=document_id), coder=ann, by=lead)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def session_server(tmp_path_factory, server_runner) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("session-server")
    url = f"sqlite:///{folder / 'browser.db'}"
    ids = seed_team(url)
    _assign_ann(url, ids["document"])
    with server_runner(folder, TEAM_SERVER_SCRIPT, ready=(401,)) as base:
        yield {"url": base, "db": url, **ids}


def _sign_in(page) -> None:
    page.goto("/login")
    page.get_by_label("Name").fill("ann")
    page.get_by_label("Password").fill(PASSWORDS["ann"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _stored_in(url: str, document_id: int) -> list[tuple[int, int, str]]:
    from coding import store
    from coding.db import make_engine, session_for

    engine = make_engine(url)
    try:
        with session_for(engine) as session:
            text = store.get_document(session, document_id=document_id).text
            return [(c.start, c.end, text[c.start:c.end]) for c in store.document_codings(session, document_id=document_id)]
    finally:
        engine.dispose()


@pytest.mark.allow_console_errors
@pytest.mark.parametrize("size", SCREENS)
def test_a_coding_sent_after_the_session_ended_says_so_and_is_retried_after_signing_in(
        session_server, new_person_page, size):
    page = new_person_page(session_server["url"])
    page.set_viewport_size(size)
    _sign_in(page)
    page.goto(f"/documents/{session_server['document']}")
    page.evaluate("() => { window.__marker = 'kept'; }")
    before = _stored_in(session_server["db"], session_server["document"])

    # the session ends in another tab of the same browser
    other = page.context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url("**/login")

    _drag(page, "moderator was watching")
    _click_code(page, "safety")
    alert = page.locator("#session-ended")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Your session has ended — sign in again in a new tab, then press Retry")
    _in_viewport(page, "#session-ended")
    assert page.evaluate("() => window.__marker") == "kept", "the page was navigated away"
    assert page.url.endswith(f"/documents/{session_server['document']}")
    assert _stored_in(session_server["db"], session_server["document"]) == before

    _sign_in(other)
    page.bring_to_front()
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#status")).to_have_text("Coded as Safety")
    expect(alert).to_be_hidden()
    words = "moderator was watching"
    start = TEAM_TRANSCRIPT.index(words)
    after = _stored_in(session_server["db"], session_server["document"])
    assert sorted(after) == sorted(before + [(start, start + len(words), words)])
    expect(page.locator("#transcript span.run.coded").filter(has_text="moderator was watching")).to_have_count(1)
