"""Speaker labels written in the speakers' own scripts start turns, as Latin-script labels do."""

import pytest

from coding.text.transcripts import read_transcript

URDU = ("انٹرویو لینے والا: آپ کیسے ہیں؟\n\nعائشہ: میں ٹھیک ہوں، شکریہ۔\n\n"
        "انٹرویو لینے والا: گروپ کیسا تھا؟\n\nعائشہ: بہت اچھا۔ It helped me a lot.\n")
BENGALI = "রহিমা: প্রথমে আমি একা ছিলাম।\n\nInterviewer: And then?\n\nরহিমা: তারপর দলের সবাই সাহায্য করেছে।\n"
POLISH = "Łucja: Na początku bałam się.\n\nInterviewer: A potem?\n\nŁucja: Grupa mi pomogła.\n"
ARABIC = "المحاور: كيف كانت المجموعة؟\n\nسارة: كانت مفيدة جداً.\n\nالمحاور: شكراً.\n\nسارة: عفواً.\n"


@pytest.mark.parametrize("text, speakers", [
    (URDU, ["انٹرویو لینے والا", "عائشہ", "انٹرویو لینے والا", "عائشہ"]),
    (BENGALI, ["রহিমা", "Interviewer", "রহিমা"]),
    (POLISH, ["Łucja", "Interviewer", "Łucja"]),
    (ARABIC, ["المحاور", "سارة", "المحاور", "سارة"]),
], ids=["urdu", "bengali", "polish", "arabic"])
def test_labels_in_other_scripts_become_speakers_and_the_text_after_them_is_the_turn(text, speakers):
    transcript = read_transcript("interview.txt", text.encode("utf-8"))
    assert [t.speaker for t in transcript.turns] == speakers
    first = transcript.turns[0]
    assert transcript.text[first.start:first.end] == text.split("\n\n")[0].split(": ", 1)[1]


def test_a_colon_once_in_prose_is_not_a_speaker():
    text = "عائشہ نے کہا: میں ٹھیک ہوں۔\n\nپھر ہم نے بات کی۔\n"
    assert [t.speaker for t in read_transcript("notes.txt", text.encode("utf-8")).turns] == [None, None]
