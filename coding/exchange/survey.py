"""Open-text survey answers as documents to code, and counts by respondent.

A survey comes as a CSV (comma, semicolon or tab) or an Excel workbook (its first sheet): a header row, then one
row per respondent. The importer names one column the respondent's id, some columns attributes and one or more
columns answers. Each respondent becomes a participant (with those attributes) and the answers become survey
documents, as the user chooses: one document per respondent, each answer under its question, or one document
per question with every respondent's answer as a turn of its own. Either way an answer is a turn spoken by the
respondent and each question a turn of the speaker "Question" (an interviewer: never suggested, never counted).
The whole survey is stored in one transaction or, on any refusal, not at all.

Counting by respondent is the report's Table 5.2 ("words used to describe peer support"): for each code, how
many respondents gave at least one answer coded with it (or a code under it), and what share of all
respondents that is.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.codebook import codetree
from coding.exchange.batch_import import _dialect
from coding.limits import Limits, SafeZip
from coding.models import Document, User
from coding.text.transcripts import ImportRefused, decode_text, read_transcript

QUESTION = "Question"  # the speaker of each question's turn
PER = ("respondent", "question")
MAX_RESPONDENTS = 20_000


@dataclass
class Table:
    """A survey as read: its column names and its rows of values (as text)."""

    name: str
    header: list[str]
    rows: list[list[str]]

    def csv(self) -> str:
        """The table as CSV text (what the page carries from the preview to the import)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue()


def read_table(name: str, data: bytes, limits: Limits = Limits()) -> Table:
    """A survey file's header and rows: an .xlsx workbook's first sheet, or CSV text; refused, saying what and
    where, when it is empty, has a nameless or repeated column, or a row of another length."""
    if not data.strip():
        raise ImportRefused(f"{name}: the file is empty")
    if data[:2] == b"PK":
        header, rows = _workbook(name, data, limits)
    else:
        text = decode_text(data, name)
        reader = csv.reader(io.StringIO(text), _dialect(text))
        header = next(reader, [])
        rows = list(reader)
    header = [h.strip() for h in header]
    if not header or not any(header):
        raise ImportRefused(f"{name}: the file has no header row")
    if "" in header:
        raise ImportRefused(f"{name}: column {header.index('') + 1} of the header has no name")
    twice = [h for h, n in Counter(header).items() if n > 1]
    if twice:
        raise ImportRefused(f"{name}: the column '{twice[0]}' appears twice in the header")
    kept = []
    for line, row in enumerate(rows, start=2):
        if not any(str(cell).strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ImportRefused(f"{name}, row {line}: {len(row)} values for {len(header)} columns")
        kept.append([str(cell) for cell in row])
    if not kept:
        raise ImportRefused(f"{name}: the file has a header but no respondents")
    if len(kept) > MAX_RESPONDENTS:
        raise ImportRefused(f"{name}: {len(kept):,} respondents, over the limit of {MAX_RESPONDENTS:,}")
    return Table(name, header, kept)


def _workbook(name: str, data: bytes, limits: Limits) -> tuple[list, list]:
    """The first sheet of a workbook, every part unpacked within the limits first."""
    from openpyxl import load_workbook

    archive = SafeZip(data, name, limits, damaged=lambda exc: ImportRefused(f"{name}: not a readable Excel file "
                                                                           f"({exc})"))
    for member in archive.members:
        with archive.open(member) as part:
            while part.read(1 << 16):
                pass
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as error:  # openpyxl raises many kinds for a workbook it cannot read
        raise ImportRefused(f"{name}: not a readable Excel file ({error})") from error
    width = max((len(row) for row in values), default=0)
    values = [row + [""] * (width - len(row)) for row in values]
    while values and width and not any(row[width - 1] for row in values):  # trailing empty columns
        values, width = [row[:-1] for row in values], width - 1
    return (values[0] if values else []), values[1:]


ROLES = {"ignore": "leave out", "respondent": "respondent id", "attribute": "attribute", "answer": "answers"}
ID_NAMES = ("respondent", "respondent id", "respondent_id", "id", "participant", "case")


def guess_roles(table: Table) -> dict[str, str]:
    """A first guess at each column's role: the id (a column named like one, or the first), answers (text of
    more than five words on average, or short answers most respondents put differently), attributes (the
    rest: a few values many respondents share, such as a region)."""
    lowered = [h.lower() for h in table.header]
    id_column = next((table.header[lowered.index(n)] for n in ID_NAMES if n in lowered), table.header[0])
    roles = {}
    for index, column in enumerate(table.header):
        given = [row[index].strip() for row in table.rows if row[index].strip()]
        words = [len(value.split()) for value in given]
        varied = len(set(given)) > max(10, len(given) / 2)
        answer = bool(given) and (sum(words) / len(words) > 5 or varied)
        roles[column] = "respondent" if column == id_column else "answer" if answer else "attribute"
    return roles


def _one_line(answer: str) -> str:
    """An answer as one turn: its line breaks become spaces."""
    return re.sub(r"\s+", " ", answer).strip()


def import_survey(session: Session, *, project_id: int, user: User, table: Table, respondent: str,
                  answers: Sequence[str], attributes: Sequence[str] = (), per: str = "respondent") -> list[Document]:
    """Store the survey: a participant per respondent, with the chosen attribute columns, and its answers as
    survey documents, one per respondent or one per question (`per`). All of it, or nothing."""
    columns = set(table.header)
    for column in [respondent, *answers, *attributes]:
        if column not in columns:
            raise store.Invalid(f"{table.name} has no column '{column}'")
    if not answers:
        raise store.Invalid("choose at least one column of answers")
    if per not in PER:
        raise store.Invalid(f"a survey becomes one document per {' or per '.join(PER)}, not per '{per}'")
    if respondent in answers or respondent in attributes or set(answers) & set(attributes):
        raise store.Invalid("a column is the respondent id, an attribute or answers: choose each for one only")
    at = {name: table.header.index(name) for name in table.header}
    people: list[tuple[str, dict[str, str], dict[str, str]]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(table.rows, start=2):
        label = row[at[respondent]].strip()
        if not label:
            raise store.Invalid(f"{table.name}, row {line}: the respondent id is empty")
        if ":" in label or "\n" in label:
            raise store.Invalid(f"{table.name}, row {line}: a respondent id cannot hold ':' or a line break")
        if label in seen:
            raise store.Invalid(f"{table.name}, row {line}: respondent '{label}' is already on row {seen[label]}")
        seen[label] = line
        people.append((label, {a: row[at[a]].strip() for a in attributes if row[at[a]].strip()},
                       {q: _one_line(row[at[q]]) for q in answers if _one_line(row[at[q]])}))
    stem = re.sub(r"\.[^.]*$", "", table.name) or "survey"
    made = []
    with store.atomic(session):
        store.set_attributes(session, project_id=project_id, user=user,
                             rows=[(label, attributes) for label, attributes, _ in people])
        if per == "respondent":
            for label, _, said in people:
                if said:
                    text = "\n\n".join(f"{QUESTION}: {q}\n\n{label}: {a}" for q, a in said.items())
                    made.append(_store(session, project_id, user, f"{stem} – {label}.txt", text, label))
        else:
            for question in answers:
                turns = [f"{label}: {said[question]}" for label, _, said in people if question in said]
                if turns:
                    text = "\n\n".join([f"{QUESTION}: {question}", *turns])
                    made.append(_store(session, project_id, user, f"{stem} – {question}.txt", text, None))
    return made


def _store(session: Session, project_id: int, user: User, name: str, text: str, label: Optional[str]) -> Document:
    transcript = read_transcript(name, text.encode("utf-8"))
    document = store.import_document(session, project_id=project_id, user=user, transcript=transcript,
                                     participant=label or "")
    document.kind, document.interviewer_speakers = "survey", [QUESTION]
    session.add(document)
    session.flush()
    return document


@dataclass(frozen=True)
class RespondentCount:
    """One code of the respondent table: how many respondents' answers were coded with it, of how many."""

    key: str
    name: str
    respondents: int
    share: float  # of every respondent to the survey


def respondent_counts(session: Session, *, project_id: int, coded) -> tuple[int, list[RespondentCount]]:
    """The number of respondents, and per code (a code counting its sub-codes) how many respondents had an
    answer coded with it, from the codings the reader asked for (`coded`: analysis's `Coded` records, say
    `find_quotes(...).coded()`); only survey documents count."""
    surveys = {d.id: d for d in store.document_summaries(session, project_id=project_id) if d.kind == "survey"}
    speakers = {d: store.TurnSpeakers(session, document_id=d) for d in surveys}
    everyone = {person for d, found in speakers.items() for person in found.everyone()
                if person not in surveys[d].interviewer_speakers}
    codes = store.project_codes(session, project_id=project_id)
    lineage = codetree.lineages(codes)
    reached: dict[str, set[str]] = {code.key: set() for code in codes}
    for coding in coded:
        if coding.document_id not in surveys:
            continue
        person = speakers[coding.document_id].at(coding.start)
        if person is None or person in surveys[coding.document_id].interviewer_speakers:
            continue
        for key in lineage.get(coding.code_key, (coding.code_key,)):
            reached.setdefault(key, set()).add(person)
    total = len(everyone)
    rows = [RespondentCount(code.key, code.name, len(reached[code.key]),
                            len(reached[code.key]) / total if total else 0.0) for code in codes if reached[code.key]]
    return total, rows

