"""Deleting a transcript through its page in a real browser: the lead types its name, a wrong name is refused."""

import os

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MARKER = "qzxvbrowsermarker"
TRANSCRIPT = ("Interviewer: How was the first meeting?\n\n"
              f"PV9: I was nervous, but {MARKER} made me feel safe and I stayed for tea.\n")


@pytest.mark.allow_console_errors  # a wrong name is answered with 422 on purpose
def test_a_lead_deletes_a_transcript_by_typing_its_name(page, api, live_server):
    project = api.create_project()
    document = api.import_text(project["id"], "PV9 interview.txt", TRANSCRIPT, participant="PV9")
    start = document["text"].index(MARKER)
    api.code(document["id"], start, start + len(MARKER), "safety", memo=f"about {MARKER}")

    page.goto(f"/documents/{document['id']}")
    page.get_by_text("Document settings").click()
    page.get_by_role("link", name="Delete this transcript…").click()
    page.wait_for_url(f"**/documents/{document['id']}/delete")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the transcript “PV9 interview.txt”")
    expect(page.locator(".erase")).to_contain_text("1 coding, by 1 coder")

    field = page.get_by_label("To confirm, type the transcript's name")
    field.fill("PV9 interview")
    page.get_by_role("button", name="Delete this transcript").click()
    expect(page.get_by_role("alert")).to_contain_text("so nothing was deleted")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert api.document(document["id"])["text"] == document["text"]
    if os.environ.get("PEERFRAME_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["PEERFRAME_SCREENSHOTS"], "erase-refused.png"), full_page=True)

    field.press_sequentially("PV9 interview.txt")
    page.get_by_role("button", name="Delete this transcript").click()
    page.wait_for_url(f"**/projects/{project['id']}")
    expect(page.locator("main")).not_to_contain_text("PV9 interview.txt")
    assert httpx.get(f"{live_server}/api/documents/{document['id']}").status_code == 404
    assert MARKER not in httpx.get(f"{live_server}/projects/{project['id']}/export/project.qdpx").text

    page.goto(f"/projects/{project['id']}/activity")
    expect(page.locator("tbody tr").first).to_contain_text("deleted the transcript 'PV9 interview.txt' (1 coding)")
    expect(page.locator("main")).not_to_contain_text(MARKER)
