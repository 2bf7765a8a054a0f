"""The analysis page in a real browser: the values × decisions matrix and the pyramid render, and a cell
opens the quotes coded with both codes."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TRANSCRIPT = (
    "Interviewer: Who runs the group?\n\n"
    "PV8: Our facilitator keeps it safe, she goes over the ground rules every week.\n\n"
    "Interviewer: And what do you do?\n\n"
    "PV8: We mostly garden together and talk about nothing much.\n"
)
BOTH = "Our facilitator keeps it safe, she goes over the ground rules every week."


def test_matrix_and_pyramid_render_and_a_cell_opens_its_quotes(page, api):
    project = api.create_project()
    document = api.import_text(project["id"], "pv8.txt", TRANSCRIPT, participant="PV8", attributes={"approach": "group"})
    text = api.document(document["id"])["text"]
    start = text.index(BOTH)
    for code in ("safety", "facilitation"):
        api.code(document["id"], start, start + len(BOTH), code)
    garden = text.index("We mostly garden")
    api.code(document["id"], garden, garden + 16, "focus/activity")

    page.goto(f"/projects/{project['id']}/analysis")
    matrix = page.locator("#matrix svg")
    expect(matrix).to_be_visible()
    expect(matrix).to_contain_text("Facilitation")
    expect(matrix).to_contain_text("Freedom to be oneself")
    pyramid = page.locator("#pyramid svg")
    expect(pyramid).to_contain_text("Safety")
    expect(pyramid).to_contain_text("no evidence")

    cell = page.locator('#matrix svg a[href*="code=safety"][href*="code=facilitation"]')
    expect(cell).to_have_count(1)
    cell.click()
    page.wait_for_url("**/quotes?*")
    quotes = page.locator("#quotes blockquote")
    expect(quotes).to_have_count(2)  # the passage once under each code
    expect(quotes.first).to_contain_text(BOTH)
    expect(page.locator("#quotes")).not_to_contain_text("We mostly garden")
