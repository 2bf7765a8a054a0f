"""Pseudonymisation: replacing names and places in report text, and finding likely personal data to review.

A project keeps (original, replacement, kind) pairs. `apply` replaces whole words, ignoring case, longest
original first, so "Sarah Thornton" is replaced as one before "Sarah" alone; the replacement is written
exactly as given. A word boundary is anything but a letter or digit, so "Sarah's", "sarah_thornton.docx"
and "s.thornton@..." all have "Sarah"/"Thornton" as words, while "Sarahs" and "Sarahthornton" do not.

`suggest` only proposes: emails, phone numbers, web addresses, social handles, UK postcodes, identity and
account numbers, dates that could be dates of birth, and capitalised words that look like names. A person
decides what to replace.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable, Iterable, Optional, Sequence

from coding.analysis.retrieval import Found, Quote

NOT_WORD = r"[^\W_]"  # a letter or a digit: what a whole-word match must not touch
LEAD = re.compile(NOT_WORD + "+")
APOSTROPHES = "'’"


@dataclass
class Candidate:
    """Something in the text that may be personal data, how often it occurs, and where (a few snippets)."""

    text: str
    kind: str
    count: int
    examples: list[str] = field(default_factory=list)


def _pairs(pairs: Iterable[Any]) -> list[tuple[str, str]]:
    """(original, replacement) from tuples or from rows with those attributes, blank originals dropped."""
    found = []
    for pair in pairs:
        original, replacement = (pair.original, pair.replacement) if hasattr(pair, "original") else tuple(pair)[:2]
        original = unicodedata.normalize("NFC", original).strip()
        if original:
            found.append((original, replacement))
    return found


def _key(text: str) -> str:
    """What two spellings of one original share: case, spacing and apostrophe style ignored."""
    return " ".join(text.split()).casefold().replace("’", "'")


def _pattern(original: str) -> str:
    """The original as a regex: spaces match any run of spaces or underscores, either apostrophe matches."""
    parts = []
    for word in original.split():
        parts.append("".join(f"[{APOSTROPHES}]" if ch in APOSTROPHES else re.escape(ch) for ch in word))
    return r"[\s_]+".join(parts)


@dataclass
class Replacer:
    """Pairs ready to apply: each original's pattern filed under its first run of letters and digits, so a
    text is read once, word by word, however many pairs there are."""

    by_lead: dict[str, list[tuple[re.Pattern, int, str]]]  # lead -> (pattern, chars before the lead, replacement)
    others: list[tuple[re.Pattern, str]]  # originals without a letter or digit, tried with a plain search

    def edits(self, text: str) -> list[tuple[int, int, str]]:
        """Where the text changes: (start, end, replacement) for every whole-word occurrence, in order,
        never overlapping (the longest original wins)."""
        found: list[tuple[int, int, str]] = []
        done = 0
        for run in LEAD.finditer(text):
            if run.start() < done:
                continue
            for pattern, offset, replacement in self.by_lead.get(run.group().casefold(), ()):
                start = run.start() - offset
                hit = pattern.match(text, start) if start >= done else None
                if hit:
                    found.append((start, hit.end(), replacement))
                    done = hit.end()
                    break
        for pattern, replacement in self.others:
            for hit in pattern.finditer(text):
                if not any(s < hit.end() and hit.start() < e for s, e, _ in found):
                    found.append((hit.start(), hit.end(), replacement))
        return sorted(found)

    def __call__(self, text: str) -> str:
        """The text with every whole-word occurrence of each original replaced."""
        if not text or not (self.by_lead or self.others):
            return text
        return self.rewrite(unicodedata.normalize("NFC", text))[0]

    def rewrite(self, text: str) -> tuple[str, Callable[..., int]]:
        """The replaced text, and a map from offsets in the original to offsets in the new text: an offset
        inside a replaced word moves to the replacement's start, or (`end=True`) to its end, so a span
        that touched the word covers the whole replacement."""
        return apply_edits(text, self.edits(text))


def apply_edits(text: str, edits: Iterable[tuple[int, int, str]]) -> tuple[str, Callable[..., int]]:
    """The text with each (start, end, replacement) edit made (in order, not overlapping), and the map of
    offsets `Replacer.rewrite` describes."""
    pieces, done, shifts = [], 0, []
    for start, end, replacement in edits:
        pieces += [text[done:start], replacement]
        shifts.append((start, end, len(replacement)))
        done = end
    pieces.append(text[done:])

    def moved(offset: int, end: bool = False) -> int:
        delta = 0
        for start, stop, length in shifts:
            if offset <= start:
                break
            if offset < stop:
                return start + delta + (length if end else 0)
            delta += length - (stop - start)
        return offset + delta
    return "".join(pieces), moved


def compile_pairs(pairs: Iterable[Any]) -> Replacer:
    """The pairs ready to apply, longest original first; of two originals that differ only in case or
    spacing the first is kept."""
    chosen: dict[str, tuple[str, str]] = {}
    for original, replacement in _pairs(pairs):
        chosen.setdefault(_key(original), (original, replacement))
    replacer = Replacer({}, [])
    for original, replacement in sorted(chosen.values(), key=lambda pair: (-len(pair[0]), pair[0])):
        pattern = re.compile(rf"(?<!{NOT_WORD}){_pattern(original)}(?!{NOT_WORD})", re.IGNORECASE)
        lead = LEAD.search(original)
        if lead:
            replacer.by_lead.setdefault(lead.group().casefold(), []).append((pattern, lead.start(), replacement))
        else:
            replacer.others.append((pattern, replacement))
    return replacer


def apply(text: str, pairs: Iterable[Any]) -> str:
    """The text with every whole-word occurrence of each original replaced, ignoring case."""
    return compile_pairs(pairs)(text)


def apply_to_quotes(quotes: Sequence[Quote], pairs: Iterable[Any]) -> Sequence[Quote]:
    """New quotes with text, memo, document name, participant label and attribute values pseudonymised;
    the given quotes are left as they were (with no pairs there is nothing to change: the same quotes).
    Found quotes stay found: each is pseudonymised as it is made."""
    swap = compile_pairs(pairs)
    if not swap.by_lead and not swap.others:
        return quotes if isinstance(quotes, Found) else list(quotes)

    def changed(q: Quote) -> Quote:
        return replace(q, text=swap(q.text), memo=swap(q.memo), document=swap(q.document),
                       participant=swap(q.participant) if q.participant else q.participant,
                       attributes={k: swap(v) if isinstance(v, str) else v for k, v in q.attributes.items()},
                       code_path=list(q.code_path))
    return quotes.mapped(changed) if isinstance(quotes, Found) else [changed(q) for q in quotes]


# ----- suggestions -------------------------------------------------------------------------------------

MONTHS = ("january february march april may june july august september october november december "
          "jan feb mar apr jun jul aug sep sept oct nov dec").split()
MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")),
    ("url", re.compile(r"(?<![\w@.-])(?:https?://|www\.)[^\s<>\"'()]+", re.IGNORECASE)),
    ("url", re.compile(r"(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:com|org|net|io|ac\.uk|co\.uk|org\.uk|gov\.uk|uk|me"
                       r"|info)/[^\s<>\"'()]*", re.IGNORECASE)),
    ("handle", re.compile(r"(?<![\w.@/])@[A-Za-z0-9_](?:[\w.]*\w)?")),
    ("phone", re.compile(r"(?<![\w+])\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?(?:\(\d{1,4}\)|\d{1,5})"
                         r"(?:[ .-]?\d{2,6}){1,3}(?!\w)")),
    ("phone", re.compile(r"(?<![\w+(])(?<!\d[ .-])(?:\(0\d{2,4}\)|0\d{2,4})[ .-]?\d{3,4}[ .-]?\d{3,4}"
                         r"(?![ .-]?\d)(?!\w)")),
    ("postcode", re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b")),
    ("id", re.compile(r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")),  # NI number
    ("id", re.compile(r"(?<!\d)(?<!\d )\d{3} \d{3} \d{4}(?!\d)(?! \d)")),  # NHS number
    ("id", re.compile(r"(?<!\d)(?<!\d[ -])\d{4}(?:[ -]?\d{4}){3}(?!\d)(?![ -]\d)")),  # payment card
    ("id", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")),  # IBAN
    ("id", re.compile(r"(?<![\d-])\d{2}-\d{2}-\d{2}(?![\d-])")),  # bank sort code
    ("id", re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]\d)")),  # IP address
    ("date", re.compile(rf"\b{DAY}(?:\s+of)?\s+{MONTH},?\s+(?P<y1>\d{{4}})\b", re.IGNORECASE)),
    ("date", re.compile(rf"\b{MONTH}\s+{DAY},?\s+(?P<y2>\d{{4}})\b", re.IGNORECASE)),
    ("date", re.compile(r"(?<![\d/.-])(?:0?[1-9]|[12]\d|3[01])(?P<sep>[/.])(?:0?[1-9]|1[0-2])(?P=sep)"
                        r"(?P<y3>\d{4}|\d{2})(?![\d/.-])")),
    ("date", re.compile(r"(?<![\d/.-])(?:0?[1-9]|[12]\d|3[01])-(?:0?[1-9]|1[0-2])-(?P<y4>\d{4})(?![\d/.-])")),
    ("date", re.compile(r"(?<![\d-])(?P<y5>\d{4})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])")),
]
TRAILING = ".,;:!?)]}'\"’”"

TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev",
          "father", "sister", "brother", "auntie", "aunty", "uncle", "nan", "grandma", "grandad"}
PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "da", "di", "du", "la", "le", "bin", "bint",
             "ibn", "al", "el", "ben", "ap", "mac", "st"}
STOP = set("""
i i'm i'd i've i'll ok okay yeah yes yep no nope oh ooh ah aw wow hey hi hello bye cheers sorry please thanks
um erm er uh hmm mm right well so and but or nor if then than the a an this that these those there here
it its he she they we you me my mine our ours your yours his her hers their theirs them him us
what when where why who whom whose how which whatever whenever wherever whoever however
because also just really actually anyway maybe perhaps like only even still yet already always never
sometimes often usually everyone everybody someone somebody anyone anybody nobody noone everything
something anything nothing all any both each every few many most much more less some such other another
own same not no none can can't could couldn't would wouldn't should shouldn't won't shall might
must do does did done don't doesn't didn't is isn't are aren't was wasn't were weren't be been being
have has had haven't hasn't having get got go going gone come came let make made know think say said see
to of in on at by for with without from into onto upon about above below after before during since until
till through throughout over under again further once off out up down near between among against along
across around behind beyond beside besides within towards toward via per as
first second third next last new old good great little big
monday tuesday wednesday thursday friday saturday sunday
mondays tuesdays wednesdays thursdays fridays saturdays sundays
january february march april may june july august september october november december
christmas easter ramadan eid diwali hanukkah new year god lord jesus
nhs gp gps uk gb usa us eu un bbc itv covid covid-19 coronavirus internet web wifi tv
england scotland wales ireland northern britain great british english scottish welsh irish european
europe america american african asian
facebook instagram twitter whatsapp youtube tiktok linkedin google zoom teams slack skype snapchat
microsoft apple amazon android iphone ipad windows excel word powerpoint
mum mom dad mother father nan gran grandma grandad sir madam
interviewer participant researcher facilitator moderator speaker
""".split())
STOP_OR_TITLE = STOP | TITLES
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[-'’](?=[^\W\d_]))*")
SENTENCE_END = set(".!?:;\n#]•…")
STAGE_DIRECTION = re.compile(r"[(\[][^\W\d_A-Z][^\W\dA-Z]*(?: [^\W\dA-Z]+)*[)\]]$")  # (laughs), [inaudible]
OPENERS = "\"“‘'([{*-–"


def _looks_like_name(word: str) -> bool:
    """Capitalised like a name: "Sarah", "McKenzie", "O'Brien-Kingsley"; not "GCSEs", "I'm" or "iPhone"."""
    if not word[0].isupper() or len(word) < 2:
        return False
    if word[1].islower():
        return True
    return word[1] in APOSTROPHES and len(word) > 2 and word[2].isupper()


def _bare(word: str) -> str:
    """The word without a possessive 's."""
    return re.sub(r"[’']s$", "", word)


def _sentence_start(text: str, at: int) -> bool:
    """True when the word at `at` begins a sentence, a line or a quotation; a stage direction such as
    "(laughs)" before it is passed over."""
    i = at - 1
    while i >= 0:
        if text[i] in " \t\xa0" or text[i] in OPENERS:
            i -= 1
            continue
        direction = STAGE_DIRECTION.search(text, max(0, i - 40), i + 1) if text[i] in ")]" else None
        if not direction:
            break
        i = direction.start() - 1
    if i < 0:
        return True
    if text[i] == "." and i >= 1:
        title = re.search(r"(\w+)\.$", text[max(0, i - 10):i + 1])
        if title and title.group(1).lower() in TITLES:
            return False
    return text[i] in SENTENCE_END or text[i] in "\r\n"


def _example(text: str, start: int, end: int, width: int = 40) -> str:
    """The finding with some words either side, on one line."""
    snippet = " ".join(text[max(0, start - width):end + width].split())
    return ("…" if start > width else "") + snippet + ("…" if end + width < len(text) else "")


def _birth_like(match: re.Match, this_year: int) -> bool:
    year = next(v for k, v in match.groupdict().items() if k.startswith("y") and v)
    full = int(year)
    if len(year) == 2:
        full += 2000 if 2000 + full <= this_year else 1900
    return 1900 <= full <= this_year - 10


def _stem(word: str) -> str:
    """The word, lower case, without a contraction or possessive ("You're" -> "you", "Dave's" -> "dave")."""
    return re.sub(r"[’'][^\W\d_]+$", "", word).lower()


def _capitalised_runs(text: str) -> list[list[tuple[str, int, int]]]:
    """Runs of capitalised words joined by single spaces, with particles such as "bin" or "van" inside."""
    runs: list[list[tuple[str, int, int]]] = []
    current: list[tuple[str, int, int]] = []
    for match in WORD.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        gap = text[current[-1][2]:start] if current else ""
        joined = bool(current) and not current[-1][0].endswith(("'s", "’s")) and (
            gap in (" ", "\xa0") or (gap == ". " and current[-1][0].lower() in TITLES))
        capital = _looks_like_name(word)
        if joined and (capital or word.lower() in PARTICLES):
            current.append((word, start, end))
            continue
        if current:
            runs.append(current)
        current = [(word, start, end)] if capital else []
    if current:
        runs.append(current)
    return runs


def _names(text: str) -> list[tuple[str, int, int]]:
    """Capitalised words and runs of them that look like names: not only ever at the start of a sentence,
    not common words, and not words the text mostly writes in lower case."""
    runs = _capitalised_runs(text)
    at_start = [_sentence_start(text, run[0][1]) for run in runs]
    capitalised_mid = Counter(_bare(word).lower() for run, start in zip(runs, at_start)
                              for word, _, _ in run[1 if start else 0:])
    lower_case = Counter(w for w in WORD.findall(text) if w.islower())
    found = []
    for run, start in zip(runs, at_start):
        while run and run[-1][0].lower() in PARTICLES:
            run = run[:-1]
        if not (len(run) > 1 and run[0][0].lower() in TITLES):
            if start and _bare(run[0][0]).lower() not in capitalised_mid:
                run = run[1:]
            while run and _stem(run[0][0]) in STOP_OR_TITLE:
                run = run[1:]
            while run and _stem(run[-1][0]) in STOP:
                run = run[:-1]
            single = _bare(run[0][0]).lower() if len(run) == 1 else None
            if single and lower_case[single] >= max(capitalised_mid[single], 1):
                continue  # a common word that happens to be capitalised here
        if not run:
            continue
        start_at, end_at = run[0][1], run[-1][2]
        if run[-1][0] != _bare(run[-1][0]):
            end_at -= 2
        found.append((" ".join(text[start_at:end_at].split()), start_at, end_at))
    return found


def suggest(text: str, *, this_year: Optional[int] = None) -> list[Candidate]:
    """Likely personal data in the text for a person to review: each distinct finding with its kind, how
    often it occurs and up to three snippets around it, the most frequent first."""
    this_year = this_year or date.today().year
    found: dict[tuple[str, str], Candidate] = {}
    covered = bytearray(len(text))
    spans: list[tuple[int, int]] = []

    def add(value: str, kind: str, start: int, end: int) -> None:
        candidate = found.setdefault((kind, value.casefold()), Candidate(value, kind, 0))
        candidate.count += 1
        if len(candidate.examples) < 3:
            candidate.examples.append(_example(text, start, end))

    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            while end > start and text[end - 1] in TRAILING:
                end -= 1
            if covered.find(1, start, end) != -1 or (kind == "date" and not _birth_like(match, this_year)):
                continue
            covered[start:end] = b"\x01" * (end - start)
            spans.append((start, end))
            add(text[start:end], kind, start, end)
    masked, done = [], 0
    for start, end in sorted(spans):  # hide what was found so that its words are not taken for names
        masked += [text[done:start], "\x00" * (end - start)]
        done = end
    for name, start, end in _names("".join(masked) + text[done:]):
        add(name, "name", start, end)
    return sorted(found.values(), key=lambda c: (-c.count, c.kind, c.text.casefold()))
