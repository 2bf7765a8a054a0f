"""The analysis page in a real browser: the values × decisions matrix and the pyramid render, and a cell
opens the quotes coded with both codes."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS

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


PEOPLE = {"PV20": "It felt safe because the facilitator set the ground rules.",
          "PV21": "It felt safe because we all looked out for each other."}


@pytest.mark.parametrize("size", SCREENS)
def test_a_lead_records_a_projects_decision_and_reads_values_by_it(page, api, size):
    """On Hubs and projects the lead adds a project with its facilitation, places a participant in it with the
    mouse, and the values-by-decision matrix then counts that participant's passage under the decision; its cell
    opens just that quote."""
    page.set_viewport_size(size)
    project = api.create_project()
    for label, said in PEOPLE.items():
        document = api.import_text(project["id"], f"{label}.txt", f"Interviewer: How was it?\n\n{label}: {said}\n",
                                   participant=label)
        start = api.document(document["id"])["text"].index(said)
        api.code(document["id"], start, start + len(said), "safety")
    page.goto(f"/projects/{project['id']}/cases")
    form = page.locator("#new-project-form")
    form.get_by_label("Name", exact=True).click()
    page.keyboard.type("Garden group")
    form.get_by_label("facilitation", exact=True).select_option("named facilitator")
    form.get_by_role("button", name="Add the project").click()
    expect(page.get_by_role("status")).to_contain_text("Saved Garden group")
    expect(page.locator("table.cases")).to_contain_text("named facilitator")
    page.get_by_label("PV20").check()
    page.get_by_label("Put them in").select_option(label="Peer support project: Garden group")
    page.get_by_role("button", name="Place").click()
    expect(page.get_by_role("status")).to_contain_text("Moved 1 participant")
    expect(page.locator("table.cases")).to_contain_text("PV20")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]

    page.goto(f"/projects/{project['id']}/analysis")
    page.get_by_label("Matrix").select_option(label="Core values by a decision of the projects")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**kind=decision**")
    matrix = page.locator("#matrix svg")
    expect(matrix).to_contain_text("named facilitator")
    expect(matrix).to_contain_text("not recorded")
    cell = page.locator('#matrix svg a[href*="code=safety"][href*="named+facilitator"]')
    expect(cell).to_contain_text("1 (1)")
    cell.scroll_into_view_if_needed()
    cell.click()
    page.wait_for_url("**/quotes?*")
    quotes = page.locator("#quotes blockquote")
    expect(quotes).to_have_count(1)
    expect(quotes.first).to_contain_text(PEOPLE["PV20"])
