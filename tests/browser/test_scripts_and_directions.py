"""Transcripts in community languages and scripts: each turn takes its own direction, a mouse drag over
right-to-left or mixed text codes exactly the words selected, and a lead can mark who spoke through an interpreter.

The Urdu, Arabic, Polish, Somali and Bengali lines are short fictional text written for these tests.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

URDU_PHRASE = "میری بات سنی اور مجھے سکون ملا"
URDU = ("Interviewer: How did the group help you at first?\n\n"
        f"PK12: شروع میں مجھے بہت ڈر لگتا تھا۔ پھر group میں سب نے {URDU_PHRASE}۔ I felt less alone after that.\n\n"
        "Interviewer: Thank you, that is really helpful.\n\n"
        "PK12: آپ کا بھی شکریہ۔\n")
ARABIC_PHRASE = "وجدت مجموعة دعم online وتحدثت"
ARABIC = ("Interviewer: What helped you most?\n\n"
          f"AM7: كنت أشعر بالوحدة كل يوم. بعد ذلك {ARABIC_PHRASE} مع أشخاص يفهمونني.\n\n"
          "Interviewer: Did the peer worker speak Arabic?\n\n"
          "AM7: The peer worker spoke Arabic too, وهذا جعلني أشعر بالأمان.\n")
POLISH_PHRASE = "bałam się mówić o depresji"
BENGALI_PHRASE = "দলের সবাই"
MIXED = ("Interviewer: How did you feel before you joined?\n\n"
         f"PL3: Na początku {POLISH_PHRASE}, ale grupa pomogła mi zrozumieć, że nie jestem sama.\n\n"
         "SO2: Markii hore waan ka baqay, laakiin kooxdu way i caawisay.\n\n"
         f"BD5: প্রথমে আমি খুব একা বোধ করতাম, কিন্তু {BENGALI_PHRASE} আমাকে সাহায্য করেছে।\n\n"
         "Interviewer: Thank you all.\n\nPL3: Dziękuję.\n\nSO2: Mahadsanid.\n\nBD5: ধন্যবাদ।\n")

# the caret positions of a phrase's logical start and end, whichever way its characters run on screen
EDGES_JS = """
(needle) => {
  const transcript = document.getElementById("transcript");
  const walker = document.createTreeWalker(transcript, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest(".run") ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
  });
  const nodes = [];
  let all = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, all.length]); all += n.data; }
  const at = all.indexOf(needle);
  if (at < 0) return null;
  const rtl = /[\\u0590-\\u08FF]/;
  const edge = (offset, isEnd) => {
    for (const [node, base] of nodes) {
      if (offset >= base && offset < base + node.data.length) {
        const r = document.createRange();
        r.setStart(node, offset - base);
        r.setEnd(node, offset - base + 1);
        const box = r.getBoundingClientRect();
        const right = rtl.test(node.data[offset - base]) !== isEnd;  // RTL starts on the right, LTR ends there
        return {x: right ? box.right - 1 : box.left + 1, y: box.top + box.height / 2};
      }
    }
    return null;
  };
  return {start: edge(at, false), end: edge(at + needle.length - 1, true)};
}
"""


def _drag(page, needle: str) -> None:
    """Select `needle` with a real mouse drag from its logical first character to its logical last."""
    edges = page.evaluate(EDGES_JS, needle)
    assert edges and edges["start"] and edges["end"], f"{needle!r} is not in the transcript"
    page.mouse.move(edges["start"]["x"], edges["start"]["y"])
    page.mouse.down()
    page.mouse.move((edges["start"]["x"] + edges["end"]["x"]) / 2, edges["end"]["y"], steps=5)
    page.mouse.move(edges["end"]["x"], edges["end"]["y"], steps=5)
    page.mouse.up()


def _code_by_drag(page, api, ui, project_id: int, document_id: int, needle: str, key: str, name: str) -> None:
    _drag(page, needle)
    assert ui.selection_text(page) == needle
    expect(page.locator("#pending-text")).to_have_text(needle)
    page.locator(f'#palette li.code[data-key="{key}"]').click()
    expect(page.locator("#status")).to_have_text(f"Coded as {name}")
    expect(page.locator("#transcript span.run.coded").filter(has_text=needle)).to_have_text(needle)
    stored = [c for c in api.codings(project_id) if c["document_id"] == document_id and c["code_id"] == key]
    document = api.document(document_id)
    assert [c["text"] for c in stored] == [needle]
    assert document["text"][stored[0]["start"]:stored[0]["end"]] == needle


def _open(page, api, name: str, text: str) -> tuple[dict, dict]:
    """A new project with the transcript imported, open in the page."""
    project = api.create_project()
    document = api.import_text(project["id"], name, text)
    page.goto(f"/documents/{document['id']}")
    return project, document


def _directions(page) -> list[str]:
    return page.locator("#transcript .turn .text").evaluate_all(
        "(texts) => texts.map((t) => t.getAttribute('dir') + ':' + getComputedStyle(t).direction)")


@pytest.mark.parametrize("name, text, needle", [("pk12-urdu.txt", URDU, URDU_PHRASE),
                                                ("am7-arabic.txt", ARABIC, ARABIC_PHRASE)])
def test_a_right_to_left_phrase_dragged_with_the_mouse_is_stored_exactly(page, api, ui, name, text, needle):
    project, document = _open(page, api, name, text)
    rtl = [t.startswith(("PK12: ش", "PK12: آ", "AM7: ك")) for t in text.split("\n\n")]
    assert _directions(page) == ["auto:rtl" if r else "auto:ltr" for r in rtl]
    _code_by_drag(page, api, ui, project["id"], document["id"], needle, "safety", "Safety")


def test_polish_and_bengali_phrases_are_stored_exactly_and_somali_imports(page, api, ui):
    project, document = _open(page, api, "mixed-languages.txt", MIXED)
    expect(page.locator("#transcript")).to_contain_text("Markii hore waan ka baqay")
    assert _directions(page) == ["auto:ltr"] * 8
    _code_by_drag(page, api, ui, project["id"], document["id"], POLISH_PHRASE, "safety", "Safety")
    _code_by_drag(page, api, ui, project["id"], document["id"], BENGALI_PHRASE, "human-connection", "Human connection")


def test_a_lead_marks_a_speaker_as_interpreted_and_their_turns_say_so(page, api):
    project, document = _open(page, api, "am7-arabic.txt", ARABIC)
    expect(page.locator(".turn .badge")).to_have_count(0)
    page.get_by_text("Document settings").click()
    page.locator("#interpreted-form").get_by_label("AM7").check()
    badges = page.locator("#transcript .turn .badge")
    expect(badges).to_have_count(2)
    expect(badges.first).to_have_text("via interpreter")
    expect(page.locator("#transcript .turn").filter(has_text="Interviewer").locator(".badge")).to_have_count(0)
    stored = api.document(document["id"])
    assert stored["interpreted_speakers"] == ["AM7"]
    assert [t["interpreted"] for t in stored["turns"]] == [False, True, False, True]
    assert stored["interviewer_speakers"] == ["Interviewer"]

    page.get_by_text("Document settings").click()  # the page reloaded with the settings closed
    page.locator("#interpreted-form").get_by_label("AM7").uncheck()
    expect(badges).to_have_count(0)
    assert api.document(document["id"])["interpreted_speakers"] == []
