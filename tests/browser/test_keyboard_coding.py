"""Coding with the keyboard alone, at desktop and phone sizes: a transcript coded from its first turn to its
last (co-coding, removing, a memo, undo), number keys that stay pinned across loads, the codebook as a sheet
on a phone, and a strong focus ring on the reading caret."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, assert_no_axe_violations
from tests.browser.test_workspace_selection import _open as open_document

pytestmark = pytest.mark.browser

TRANSCRIPT = (
    "Interviewer: How did the group start for you?\n\n"
    "PV7: I was scared at first. Then Jo said I could just listen.\n\n"
    "Interviewer: And later on?\n\n"
    "PV7: Later I chose when to talk. Nobody pushed me.\n\n"
    "Interviewer: Anything else?\n\n"
    "PV7: We wrote the rules together. It felt like ours.\n"
)
RTL = ("Interviewer: What helped you most?\n\n"
       "AM7: كنت أشعر بالوحدة كل يوم. بعد ذلك وجدت مجموعة دعم.\n\n"
       "Interviewer: Thank you.\n\nAM7: شكرا لك.\n")

FOCUSED_JS = """() => { const e = document.activeElement, s = getComputedStyle(e);
  return {id: e.id, cls: e.className, text: e.textContent.trim(), tag: e.tagName,
          ring: s.outlineStyle + " " + s.outlineWidth, turn: e.closest('.turn') ? e.closest('.turn').id : null}; }"""
SIDEWAYS_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


def _open(page, api, size, text: str = TRANSCRIPT):
    return open_document(page, api, size, text)


def _focused(page) -> dict:
    return page.evaluate(FOCUSED_JS)


def _selected(page) -> str:
    return page.evaluate("() => window.getSelection().toString()")


def _tab_to_transcript(page) -> dict:
    """Press Tab from the top of the page until the reading caret (a turn) has the focus."""
    for presses in range(1, 31):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if "turn" in focused["cls"].split():
            return focused
    raise AssertionError("30 presses of Tab never reached the transcript")


def _codings(api, project_id: int) -> list[tuple[str, str, str]]:
    return sorted((c["text"], c["code_id"], c["memo"]) for c in api.codings(project_id))


def _key_of(page, number: int) -> str:
    return page.locator(f'#palette li.code[data-shortcut="{number}"]').get_attribute("data-key")


def _pick(page, typed: str) -> None:
    """Open the code filter with "/", type, and code with Enter."""
    page.keyboard.press("/")
    expect(page.locator("#code-filter")).to_be_focused()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")


def _count(page, n: int) -> None:
    expect(page.locator("#coding-count")).to_have_text(str(n))


@pytest.mark.parametrize("size", SCREENS)
def test_a_transcript_is_coded_from_the_first_turn_to_the_last_with_the_keyboard_only(page, api, size):
    project, document = _open(page, api, size)
    pid = project["id"]
    three, five = _key_of(page, 3), _key_of(page, 5)

    # the second Tab reaches a skip link to the transcript; Tab also gets there, to the first turn, with a strong ring
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skip to the transcript"
    page.keyboard.press("Enter")
    assert "turn" in _focused(page)["cls"].split() and _focused(page)["text"].startswith("Interviewer")
    page.goto(page.url)
    focused = _tab_to_transcript(page)
    assert focused["ring"] == "solid 3px" and focused["text"].startswith("Interviewer")

    # down a turn, the first sentence, "/" and a typed name: coded, and the focus is back in the text
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    assert _selected(page) == "I was scared at first."
    expect(page.locator("#pending-text")).to_have_text("I was scared at first.")
    _pick(page, "Safety")
    _count(page, 1)
    expect(page.locator("#status")).to_have_text("Coded as Safety")
    assert _focused(page)["turn"] == _focused(page)["id"] and "Jo said" in _focused(page)["text"]

    # the next sentence, its start moved one word later, coded with the number 3
    page.keyboard.press("ArrowRight")
    assert _selected(page) == "Then Jo said I could just listen."
    page.keyboard.press("Alt+Shift+ArrowRight")
    assert _selected(page) == "Jo said I could just listen."
    page.keyboard.press("3")
    _count(page, 2)

    # two turns down, a sentence grown by a word and then to the end of the next sentence; Enter opens the codes
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    assert _selected(page) == "Later I chose when to talk. Nobody"
    page.keyboard.press("Shift+ArrowDown")
    assert _selected(page) == "Later I chose when to talk. Nobody pushed me."
    page.keyboard.press("Enter")
    expect(page.locator("#code-filter")).to_be_focused()
    page.keyboard.type("choice and")
    page.keyboard.press("Enter")
    _count(page, 3)

    # the last turn, its first sentence, Esc from the filter goes back to the text with the words still selected
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")
    assert _selected(page) == "We wrote the rules together."
    page.keyboard.press("/")
    page.keyboard.press("Escape")
    assert "We wrote the rules" in _focused(page)["text"] and _focused(page)["turn"]
    page.keyboard.press("2")
    _count(page, 4)

    # co-code an already coded passage: [ selects the coded passage before, 5 adds a second code to it
    page.keyboard.press("[")
    assert _selected(page) == "Later I chose when to talk. Nobody pushed me."
    page.keyboard.press("5")
    _count(page, 5)
    stored = _codings(api, pid)
    assert stored == sorted([
        ("I was scared at first.", "safety", ""),
        ("Jo said I could just listen.", three, ""),
        ("Later I chose when to talk. Nobody pushed me.", "choice-and-control", ""),
        ("Later I chose when to talk. Nobody pushed me.", five, ""),
        ("We wrote the rules together.", _key_of(page, 2), ""),
    ])

    # remove a code: back to "Jo said…", Enter opens its codes, Tab to Remove, Enter
    page.keyboard.press("[")
    assert _selected(page) == "Jo said I could just listen."
    page.keyboard.press("Enter")
    panel = page.locator("#coding-panel")
    expect(panel.locator("li.coding")).to_have_count(1)
    expect(panel.locator(".close-popover")).to_be_focused()
    for _ in range(6):
        if _focused(page)["text"] == "Remove code":
            break
        page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Remove code"
    page.keyboard.press("Enter")
    _count(page, 4)
    expect(page.locator("#status")).to_have_text("Code removed")
    assert "Jo said I could just listen." not in [c[0] for c in _codings(api, pid)]
    expect(page.locator("#coding-panel")).to_be_hidden()
    assert _focused(page)["turn"], "the focus is back in the transcript"

    # a memo: Home, ] to the first coded passage, Enter, Tab to the memo, type, Tab to Save, Enter
    page.keyboard.press("Home")
    page.keyboard.press("]")
    assert _selected(page) == "I was scared at first."
    page.keyboard.press("Enter")
    expect(panel.locator("li.coding")).to_have_count(1)
    expect(panel.locator(".close-popover")).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Memo")).to_be_focused()
    page.keyboard.type("Fear first, then permission to listen.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(panel.locator(".memo-status")).to_have_text("Memo saved")
    assert ("I was scared at first.", "safety", "Fear first, then permission to listen.") in _codings(api, pid)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert _focused(page)["turn"]

    # undo, twice: the memo goes, then the removed code comes back
    page.keyboard.press("Control+z")
    expect(page.locator("#status")).to_contain_text("Restored the memo")
    assert ("I was scared at first.", "safety", "") in _codings(api, pid)
    page.keyboard.press("Control+z")
    expect(page.locator("#status")).to_contain_text("Put back")
    _count(page, 5)
    assert ("Jo said I could just listen.", three, "") in _codings(api, pid)
    assert page.evaluate(SIDEWAYS_JS) <= 0


@pytest.mark.parametrize("size", SCREENS)
def test_enter_on_a_suggestions_accept_button_accepts_it_even_while_words_are_selected(page, api, size):
    project, document = _open(page, api, size)
    _tab_to_transcript(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press(" ")
    assert _selected(page) == "I was scared at first."
    accept = page.locator("#suggestions button.accept").first
    for _ in range(200):
        if page.evaluate("() => document.activeElement.matches('#suggestions button.accept')"):
            break
        page.keyboard.press("Tab")
    expect(accept).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Accepted: coded as suggested")
    assert _codings(api, project["id"]) == [("Later I chose when to talk.", "choice-and-control", "")], \
        "the suggestion is accepted and the selected words are not coded with the first code"


@pytest.mark.parametrize("size", SCREENS)
def test_pinned_number_keys_hold_across_reloads_and_after_other_codes_are_used_more(page, api, size):
    project, document = _open(page, api, size)
    pid, text = project["id"], document["text"]
    four_before = _key_of(page, 4)
    # pin from the keyboard: filter to a code, down into the list, Shift+4
    page.keyboard.press("/")
    page.keyboard.type("confidentiality")
    page.keyboard.press("ArrowDown")
    expect(page.locator('#palette li.code[data-key="safety/confidentiality"]')).to_be_focused()
    page.keyboard.press("Shift+Digit4")
    expect(page.locator('#shortcuts .pin[data-shortcut="4"]')).to_have_attribute("data-key", "safety/confidentiality")
    expect(page.locator("#status")).to_have_text("Key 4 now codes Confidentiality")
    expect(page.locator('#palette li.code[data-key="safety/confidentiality"] kbd')).to_have_text("4")
    expect(page.locator(f'#palette li.code[data-key="{four_before}"] kbd')).to_have_count(0)
    numbers = page.locator("#shortcuts .pin").evaluate_all("(b) => b.map((x) => x.dataset.shortcut + x.dataset.key)")
    assert [n[0] for n in numbers] == [str(n) for n in range(1, 10)] and numbers[3] == "4safety/confidentiality"

    # the same keys on the next load, and after another code is used far more
    page.reload()
    shown = page.locator("#shortcuts .pin").evaluate_all("(b) => b.map((x) => x.dataset.shortcut + x.dataset.key)")
    assert shown == numbers
    start = text.index("Later")
    for _ in range(5):
        api.code(document["id"], start, start + 5, four_before)
    page.reload()
    assert page.locator("#shortcuts .pin").evaluate_all("(b) => b.map((x) => x.dataset.shortcut + x.dataset.key)") == numbers

    # the key codes what it shows
    _tab_to_transcript(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("4")
    expect(page.locator("#status")).to_have_text("Coded as Confidentiality")
    assert ("I was scared at first.", "safety/confidentiality", "") in _codings(api, pid)

    # the form frees a key; the row shows it at once and the reload keeps it free
    page.locator(".pin-editor summary").click()
    page.locator(".pin-editor select[name=slot]").select_option("4")
    page.locator(".pin-editor select[name=code]").select_option("")
    page.locator(".pin-editor button[type=submit]").click()
    expect(page.locator("#status")).to_have_text("Key 4 is free")
    expect(page.locator('#shortcuts .pin[data-shortcut="4"]')).to_have_count(0)
    page.reload()
    expect(page.locator('#shortcuts .pin[data-shortcut="4"]')).to_have_count(0)
    expect(page.locator('#palette li.code[data-shortcut="4"]')).to_have_count(0)


def _sheet(page) -> dict:
    return page.evaluate("""() => { const p = document.getElementById('palette'), r = p.getBoundingClientRect(),
      s = getComputedStyle(p), sel = getSelection(), box = sel.rangeCount ? sel.getRangeAt(0).getBoundingClientRect() : null;
      return {position: s.position, top: r.top, bottom: r.bottom, height: r.height, visible: s.visibility,
              selectionBottom: box && box.height ? box.bottom : null, selectionTop: box && box.height ? box.top : null}; }""")


def test_on_a_phone_the_codebook_comes_up_as_a_sheet_under_the_selected_words(axe_page, live_server, api, ui):
    page = axe_page(live_server, viewport={"width": 390, "height": 844})
    project = api.create_project()
    filler = "Interviewer: Go on.\n\nPV7: It was an ordinary week, nothing much happened at all that week.\n\n" * 10
    document = api.import_text(project["id"], "sheet.txt", filler + TRANSCRIPT)
    page.goto(f"/documents/{document['id']}")
    closed = _sheet(page)
    assert closed["position"] != "fixed"

    # a mouse selection low on the screen: the sheet comes up at the bottom, the words stay above it
    page.evaluate("""() => { const t = Array.from(document.querySelectorAll('#transcript .turn'))
      .find((x) => x.textContent.includes('Nobody pushed me')); t.scrollIntoView({block: 'end'}); }""")
    ui.drag_select(page, "Nobody pushed me")
    expect(page.locator("#pending-text")).to_have_text("Nobody pushed me")
    expect(page.locator("body")).to_have_class("sheet-open")
    sheet = _sheet(page)
    assert sheet["position"] == "fixed" and abs(sheet["bottom"] - 844) < 2 and sheet["height"] <= 844 * 0.55
    assert sheet["selectionTop"] >= 0 and sheet["selectionBottom"] <= sheet["top"], sheet
    assert page.evaluate(SIDEWAYS_JS) <= 0
    assert_no_axe_violations(page, "the codebook sheet, open")
    # a number key codes from the sheet; it goes down again
    page.keyboard.press("1")
    expect(page.locator("#coding-count")).to_have_text("1")
    expect(page.locator("body")).not_to_have_class("sheet-open")

    # by keyboard: "/" brings it up with the focus in the filter, Esc takes it down and the focus back
    page.keyboard.press("ArrowRight")
    assert _selected(page) == "Anything else?"  # the interviewer's turn comes next
    page.keyboard.press("ArrowRight")
    assert _selected(page) == "We wrote the rules together."
    page.keyboard.press("/")
    expect(page.locator("#code-filter")).to_be_focused()
    expect(page.locator("body")).to_have_class("sheet-open")
    # the filter has the browser's selection now; the words to code stay marked, above the sheet
    marked = page.evaluate("""() => { const h = CSS.highlights.get('to-code'); const r = h && [...h][0];
      return r ? {text: r.toString(), bottom: r.getBoundingClientRect().bottom} : null; }""")
    assert marked["text"] == "We wrote the rules together." and marked["bottom"] <= _sheet(page)["top"]
    page.keyboard.press("Escape")
    expect(page.locator("body")).not_to_have_class("sheet-open")
    assert "We wrote the rules" in _focused(page)["text"]
    assert _selected(page) == "We wrote the rules together."
    # its Close button drops the selection too
    page.keyboard.press("/")
    page.locator("#palette .sheet-close").click()
    expect(page.locator("body")).not_to_have_class("sheet-open")
    expect(page.locator("#pending")).to_be_hidden()
    assert page.evaluate(SIDEWAYS_JS) <= 0


@pytest.mark.parametrize("size", SCREENS)
def test_the_keyboard_help_lists_the_keys_and_gives_the_focus_back(axe_page, live_server, api, size):
    page = axe_page(live_server, viewport=size)
    project = api.create_project()
    document = api.import_text(project["id"], "help.txt", TRANSCRIPT)
    page.goto(f"/documents/{document['id']}")
    _tab_to_transcript(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("?")
    help_box = page.locator("#keyboard-help")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("select the next or previous sentence")
    assert_no_axe_violations(page, "the keyboard help")
    assert page.evaluate(SIDEWAYS_JS) <= 0
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    assert "I was scared" in _focused(page)["text"]
    # typing in a box is never taken: "?" and "/" go into the filter
    page.locator("#code-filter").focus()
    page.keyboard.type("?/")
    expect(page.locator("#code-filter")).to_have_value("?/")
    expect(help_box).to_be_hidden()


def test_arrows_in_a_right_to_left_turn_follow_its_reading_direction(page, api):
    project, document = _open(page, api, SCREENS[0].values[0], RTL)
    _tab_to_transcript(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowLeft")  # forward, in Arabic
    assert _selected(page) == "كنت أشعر بالوحدة كل يوم."
    page.keyboard.press("ArrowLeft")
    assert _selected(page) == "بعد ذلك وجدت مجموعة دعم."
    page.keyboard.press("Control+Shift+ArrowRight")  # the end a word earlier: the full stop goes first
    assert _selected(page) == "بعد ذلك وجدت مجموعة دعم"
    page.keyboard.press("Control+Shift+ArrowRight")
    assert _selected(page) == "بعد ذلك وجدت مجموعة"
    page.keyboard.press("1")
    expect(page.locator("#coding-count")).to_have_text("1")
    assert [c["text"] for c in api.codings(project["id"])] == ["بعد ذلك وجدت مجموعة"]
