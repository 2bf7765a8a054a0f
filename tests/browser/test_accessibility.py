"""Every page passes axe-core's WCAG 2.2 AA rules and none scrolls sideways on a 390 px phone.

A team-mode server is seeded with a lead (an admin), two coders who have both coded one transcript, and so
every page has something to show (PV44 spoke through an interpreter; a viewer reads along): the document page is checked plain, with a selection pending, with the
codings panel open and with suggestions shown. A second, empty team server shows the first-run setup page.
"""

from typing import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "a11y-password-1"
SENTENCE = "Knowing a moderator was watching made it feel safe to post at last."
TRANSCRIPT = (
    "Interviewer: Thank you for joining. How did the online group feel at the start?\n\n"
    "PV44: For a while I only read other people's posts. " + SENTENCE + " After a month I felt less alone and "
    "talked to my family about my anxiety.\n\n"
    "Interviewer: What happened when you did?\n\n"
    "PV44: Someone answered within minutes and it was like talking to an old friend who shared my culture.\n"
)
TEAM_SERVER_SCRIPT = (
    "import sys, uvicorn\n"
    "from server.app import create_app\n"
    "from server.settings import Settings\n"
    "uvicorn.run(create_app(Settings(database_url=sys.argv[1], single_user=False, secret_key='browser-a11y-secret')),"
    " host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')\n"
)
WIDEST_JS = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".skip-link"))
  .slice(-3).map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "")).join(", ")"""
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def _seed(url: str, *, people: bool = True) -> dict[str, int]:
    """A lead and two coders who both coded the one transcript; with people=False only the empty schema."""
    from coding import store
    from coding.team import accounts
    from coding.db import make_engine, migrate, session_for
    from coding.codebook.frameworks import get_framework
    from coding.text.transcripts import read_transcript

    engine = make_engine(url)
    try:
        migrate(engine)
        if not people:
            return {}
        with session_for(engine) as session:
            lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
            coders = [accounts.create_user(session, name=n, password=PASSWORD) for n in ("ann", "bob")]
            project = store.create_project(session, name="Accessible", framework=get_framework("side-by-side"), user=lead)
            document = store.import_document(
                session, project_id=project.id, user=lead, transcript=read_transcript("pv44.txt", TRANSCRIPT.encode()),
                participant="PV44", attributes={"approach": "online"})
            start = document.text.index(SENTENCE)
            for coder, key in zip(coders, ("safety", "human-connection")):
                accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
                accounts.assign(session, document=document, coder=coder, by=lead)
                code = store.get_code(session, project_id=project.id, key=key)
                store.add_coding(session, document=document, code=code, user=coder, start=start, end=start + len(SENTENCE))
            code = store.get_code(session, project_id=project.id, key="safety")
            store.add_coding(session, document=document, code=code, user=lead, start=start, end=start + 20)
            store.set_interpreted(session, document=document, user=lead, speakers=["PV44"])
            viewer = accounts.create_user(session, name="vic", password=PASSWORD)
            accounts.set_member(session, project_id=project.id, user=viewer, role="viewer", by=lead)
            return {"project": project.id, "document": document.id}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, server_runner) -> Iterator[dict]:
    """Two team-mode servers: {"url", "project", "document"} of the seeded one, and "empty" (nobody set up)."""
    seeded, empty = tmp_path_factory.mktemp("a11y-server"), tmp_path_factory.mktemp("a11y-empty")
    ids = _seed(f"sqlite:///{seeded / 'browser.db'}")
    _seed(f"sqlite:///{empty / 'browser.db'}", people=False)
    with server_runner(seeded, TEAM_SERVER_SCRIPT, ready=(401,)) as url, \
            server_runner(empty, TEAM_SERVER_SCRIPT, ready=(401,)) as empty_url:
        yield {"url": url, "empty": empty_url, **ids}


class Checker:
    """Runs axe and the sideways-scroll check on each page visited, collecting every failure."""

    def __init__(self, page, width: int):
        self.page, self.width, self.failures = page, width, []

    def check(self, name: str) -> None:
        self.page.wait_for_load_state("networkidle")
        try:
            assert_no_axe_violations(self.page, f"{name} at {self.width} px")
        except AssertionError as exc:
            self.failures.append(str(exc))
        overflow = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if self.width < 900 and overflow[0] > overflow[1]:
            wide = self.page.evaluate(WIDEST_JS)
            self.failures.append(f"{name} at {self.width} px scrolls sideways: {overflow[0]} px wide ({wide})")

    def visit(self, name: str, path: str) -> None:
        self.page.goto(path)
        self.check(name)


def _sign_in(page, name: str = "lead") -> None:
    page.goto("/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("size", SIZES)
def test_every_page_passes_axe_and_fits_the_screen(servers, axe_page, ui, size, tmp_path):
    width, height = SIZES[size]
    project, document = servers["project"], servers["document"]

    setup = Checker(axe_page(servers["empty"], viewport={"width": width, "height": height}), width)
    setup.visit("setup", "/setup")
    expect(setup.page.get_by_role("heading", level=1)).to_be_visible()

    page = axe_page(servers["url"], viewport={"width": width, "height": height})
    checker = Checker(page, width)
    checker.visit("login", "/login")
    checker.page.get_by_label("Name").fill("lead")
    checker.page.get_by_label("Password").fill("wrong-password")
    checker.page.get_by_role("button", name="Sign in").click()
    checker.check("login refused")
    _sign_in(page)
    for name, path in [("projects", "/"), ("project", f"/projects/{project}"),
                       ("codebook", f"/projects/{project}/codebook"), ("coded quotes", f"/projects/{project}/quotes"),
                       ("analysis", f"/projects/{project}/analysis"), ("suggestions", f"/projects/{project}/suggestions"),
                       ("agreement", f"/projects/{project}/agreement"), ("team", f"/projects/{project}/team"),
                       ("pseudonyms", f"/projects/{project}/pseudonyms"), ("activity", f"/projects/{project}/activity"),
                       ("hubs and projects", f"/projects/{project}/cases"), ("journal", f"/projects/{project}/journal"),
                       ("account", "/account"), ("admin users", "/admin/users"), ("erasures", "/admin/erasures"),
                       ("erase transcript", f"/documents/{document}/delete"), ("erase project", f"/projects/{project}/delete"),
                       ("compare", f"/documents/{document}/compare"), ("reconcile", f"/documents/{document}/reconcile"),
                       ("error page", "/documents/999999")]:
        checker.visit(name, path)

    # the document page in each of its states
    checker.visit("document", f"/documents/{document}")
    ui.select(page, "felt less alone")
    expect(page.locator("#pending")).to_be_visible()
    checker.check("document with a selection pending")
    page.keyboard.press("Escape")
    page.locator("#transcript span.run.coded").first.click()
    expect(page.locator("#coding-panel .coding").first).to_be_visible()
    checker.check("document with the codings panel open")
    page.locator("#suggestions-toggle").check()
    expect(page.locator("#suggestions .suggestion").first).to_be_visible()
    checker.check("document with suggestions shown")

    # the import results on the project page and the page after importing a codebook
    checker.page.goto(f"/projects/{project}")
    page.locator('#import-form input[type="file"][name="files"]').set_input_files(
        [{"name": "pv45.txt", "mimeType": "text/plain", "buffer": b"Interviewer: Hi?\n\nPV45: Hello there.\n"},
         {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""}])
    page.locator("#import-form").get_by_role("button", name="Import").click()
    expect(page.locator(".import-results li")).to_have_count(2)
    checker.check("import results")
    codebook = tmp_path / "codebook.qdc"
    codebook.write_bytes(page.request.get(f"/projects/{project}/export/codebook.qdc").body())
    page.goto("/")
    form = page.locator('form[action="/projects/import"]')
    form.get_by_label("New project's name").fill(f"Imported {size}")
    form.get_by_label("File", exact=True).set_input_files(str(codebook))
    form.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Imported")
    checker.check("imported project")

    # a viewer reads the transcript without the codebook palette
    viewer = Checker(axe_page(servers["url"], viewport={"width": width, "height": height}), width)
    _sign_in(viewer.page, "vic")
    viewer.visit("document for a viewer", f"/documents/{document}")
    expect(viewer.page.locator("#palette")).to_have_count(0)
    viewer.visit("coded quotes for a viewer", f"/projects/{project}/quotes")

    failures = setup.failures + checker.failures + viewer.failures
    assert not failures, f"{len(failures)} page(s) failed:\n\n" + "\n\n".join(failures)


FOCUSED_JS = """() => { const e = document.activeElement, s = getComputedStyle(e);
  return {text: e.textContent.trim(), id: e.id, outline: s.outlineStyle + " " + s.outlineWidth}; }"""


def test_the_first_tab_reaches_a_skip_link_and_every_focus_shows_a_strong_ring(servers, axe_page):
    page = axe_page(servers["url"])
    _sign_in(page)
    page.goto(f"/projects/{servers['project']}")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_JS) == {"text": "Skip to content", "id": "", "outline": "solid 3px"}
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED_JS)["id"] == "content"

    page.goto(f"/documents/{servers['document']}")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_JS)["text"] == "Skip to codebook"
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED_JS)["id"] == "palette"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_JS) == {"text": "", "id": "code-filter", "outline": "solid 3px"}
    for selector in ("#palette li.code", "#transcript span.run.coded", "#palette li.code >> nth=1"):
        page.locator(selector).first.focus()
        assert page.evaluate(FOCUSED_JS)["outline"] == "solid 3px", selector
