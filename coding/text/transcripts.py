"""Read transcript files into normalised text and speaker turns.

Every reader returns text that is NFC-normalised with `\n` line ends and no BOM; every turn is a
half-open span of code points into that text. Bad input raises `ImportRefused` with a message a
person can act on.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Optional

from coding.limits import ImportRefused, Limits, too_long, upload_too_big
from coding.text.office import read_docx, read_odt
from coding.text.spans import trim

FORMATS = ("txt", "md", "docx", "odt", "vtt", "srt")
INTERVIEWER_NAMES = re.compile(
    r"^(interviewer|int|i|q|researcher|moderator|facilitator|peer researcher|m\d*)$", re.IGNORECASE
)
PARTICIPANT_TAG = re.compile(r"^(?:PV|P|FG|R)\d+$")


@dataclass
class TurnSpan:
    """One speaker turn as offsets into the normalised text."""

    speaker: Optional[str]
    start: int
    end: int
    cue_start_ms: Optional[int] = None
    cue_end_ms: Optional[int] = None


@dataclass
class Transcript:
    """The result of reading one file."""

    name: str
    source_format: str
    text: str
    turns: list[TurnSpan] = field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker:
                seen.setdefault(turn.speaker, None)
        return list(seen)

    def guess_interviewers(self) -> list[str]:
        """Speakers who are probably the interviewer, by name or by asking most of the questions."""
        named = [s for s in self.speakers if INTERVIEWER_NAMES.match(s)]
        if named or len(self.speakers) < 2:
            return named
        asks: dict[str, list[int]] = {}
        for turn in self.turns:
            if turn.speaker:
                tally = asks.setdefault(turn.speaker, [0, 0])
                tally[0] += "?" in self.text[turn.start:turn.end]
                tally[1] += 1
        ratio = {speaker: q / n for speaker, (q, n) in asks.items()}
        best = max(ratio, key=ratio.get)
        return [best] if ratio[best] >= 0.5 and sum(r >= ratio[best] for r in ratio.values()) == 1 else []

    def guess_participant(self) -> Optional[str]:
        """A participant tag such as PV44, from the speakers or the file name."""
        interviewers = set(self.guess_interviewers())
        for speaker in self.speakers:
            if speaker not in interviewers and PARTICIPANT_TAG.match(speaker):
                return speaker
        found = re.search(r"(?<![A-Za-z])(PV\d+|FG\d+)(?!\d)", self.name, re.IGNORECASE)
        return found.group(1).upper() if found else None

    @property
    def word_count(self) -> int:
        """Words in the text, counted by white space."""
        return len(self.text.split())


def normalise(text: str) -> str:
    """NFC, `\n` line ends, no BOM, no trailing white space at the end."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).rstrip()


# --- decoding -------------------------------------------------------------------------------------

def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text file as a string: UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportRefused(f"{name}: the UTF-16 text is damaged at byte {exc.start}") from exc
    if b"\x00" in data[:8192]:
        raise ImportRefused(f"{name}: this looks like binary data, not a text transcript")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{name}: the text is not UTF-8 (undecodable byte 0x{data[exc.start]:02x} at position "
            f"{exc.start}); save the file as UTF-8 and import it again"
        ) from exc
    controls = sum(1 for ch in text[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 100):
        raise ImportRefused(f"{name}: this looks like binary data, not a text transcript")
    return text


# --- subtitles ------------------------------------------------------------------------------------

CUE_TIME = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
TAG = re.compile(r"</?[^>]+>")


def _ms(stamp: str) -> int:
    parts = stamp.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    return int(round(((hours * 60 + minutes) * 60 + seconds) * 1000))


@dataclass
class Cue:
    """One subtitle cue."""

    speaker: Optional[str]
    text: str
    start_ms: int
    end_ms: int


def read_cues(text: str, name: str, kind: str) -> list[Cue]:
    """Cues of a WebVTT or SubRip file, with the speaker from `<v Name>` or a `Name:` prefix."""
    text = normalise(text)
    if kind == "vtt" and not text.startswith("WEBVTT"):
        raise ImportRefused(f"{name}: a WebVTT file must start with the line WEBVTT")
    cues = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines) if CUE_TIME.match(line)), None)
        if timing is None:
            continue
        match = CUE_TIME.match(lines[timing])
        body = "\n".join(lines[timing + 1:]).strip()
        voice = VOICE.search(body)
        speaker = voice.group(1).strip() if voice else None
        body = " ".join(TAG.sub("", body).split())
        if speaker is None:
            label = re.match(r"^([A-Z][\w.' -]{0,40}?|\[[^\]]{1,40}\])\s*:\s+", body)
            if label:
                speaker, body = label.group(1).strip("[]"), body[label.end():]
        if body:
            cues.append(Cue(speaker, body, _ms(match.group(1)), _ms(match.group(2))))
    if not cues:
        raise ImportRefused(f"{name}: no subtitle cues with times were found")
    return cues


def cues_to_transcript(cues: list[Cue], name: str, kind: str) -> Transcript:
    """Join consecutive cues of one speaker into a turn; times become turn metadata, not text."""
    merged: list[Cue] = []
    for cue in cues:
        if merged and merged[-1].speaker == cue.speaker:
            last = merged[-1]
            merged[-1] = Cue(last.speaker, f"{last.text} {cue.text}", last.start_ms, cue.end_ms)
        else:
            merged.append(cue)
    parts: list[str] = []
    turns: list[TurnSpan] = []
    offset = 0
    for cue in merged:
        label = f"{cue.speaker}: " if cue.speaker else ""
        body = unicodedata.normalize("NFC", cue.text)
        start = offset + len(label)
        turns.append(TurnSpan(cue.speaker, start, start + len(body), cue.start_ms, cue.end_ms))
        piece = label + body + "\n\n"
        parts.append(piece)
        offset += len(piece)
    return Transcript(name, kind, "".join(parts).rstrip(), turns)


# --- speaker turns in plain text ------------------------------------------------------------------

STAMP = r"(?:[\[(]?(?P<stamp>(?:\d{1,2}:)?\d{1,2}:\d{2})[\])]?\s+)?"
KNOWN_LABEL = (
    r"Interviewer|Interviewee|Respondent|Participant(?: \d+)?|Researcher|Facilitator|Moderator|"
    r"Int|I|R|Q|A|P\d+|PV\d+|FG\d+|M\d+"
)
# a name starts with a capital, or with a letter of a script that has no capitals (Arabic, Urdu, Bengali, ...)
NAME_START = r"[A-ZÀ-ÖØ-ÞĀ-ſΑ-ΩА-Я\u0590-\u08FF\u0900-\u0DFF]"
NAME_REST = r"[\w.'\u0300-\u036F\u0590-\u08FF\u0900-\u0DFF-]*"  # with the combining marks of those scripts
LABEL_LINE = re.compile(
    rf"^{STAMP}(?:"
    rf"\[(?P<bracket>[^\]\n]{{1,40}})\]\s*:?\s*"
    rf"|\*{{0,2}}(?P<name>{KNOWN_LABEL}|{NAME_START}{NAME_REST}(?: {NAME_START}{NAME_REST}){{0,2}}|[A-Z]{{1,4}}\d{{1,4}})\*{{0,2}}\s*:\s*\*{{0,2}}\s*"
    rf")",
    re.MULTILINE,
)
KNOWN = re.compile(rf"^(?:{KNOWN_LABEL}|id\d+|[a-z]\d+)$", re.IGNORECASE)


def _stamp_ms(stamp: Optional[str]) -> Optional[int]:
    if not stamp:
        return None
    numbers = [int(n) for n in stamp.split(":")]
    while len(numbers) < 3:
        numbers.insert(0, 0)
    return ((numbers[0] * 60 + numbers[1]) * 60 + numbers[2]) * 1000


PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
LEAD_STAMP = re.compile(r"\[(?P<a>(?:\d{1,2}:)?[0-5]?\d:[0-5]\d)\]\s*|\((?P<b>(?:\d{1,2}:)?[0-5]?\d:[0-5]\d)\)\s*")


def _stamped(text: str, speaker: Optional[str], start: int, end: int, stamp: Optional[int] = None) -> TurnSpan:
    """A turn, with a `[00:12:05]` or `(12:05)` at its start taken out of its span and kept as its cue time."""
    found = LEAD_STAMP.match(text, start, end)
    if found:
        stamp = _stamp_ms(found.group("a") or found.group("b")) if stamp is None else stamp
        start = found.end()
    return TurnSpan(speaker, start, end, stamp)


def _paragraph_turns(text: str) -> list[TurnSpan]:
    turns = []
    start = 0
    for gap in PARAGRAPH_BREAK.finditer(text):
        begin, end = trim(text, start, gap.start())
        if end > begin:
            turns.append(_stamped(text, None, begin, end))
        start = gap.end()
    begin, end = trim(text, start, len(text))
    if end > begin:
        turns.append(_stamped(text, None, begin, end))
    return [turn for turn in turns if turn.end > turn.start]


def detect_turns(text: str) -> list[TurnSpan]:
    """Speaker turns of a plain text; without speaker labels, one turn per paragraph."""
    candidates = []
    for match in LABEL_LINE.finditer(text):
        speaker = (match.group("bracket") or match.group("name") or "").strip()
        if speaker and not re.match(r"^\d{1,2}(:\d{2}){1,2}$", speaker):
            candidates.append((match.start(), match.end(), speaker, _stamp_ms(match.group("stamp"))))
    counts: dict[str, int] = {}
    for *_, speaker, _ in candidates:
        counts[speaker] = counts.get(speaker, 0) + 1
    labels = [c for c in candidates if KNOWN.match(c[2]) or counts[c[2]] >= 2]
    del candidates
    if not labels:
        return _paragraph_turns(text)
    turns: list[TurnSpan] = []
    start, end = trim(text, 0, labels[0][0])
    if end > start:
        turns.append(_stamped(text, None, start, end))
    for index, (_, label_end, speaker, stamp) in enumerate(labels):
        stop = labels[index + 1][0] if index + 1 < len(labels) else len(text)
        start, end = trim(text, label_end, stop)
        turns.append(_stamped(text, speaker, start, end, stamp))
    return [turn for turn in turns if turn.end > turn.start or turn.speaker]


# --- entry point ----------------------------------------------------------------------------------

def file_format(name: str) -> str:
    """The format of a file by its extension, or ImportRefused naming the ones accepted."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix == "text":
        suffix = "txt"
    if suffix not in FORMATS:
        raise ImportRefused(
            f"{name}: .{suffix or '(none)'} files cannot be imported; use one of "
            + ", ".join(f".{f}" for f in FORMATS)
        )
    return suffix


def base_name(name: str) -> str:
    """An uploaded file's name without any folders (a browser or script may send a whole path) or NULs."""
    name = name.replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if name.strip(".") else "upload"


def read_transcript(name: str, data: bytes, *, limits: Limits = Limits()) -> Transcript:
    """Read one uploaded file into a transcript, or raise ImportRefused (LimitExceeded past a limit)."""
    name = base_name(name)
    kind = file_format(name)
    if not data or not data.strip():
        raise ImportRefused(f"{name}: the file is empty")
    if len(data) > limits.upload_bytes:
        raise upload_too_big(name, limits.upload_bytes, len(data))
    if kind in ("docx", "odt"):
        raw = read_docx(data, name, limits) if kind == "docx" else read_odt(data, name, limits)
    else:
        raw = decode_text(data, name)
        if len(raw) > limits.text_chars:
            raise too_long(name, len(raw), limits)
    if kind in ("vtt", "srt"):
        transcript = cues_to_transcript(read_cues(raw, name, kind), name, kind)
    else:
        text = normalise(raw)
        del raw
        transcript = Transcript(name, kind, text, detect_turns(text))
    if len(transcript.text) > limits.text_chars:
        raise too_long(name, len(transcript.text), limits)
    if not transcript.text.strip():
        raise ImportRefused(f"{name}: the file has no text in it")
    return transcript
