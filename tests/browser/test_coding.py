"""Coding passages on the document page: code-point offsets, the keyboard, memos, removal and undo."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EMOJI_TRANSCRIPT = (
    "Interviewer: How was the first meeting?\n\n"
    "PV1: I felt 😊 safe and café was calm\n\n"
    "Interviewer: And the nurse?\n\n"
    "PV1: My nurse 👩🏽‍⚕️ said résumé twice, then 𝔥𝔢𝔩𝔭 arrived.\n"
)
KEYBOARD_TRANSCRIPT = (
    "Interviewer: What did the group give you?\n\n"
    "PV3: We kept each other going through the winter months. Nobody told me what to do.\n\n"
    "Interviewer: Anything else?\n\n"
    "PV3: I could choose what to share and when to share it. The group had ground rules we wrote together.\n"
)
MEMO_TRANSCRIPT = (
    "Interviewer: Was there a moment that stood out?\n\n"
    "PV9: When I told them about the hospital nobody flinched. That is when I knew it was safe.\n"
)


def _open(page, api, name: str, text: str):
    project = api.create_project()
    document = api.import_text(project["id"], name, text)
    page.goto(f"/documents/{document['id']}")
    expect(page.locator("#transcript .turn")).to_have_count(len(document["turns"]))
    return project, document


def _apply_by_click(page, key: str) -> None:
    expect(page.locator("#pending")).to_be_visible()
    page.locator(f'#palette li.code[data-key="{key}"]').click()


def _only_coding(api, project_id: int, **wanted):
    found = [c for c in api.codings(project_id) if all(c[k] == v for k, v in wanted.items())]
    assert len(found) == 1, f"expected one coding with {wanted}, found {found}"
    return found[0]


@pytest.mark.parametrize("needle, key", [
    ("safe", "safety"),
    ("café", "human-connection"),
    ("😊 safe and café", "two-way-interactions"),
    ("résumé", "choice-and-control"),
    ("𝔥𝔢𝔩𝔭", "safety/confidentiality"),
], ids=["after-emoji", "accent", "across-coded-runs", "after-zwj-emoji", "astral-letters"])
def test_selection_becomes_exact_code_point_offsets(page, api, ui, needle, key):
    project, document = _open(page, api, "emoji.txt", EMOJI_TRANSCRIPT)
    text = document["text"]
    # code "safe" and "café" first, so the later selections start and end inside re-rendered runs
    for earlier, earlier_key in (("safe", "safety"), ("café", "human-connection")):
        if earlier == needle:
            break
        ui.select(page, earlier)
        _apply_by_click(page, earlier_key)
        expect(page.locator("#transcript span.run.coded", has_text=earlier).first).to_be_visible()

    ui.select(page, needle)
    expect(page.locator("#pending-text")).to_have_text(needle)
    _apply_by_click(page, key)
    name = page.locator(f'#palette li.code[data-key="{key}"] .name').inner_text()
    expect(page.locator("#status")).to_have_text(f"Coded as {name}")

    coding = _only_coding(api, project["id"], code_id=key)
    assert coding["text"] == needle
    assert (coding["start"], coding["end"]) == (text.index(needle), text.index(needle) + len(needle))
    # the page shows exactly that passage highlighted with the code's name
    runs = page.locator(f'#transcript span.run.coded[title*="{name}"]')
    assert "".join(runs.all_inner_texts()) == needle


def test_digit_shortcut_and_filter_with_enter_apply_codes(page, api, ui):
    project, document = _open(page, api, "keys.txt", KEYBOARD_TRANSCRIPT)
    text = document["text"]
    ui.mark_page(page)

    # a digit applies the code shown with that number
    shortcut = page.locator('#palette li.code[data-shortcut="2"]')
    key_two = shortcut.get_attribute("data-key")
    expect(shortcut.locator("kbd")).to_have_text("2")
    ui.select(page, "We kept each other going")
    page.keyboard.press("2")
    expect(page.locator("#transcript span.run.coded", has_text="We kept each other going")).to_be_visible()
    assert _only_coding(api, project["id"], code_id=key_two)["text"] == "We kept each other going"

    # typing starts the filter; Enter applies the first code still shown
    ui.select(page, "The group had ground rules we wrote together.")
    page.keyboard.type("ground r")
    expect(page.locator("#code-filter")).to_be_focused()
    expect(page.locator("#code-filter")).to_have_value("ground r")
    shown = page.locator("#palette li.code:not([hidden])")
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-key", "safety/ground-rules")
    page.keyboard.press("Enter")
    expect(page.locator("#transcript span.run.coded", has_text="ground rules")).to_be_visible()
    coding = _only_coding(api, project["id"], code_id="safety/ground-rules")
    assert coding["text"] == "The group had ground rules we wrote together."
    assert coding["start"] == text.index("The group had ground rules")
    expect(page.locator("#code-filter")).to_have_value("")
    expect(page.locator("#palette li.code[hidden]")).to_have_count(0)

    # Escape cancels a pending selection: a digit afterwards codes nothing
    ui.select(page, "Nobody told me what to do.")
    expect(page.locator("#pending")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#pending")).to_be_hidden()
    page.keyboard.press("1")
    page.wait_for_load_state("networkidle")
    assert len(api.codings(project["id"])) == 2

    # Ctrl+Z undoes the last change in place
    page.keyboard.press("Control+z")
    expect(page.locator("#transcript span.run.coded", has_text="ground rules")).to_have_count(0)
    assert [c["code_id"] for c in api.codings(project["id"])] == [key_two]
    assert ui.page_was_not_reloaded(page)


def test_filter_hides_the_codes_that_do_not_match(page, api, ui):
    _open(page, api, "filter.txt", KEYBOARD_TRANSCRIPT)
    page.locator("#code-filter").fill("confidential")
    expect(page.locator("#palette li.code[hidden]")).not_to_have_count(0)
    expect(page.locator("#palette li.code").filter(visible=True)).to_have_count(1, timeout=2000)
    expect(page.locator("#palette li.code").filter(visible=True)).to_have_attribute("data-key", "safety/confidentiality")


def test_selection_extended_with_shift_arrow_is_what_gets_coded(page, api, ui):
    project, document = _open(page, api, "extend.txt", KEYBOARD_TRANSCRIPT)
    ui.drag_select(page, "I could choose")
    expect(page.locator("#pending-text")).to_have_text("I could choose")
    for _ in range(len(" what to share")):
        page.keyboard.press("Shift+ArrowRight")
    assert ui.selection_text(page) == "I could choose what to share"
    expect(page.locator("#pending-text")).to_have_text("I could choose what to share", timeout=2000)
    page.keyboard.press("1")
    expect(page.locator("#transcript span.run.coded")).to_have_count(1)
    codings = api.codings(project["id"])
    assert [c["text"] for c in codings] == ["I could choose what to share"]


def test_memo_remove_and_undo(page, api, ui):
    project, document = _open(page, api, "memo.txt", MEMO_TRANSCRIPT)
    passage = "nobody flinched"
    ui.mark_page(page)
    ui.select(page, passage)
    _apply_by_click(page, "safety")
    run = page.locator("#transcript span.run.coded")
    expect(run).to_have_text(passage)
    coding = _only_coding(api, project["id"], code_id="safety")

    # clicking the highlight lists its codes
    run.click()
    panel = page.locator("#coding-panel")
    expect(panel.locator("li.coding")).to_have_count(1)
    expect(panel.locator("li.coding")).to_contain_text("Safety")
    expect(panel.locator("li.coding blockquote")).to_have_text(passage)

    # a memo is saved
    panel.get_by_label("Memo").fill("First time saying it out loud.")
    panel.get_by_role("button", name="Save memo").click()
    expect(panel.locator(".memo-status")).to_have_text("Memo saved")
    assert _only_coding(api, project["id"], id=coding["id"])["memo"] == "First time saying it out loud."

    # removing the code takes the highlight away
    panel.get_by_role("button", name="Remove code").click()
    expect(page.locator("#transcript span.run.coded")).to_have_count(0)
    expect(panel.locator("li.coding")).to_have_count(0)
    expect(page.locator("#status")).to_have_text("Code removed")
    expect(page.locator("#undo")).to_contain_text("removing Safety from “nobody flinched”")
    assert api.codings(project["id"]) == []
    expect(page.locator("#transcript")).to_contain_text("When I told them about the hospital nobody flinched.")

    # Undo brings it back, memo and all, without a reload
    page.locator("#undo").click()
    expect(page.locator("#transcript span.run.coded")).to_have_text(passage)
    expect(page.locator("#status")).to_contain_text("Put back Safety on “nobody flinched”")
    restored = _only_coding(api, project["id"], id=coding["id"])
    assert (restored["text"], restored["memo"]) == (passage, "First time saying it out loud.")
    expect(page.locator("#undo")).to_contain_text("the memo on Safety at “nobody flinched”")
    assert ui.page_was_not_reloaded(page)


@pytest.mark.allow_console_errors
def test_removing_a_coding_someone_already_removed_says_so(page, api, ui):
    project, document = _open(page, api, "stale.txt", MEMO_TRANSCRIPT)
    ui.select(page, "the hospital")
    _apply_by_click(page, "safety")
    page.locator("#transcript span.run.coded").click()
    remove = page.locator("#coding-panel").get_by_role("button", name="Remove code")
    expect(remove).to_be_visible()
    coding = _only_coding(api, project["id"], code_id="safety")
    assert api.client.delete(f"/api/codings/{coding['id']}").status_code == 204

    remove.click()
    expect(page.locator("#status")).to_have_text("this coding was already removed (in another tab?)")
    expect(page.locator("#status")).to_have_class("status error")
