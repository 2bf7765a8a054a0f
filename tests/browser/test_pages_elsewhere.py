"""Elsewhere on the pages, with real clicks: a same-turn matrix cell opens the passages it counted, and the
participant CSV shows a preview of its changes before Apply, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS

pytestmark = pytest.mark.browser

TRANSCRIPT = (
    "Interviewer: Who runs the group?\n\n"
    "PV8: A friend told me about it. Our facilitator keeps it safe every week.\n\n"
    "Interviewer: And what do you do?\n\n"
    "PV8: We mostly garden together and talk about nothing much.\n"
)


def _code(api, document, phrase, key):
    text = api.document(document["id"])["text"]
    start = text.index(phrase)
    api.code(document["id"], start, start + len(phrase), key)


@pytest.mark.parametrize("size", SCREENS)
def test_a_same_turn_cell_opens_exactly_the_passages_it_promises(page, api, size):
    page.set_viewport_size(size)
    project = api.create_project()
    document = api.import_text(project["id"], "pv8.txt", TRANSCRIPT, participant="PV8")
    _code(api, document, "A friend told me about it.", "safety")          # same turn, no overlap
    _code(api, document, "Our facilitator keeps it safe", "facilitation")
    _code(api, document, "We mostly garden", "facilitation")              # no safety in that turn

    page.goto(f"/projects/{project['id']}/analysis")
    page.locator('select[name="mode"]').select_option("turn")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**mode=turn**")
    cell = page.locator('#matrix svg a[data-row="safety"][data-column="facilitation"]')
    expect(cell).to_have_count(1)
    expect(cell).to_have_attribute("data-count", "1")
    promised = int(cell.get_attribute("data-passages"))
    assert promised == 2
    cell.scroll_into_view_if_needed()
    cell.click()
    page.wait_for_url("**/quotes?*")
    quotes = page.locator("#quotes blockquote")
    expect(quotes).to_have_count(promised)
    expect(page.locator("#quotes")).to_contain_text(f"{promised} coded passages")
    expect(page.locator("#quotes")).not_to_contain_text("We mostly garden")
    expect(page.locator("#together-note")).to_be_visible()


@pytest.mark.parametrize("size", SCREENS)
def test_the_participant_csv_shows_its_changes_before_apply(page, api, size, tmp_path):
    page.set_viewport_size(size)
    project = api.create_project()
    api.import_text(project["id"], "pv8.txt", TRANSCRIPT, participant="PV8", attributes={"approach": "group",
                                                                                         "region": "Leeds"})
    upload = tmp_path / "people.csv"
    upload.write_text("participant;approach;region\nPV8;online;\nPV99;group;Hull\n", encoding="utf-8")

    page.goto(f"/projects/{project['id']}")
    page.locator('#attribute-upload input[type="file"]').set_input_files(str(upload))
    page.get_by_role("button", name="Preview changes").click()
    preview = page.locator("#attribute-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("group → online")
    expect(preview).to_contain_text("unchanged")
    warning = page.locator("#unknown-participants")
    expect(warning).to_contain_text("PV99")
    box = preview.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1, f"the preview overflows: {box}"
    table = page.locator("#participants table.list").first
    expect(table).to_contain_text("group")                       # nothing changed yet
    apply = page.locator("#apply-attributes")
    apply.scroll_into_view_if_needed()
    expect(apply).to_be_in_viewport()
    apply.click()
    expect(page.locator("#participants [role=status]")).to_contain_text("Attributes changed for 1 participant")
    row = page.locator("#participants table.list tr", has_text="PV8")
    expect(row).to_contain_text("online")
    expect(row).to_contain_text("Leeds")                         # the blank cell left Leeds as it was
    expect(page.locator("#participants")).not_to_contain_text("PV99")
