"""A .vtt transcript with its recording in a real browser: a turn's play button plays from that turn, and the
turn being heard is marked as it plays (and the mark moves when another turn is played)."""

import re

import pytest
from playwright.sync_api import expect

from tests.builders import wav_bytes

pytestmark = pytest.mark.browser
VTT = ("transcripts", "bristlenose_climbing_research_S1.vtt")
PLAYING = re.compile(r"\bplaying\b")


def _heard(page, seconds: float) -> None:
    """Wait until the recording is playing past `seconds`."""
    page.wait_for_function("(t) => { const m = document.getElementById('recording');"
                           " return !m.paused && m.currentTime > t; }", arg=seconds)


def test_a_vtt_transcript_plays_from_a_turn_and_marks_the_turn_being_heard(page, api, fixture_file, tmp_path):
    project = api.create_project()
    document = api.import_text(project["id"], "climbing S1.vtt", fixture_file(*VTT).read_text(encoding="utf-8"))
    audio = tmp_path / "climbing S1.wav"
    audio.write_bytes(wav_bytes(40))

    page.goto(f"/documents/{document['id']}")
    page.get_by_text("Attach the recording").click()
    page.get_by_label("Audio or video of this interview").set_input_files(audio)
    with page.expect_navigation():
        page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.locator("#player audio#recording")).to_be_visible()
    expect(page.locator("#player")).to_contain_text("climbing S1.wav")
    turns = page.locator("#transcript .turn[data-cue-start]")
    first, second, fourth = turns.nth(0), turns.nth(1), turns.nth(3)
    expect(first).not_to_have_class(PLAYING)

    second.get_by_role("button", name="Play from 0:09").click()  # Tom Baker's first answer, 9.2 s to 22.8 s
    _heard(page, 9.5)
    expect(second).to_have_class(PLAYING)
    expect(second).to_have_attribute("aria-current", "true")
    expect(page.locator("#transcript .turn.playing")).to_have_count(1)

    fourth.get_by_role("button", name="Play from 0:27").click()  # Tom Baker's next answer, 27.1 s to 45.6 s
    _heard(page, 27.3)
    expect(fourth).to_have_class(PLAYING)
    expect(fourth).to_have_attribute("aria-current", "true")
    expect(second).not_to_have_class(PLAYING)
    expect(second).not_to_have_attribute("aria-current", "true")
    expect(page.locator("#transcript .turn.playing")).to_have_count(1)


def test_a_transcript_without_a_recording_shows_no_play_buttons(page, api, fixture_file):
    project = api.create_project()
    document = api.import_text(project["id"], "climbing S1.vtt", fixture_file(*VTT).read_text(encoding="utf-8"))
    page.goto(f"/documents/{document['id']}")
    expect(page.locator("#transcript .turn[data-cue-start]").first).to_be_visible()
    expect(page.get_by_role("button", name="Play from 0:02")).to_have_count(0)
    expect(page.locator("#transcript .turn .cue").first).to_have_text("0:02")
