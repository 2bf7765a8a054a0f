"""Undo on one transcript in a real browser (the button and Ctrl+Z), and the lead switching a coder's layer off.

The module's server runs in single-user mode on a database seeded before it starts: a project the local user
leads, with two coders (Cara Jones and Bob Okafor) who each coded one passage of the shared transcript.
"""

import re
from typing import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS

pytestmark = pytest.mark.browser

SHARED = (
    "Interviewer: What made the group feel safe?\n\n"
    "PV12: Nobody judges you there, whatever you say.\n\n"
    "Interviewer: And the rules?\n\n"
    "PV12: What is said in the room stays in the room, and we wrote that together.\n"
)
FIRST = "Interviewer: How did you hear of it?\n\nPV20: My nurse told me about it after the hospital.\n"
SECOND = "Interviewer: What changed?\n\nPV21: I could talk about it openly for the first time.\n"


def _seed(url: str) -> dict[str, int]:
    """A project the local user leads, two coders with one coding each on the shared transcript."""
    from coding import store
    from coding.team import accounts
    from coding.db import make_engine, migrate, session_for
    from coding.codebook.frameworks import get_framework
    from coding.text.transcripts import read_transcript
    from tests.builders import code_phrase

    engine = make_engine(url)
    try:
        migrate(engine)
        with session_for(engine) as session:
            lead = store.ensure_user(session, name="local")
            project = store.create_project(session, name="Layers", framework=get_framework("side-by-side"), user=lead)
            document = store.import_document(session, project_id=project.id, user=lead,
                                             transcript=read_transcript("pv12.txt", SHARED.encode("utf-8")))
            for name, display, phrase, key in (("cara", "Cara Jones", "Nobody judges you", "safety"),
                                               ("bob", "Bob Okafor", "stays in the room", "safety/confidentiality")):
                coder = store.ensure_user(session, name=name, display_name=display)
                accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
                accounts.assign(session, document=document, coder=coder, by=lead)
                code_phrase(session, document, coder, phrase, key)
            return {"project": project.id, "document": document.id}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, server_runner) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("layers-server")
    ids = _seed(f"sqlite:///{folder / 'browser.db'}")
    with server_runner(folder) as base:
        yield {"url": base, **ids}


@pytest.fixture(scope="module")
def live_server(seeded) -> str:
    """This module's `page` and `api` talk to the seeded server."""
    return seeded["url"]


def _code_by_click(page, ui, passage: str, key: str) -> None:
    ui.select(page, passage)
    expect(page.locator("#pending")).to_be_visible()
    page.locator(f'#palette li.code[data-key="{key}"]').click()
    expect(page.locator("#transcript span.run.coded", has_text=passage)).to_have_count(1)


@pytest.mark.parametrize("viewport", SCREENS)
def test_undo_reaches_only_this_transcript_by_button_and_by_ctrl_z(page, api, ui, viewport):
    page.set_viewport_size(viewport)
    project = api.create_project()["id"]
    first = api.import_text(project, "pv20.txt", FIRST)
    second = api.import_text(project, "pv21.txt", SECOND)
    page.goto(f"/documents/{first['id']}")
    _code_by_click(page, ui, "after the hospital", "safety")
    expect(page.locator("#coding-count")).to_have_text("1")
    start = second["text"].index("talk about it")
    later = api.code(second["id"], start, start + len("talk about it"), "focus/social")  # later, elsewhere

    page.reload()
    undo = page.locator("#undo")
    expect(undo).to_have_text("Undo: Safety on “after the hospital”")
    assert not re.search(r"\d+\s*–\s*\d+", undo.inner_text())
    page.locator("h1").click()  # the focus on the page, not in a field
    page.keyboard.press("Control+z")
    expect(page.locator("#status")).to_have_text("Removed Safety from “after the hospital”")
    expect(page.locator("#transcript span.run.coded")).to_have_count(0)
    expect(page.locator("#coding-count")).to_have_text("0")
    assert [c["id"] for c in api.codings(project) if c["document_id"] == second["id"]] == [later["id"]]
    assert not [c for c in api.codings(project) if c["document_id"] == first["id"]]

    _code_by_click(page, ui, "My nurse told me", "human-connection")
    expect(undo).to_contain_text("Human connection on “My nurse told me”")
    undo.click()
    expect(page.locator("#status")).to_have_text("Removed Human connection from “My nurse told me”")
    expect(page.locator("#transcript span.run.coded")).to_have_count(0)
    expect(undo).to_be_disabled()
    page.keyboard.press("Control+z")  # nothing more on this transcript: the other one keeps its coding
    assert [c["id"] for c in api.codings(project) if c["document_id"] == second["id"]] == [later["id"]]


@pytest.mark.parametrize("viewport", SCREENS)
def test_the_lead_switches_a_coders_layer_off_and_its_highlights_go(page, seeded, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"/documents/{seeded['document']}")
    coded = page.locator("#transcript span.run.coded")
    expect(coded).to_have_count(2)
    expect(page.locator('#transcript span.run.coded[title^="Safety (Cara Jones)"]')).to_have_text("Nobody judges you")
    expect(page.locator('#transcript span.run.coded[title^="Confidentiality (Bob Okafor)"]')).to_have_count(1)

    page.locator("#layers summary").click()
    cara = page.get_by_label(re.compile(r"Cara Jones"))
    expect(cara).to_be_checked()
    cara.uncheck()
    expect(page).to_have_url(re.compile(r"layers="))
    expect(coded).to_have_count(1)
    expect(page.locator('#transcript span.run.coded[title*="Cara Jones"]')).to_have_count(0)
    expect(coded).to_have_attribute("title", re.compile(r"^Confidentiality \(Bob Okafor\)"))
    expect(page.locator("#coding-count")).to_have_text("1")

    page.locator("#layers summary").click()
    page.get_by_label(re.compile(r"Cara Jones")).check()
    expect(coded).to_have_count(2)
