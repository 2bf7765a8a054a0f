"""Big imports in a real browser: the project page shows a progress bar, then what came in, under the CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# a server where any batch of more than one file is big enough to be a job
JOB_SERVER = (
    "import sys, uvicorn\n"
    "from server.app import create_app\n"
    "from server.settings import Settings\n"
    "uvicorn.run(create_app(Settings(database_url=sys.argv[1], single_user=True, job_files=1)), host='127.0.0.1',"
    " port=int(sys.argv[2]), log_level='warning')\n"
)


@pytest.fixture(scope="module")
def live_server(server_runner, tmp_path_factory):
    with server_runner(tmp_path_factory.mktemp("jobs"), JOB_SERVER) as base:
        yield base


def _txt(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}


def test_a_batch_import_shows_progress_then_each_file_with_its_link(page, api):
    project = api.create_project()
    page.goto(f"/projects/{project['id']}")
    page.locator('#import-form input[type="file"][name="files"]').set_input_files([
        _txt("pv51.txt", "Interviewer: How was it?\n\nPV51: Calm, and nobody judged me.\n"),
        _txt("pv52.txt", "Interviewer: And for you?\n\nPV52: I felt heard for the first time.\n"),
    ])
    page.locator("#import-form").get_by_role("button", name="Import").click()
    job = page.locator("section.job")
    expect(job).to_be_visible()
    expect(job).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.locator(".import-results li.ok")).to_have_count(2)
    page.get_by_role("link", name="Show the project’s documents").click()
    expect(page.locator("#documents tbody tr")).to_have_count(2)
    assert sorted(d["name"] for d in api.documents(project["id"])) == ["pv51.txt", "pv52.txt"]
