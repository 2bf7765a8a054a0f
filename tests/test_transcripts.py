"""Reading transcripts: formats, normalisation, speaker turns, refusals."""

import pytest

from coding.limits import Limits
from coding.text.transcripts import ImportRefused, detect_turns, normalise, read_transcript
from tests.builders import INTERVIEW, docx_bytes, odt_bytes, txt_bytes
from tests.conftest import shared_file


def turn_texts(transcript):
    return [(t.speaker, transcript.text[t.start:t.end]) for t in transcript.turns]


@pytest.mark.parametrize("name, data", [
    ("interview.txt", txt_bytes()), ("interview.md", txt_bytes()),
    ("interview.docx", docx_bytes()), ("interview.odt", odt_bytes()),
])
def test_each_format_yields_the_same_turns(name, data):
    transcript = read_transcript(name, data)
    assert turn_texts(transcript) == INTERVIEW
    assert transcript.guess_interviewers() == ["Interviewer"]
    assert transcript.guess_participant() == "PV44"


def test_text_is_nfc_with_unix_line_ends_and_no_bom():
    raw = "\ufeffPV1: cafe\u0301\r\nsecond line\r\n".encode("utf-8")
    transcript = read_transcript("a.txt", raw)
    assert transcript.text == "PV1: caf\u00e9\nsecond line"
    assert normalise("a\rb") == "a\nb"


def test_utf16_with_bom_is_read():
    transcript = read_transcript("w.txt", "R: héllo there\r\nR: again".encode("utf-16"))
    assert transcript.text == "R: héllo there\nR: again"


def test_offsets_count_code_points_after_emoji():
    transcript = read_transcript("e.txt", "PV1: I felt 😊 safe\n\nPV2: ok".encode())
    first = transcript.turns[0]
    assert transcript.text[first.start:first.end] == "I felt 😊 safe"
    assert transcript.text.index("safe") == 14  # in UTF-16 units (as a browser counts) it would be 15


@pytest.mark.parametrize("line, speaker", [
    ("Interviewer: hello", "Interviewer"), ("I: hello", "I"), ("R: hello", "R"), ("P12: hello", "P12"),
    ("PV44: hello", "PV44"), ("[id1] hello", "id1"), ("[00:12] [p1] hello", "p1"),
    ("**Interviewer:** hello", "Interviewer"),
])
def test_speaker_markers(line, speaker):
    turns = detect_turns(f"{line}\n\n{line}")
    assert [t.speaker for t in turns] == [speaker, speaker]


def test_timestamp_prefix_becomes_turn_metadata():
    turns = detect_turns("[01:02] [m1] Question?\n\n[01:10] [p1] Answer.")
    assert [(t.speaker, t.cue_start_ms) for t in turns] == [("m1", 62000), ("p1", 70000)]


def test_a_one_off_capitalised_phrase_is_not_a_speaker():
    turns = detect_turns("Note: this was recorded in a café.\n\nThe rest is prose.")
    assert all(t.speaker is None for t in turns)
    assert len(turns) == 2


def test_text_before_the_first_speaker_is_kept_as_its_own_turn():
    text = "Interview 3, March\n\nI: Hello?\nR: Hi."
    turns = detect_turns(text)
    assert [(t.speaker, text[t.start:t.end]) for t in turns] == [(None, "Interview 3, March"), ("I", "Hello?"), ("R", "Hi.")]


def test_vtt_voices_become_turns_and_cue_times_stay_out_of_the_text():
    path = shared_file("fixtures", "transcripts", "bristlenose_climbing_research_S1.vtt")
    transcript = read_transcript(path.name, path.read_bytes())
    assert transcript.speakers == ["Sarah Chen", "Tom Baker"]
    assert "-->" not in transcript.text and "<v" not in transcript.text
    first = transcript.turns[0]
    assert transcript.text[first.start:first.end].startswith("Thanks for joining me today.")
    assert (first.cue_start_ms, first.cue_end_ms) == (2400, 8100)
    assert transcript.guess_interviewers() == ["Sarah Chen"]


def test_srt_with_name_prefixes():
    srt = ("1\n00:00:01,000 --> 00:00:03,500\nInterviewer: How are you?\n\n"
           "2\n00:00:04,000 --> 00:00:06,000\nPV7: Better, thanks.\n\n"
           "3\n00:00:06,100 --> 00:00:08,000\nPV7: Much better.\n")
    transcript = read_transcript("s.srt", srt.encode())
    assert turn_texts(transcript) == [("Interviewer", "How are you?"), ("PV7", "Better, thanks. Much better.")]
    assert transcript.turns[1].cue_start_ms == 4000 and transcript.turns[1].cue_end_ms == 8000


def test_qualcoder_fixtures_import():
    for name in ("qualcoder_transcript.txt", "qualcoder_ID1.docx", "qualcoder_ID2.odt"):
        path = shared_file("fixtures", "transcripts", name)
        transcript = read_transcript(name, path.read_bytes())
        assert transcript.text and transcript.turns
    path = shared_file("fixtures", "transcripts", "qualcoder_transcript.txt")
    assert read_transcript(path.name, path.read_bytes()).speakers == ["id1", "id2", "id3"]
    path = shared_file("fixtures", "transcripts", "qualcoder_ID1.docx")
    assert "€" in read_transcript(path.name, path.read_bytes()).text


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n ", "empty"),
    ("binary.txt", bytes(range(256)) * 4, "binary"),
    ("latin1.txt", "PV1: café".encode("latin-1"), "not UTF-8"),
    ("broken.docx", b"PK\x03\x04 this is not really a zip", "damaged"),
    ("notzip.docx", b"just some text pretending", "not a valid"),
    ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected"),
    ("noword.docx", None, "word/document.xml is missing"),
    ("broken.odt", b"PK\x05\x06" + b"\x00" * 18, "content.xml is missing"),
    ("slides.pptx", b"whatever", "cannot be imported"),
    ("bad.vtt", b"00:00:01.000 --> 00:00:02.000\nhello", "WEBVTT"),
])
def test_bad_files_are_refused_with_the_file_name_and_reason(name, data, reason):
    if data is None:
        import io, zipfile
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a word file")
        data = buffer.getvalue()
    with pytest.raises(ImportRefused) as refused:
        read_transcript(name, data)
    assert name in str(refused.value)
    assert reason in str(refused.value)


def test_files_over_the_size_limit_are_refused():
    with pytest.raises(ImportRefused, match="over the upload limit"):
        read_transcript("big.txt", b"PV1: words " * 1000, limits=Limits(upload_bytes=1000))
