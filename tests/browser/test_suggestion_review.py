"""Suggestions on the document page: shown subtly, accepted or rejected with the keyboard, never applied alone."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TRANSCRIPT = (
    "Interviewer: What made it feel safe?\n\n"
    "PV5: We agreed ground rules at the very start, so what is said in the room stays in the room.\n\n"
    "Interviewer: And what do you do there?\n\n"
    "PV5: Mostly gardening and cooking together, then a cup of tea.\n"
)
RULES = "We agreed ground rules at the very start, so what is said in the room stays in the room."


def test_accept_one_suggestion_and_reject_another_with_the_keyboard(page, api):
    project = api.create_project()
    document = api.import_text(project["id"], "pv5.txt", TRANSCRIPT)
    page.goto(f"/documents/{document['id']}")

    items = page.locator("#suggestions .suggestion")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Safety")
    expect(items.nth(0)).to_contain_text("ground rules")
    marked = page.locator("#transcript .run.suggested", has_text="ground rules")
    expect(marked).to_have_count(1)
    assert "Suggested: Safety" in marked.get_attribute("title") and "ground rules" in marked.get_attribute("title")
    assert api.codings(project["id"]) == []  # shown, not applied

    items.nth(0).focus()
    page.keyboard.press("a")
    expect(page.locator("#status")).to_contain_text("Accepted")
    expect(page.locator("#transcript .run.coded", has_text="ground rules")).to_have_count(1)
    expect(page.locator("#suggestions .suggestion")).to_have_count(1)
    codings = api.codings(project["id"])
    assert [(c["code_id"], c["text"], c["coder"], c["origin"]) for c in codings] == [
        ("safety", RULES, "local", "suggestion")]

    remaining = page.locator("#suggestions .suggestion")
    expect(remaining.nth(0)).to_be_focused()  # the reviewer keeps their place
    expect(remaining.nth(0)).to_contain_text("Focus of peer support")
    page.keyboard.press("r")
    expect(page.locator("#status")).to_contain_text("Rejected")
    expect(page.locator("#suggestions-empty")).to_be_visible()
    expect(page.locator("#transcript .run.suggested")).to_have_count(0)
    assert len(api.codings(project["id"])) == 1  # a rejection codes nothing

    page.reload()
    expect(page.locator("#suggestions-empty")).to_be_visible()  # answered suggestions stay answered
    page.goto(f"/projects/{project['id']}/suggestions")
    rows = page.locator("#acceptance tbody tr")
    expect(rows.filter(has_text="Safety")).to_contain_text("100%")
    expect(rows.filter(has_text="Focus of peer support")).to_contain_text("0%")


def test_suggestions_can_be_turned_off_by_the_coder(page, api):
    project = api.create_project()
    document = api.import_text(project["id"], "pv6.txt", TRANSCRIPT)
    page.goto(f"/documents/{document['id']}")
    expect(page.locator("#suggestions .suggestion")).to_have_count(2)
    page.locator("#suggestions-toggle").click()
    expect(page.locator("#suggestions")).to_contain_text("Suggestions are hidden")
    expect(page.locator("#transcript .run.suggested")).to_have_count(0)
    page.locator("#suggestions-toggle").click()
    expect(page.locator("#suggestions .suggestion")).to_have_count(2)


def test_the_lead_keeps_only_likely_suggestions_and_each_shows_its_confidence_as_a_word(page, api):
    project = api.create_project()
    unsure = ("\n\nInterviewer: And the people running it?\n\n"
              "PV7: The facilitator had been through it too, they had lived experience like mine, so I felt understood.\n")
    document = api.import_text(project["id"], "pv7.txt", TRANSCRIPT + unsure)
    page.goto(f"/documents/{document['id']}")
    items = page.locator("#suggestions .suggestion")
    expect(items.nth(2)).to_be_visible()
    words = [w.strip() for w in page.locator("#suggestions .suggestion .confidence").all_inner_texts()]
    assert len(words) == items.count() and set(words) <= {"likely", "possible", "unsure"}
    # the last turn's evidence is thinner than the rules' or the garden's
    assert words.count("likely") == 2 and len(words) > 2, words

    page.goto(f"/projects/{project['id']}/suggestions")
    page.locator("#threshold-value").focus()
    page.keyboard.press("End")  # the surest choice: likely only
    expect(page.locator("#threshold-value")).to_have_value("0.5")
    page.keyboard.press("Tab")
    with page.expect_navigation():  # Save: the page reloads with the saved choice
        page.keyboard.press("Enter")
    expect(page.locator("#threshold-value")).to_have_value("0.5")

    page.goto(f"/documents/{document['id']}")
    expect(items).to_have_count(words.count("likely"))
    for word in page.locator("#suggestions .suggestion .confidence").all_inner_texts():
        assert word.strip() == "likely"
