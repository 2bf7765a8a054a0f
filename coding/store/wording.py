"""The words people read for what the log records: code names, people's names and quoted passages, never keys,
ids or offsets."""

from typing import Optional, Sequence

from sqlmodel import Session, select

from coding.models import Code, Coding, Document, User

QUOTE_WORDS = 4


def quote(text: str, start: Optional[int], end: Optional[int], words: int = QUOTE_WORDS) -> str:
    """The first few words of text[start:end] in quotation marks (“nobody judges you…”), or "" without a span."""
    if start is None or end is None:
        return ""
    said = text[start:end].split()
    if not said:
        return "“…”"
    return "“" + " ".join(said[:words]) + ("…" if len(said) > words else "") + "”"


class Wording:
    """What one project's keys, user names and spans read as; documents are loaded when first quoted."""

    def __init__(self, session: Optional[Session] = None, *, project_id: Optional[int] = None,
                 codes: Optional[Sequence[Code]] = None):
        """`codes`: the project's codes, when the caller has them already."""
        self.session = session
        if codes is not None:
            codes = [(c.id, c.key, c.name) for c in codes]
        else:
            codes = list(session.exec(select(Code.id, Code.key, Code.name).where(Code.project_id == project_id))
                         if session and project_id else [])
        self.codes = {key: name for _, key, name in codes}
        self.code_ids = {code_id: name for code_id, _, name in codes}
        self._people: dict[str, str] = {}
        self._documents: dict[int, Optional[Document]] = {}

    def code(self, key: Optional[str]) -> str:
        """A code's name (a code since removed from the codebook reads "a code")."""
        return self.codes.get(key or "", "a code")

    def person(self, name: Optional[str]) -> str:
        """A user's display name."""
        if not name or self.session is None:
            return "someone"
        if name not in self._people:
            found = self.session.exec(select(User.name, User.display_name).where(User.name == name)).first()
            self._people[name] = (found[1] or name) if found else "someone"
        return self._people[name]

    def names(self, names) -> str:
        """Several users' display names, joined with commas."""
        return ", ".join(self.person(n) for n in names)

    def document(self, document_id: Optional[int]) -> Optional[Document]:
        """The transcript, or None when it is gone."""
        if document_id is None or self.session is None:
            return None
        if document_id not in self._documents:
            self._documents[document_id] = self.session.get(Document, document_id)
        return self._documents[document_id]

    def document_name(self, document_id: Optional[int]) -> str:
        """A transcript's name ("a deleted transcript" when it was erased)."""
        document = self.document(document_id)
        return document.name if document is not None else "a deleted transcript"

    def passage(self, document_id: Optional[int], start: Optional[int], end: Optional[int]) -> str:
        """The first words of a passage, quoted."""
        document = self.document(document_id)
        return quote(document.text, start, end) if document is not None else "“…”"

    def coding(self, coding_id: Optional[int], joint: str = "on") -> str:
        """A coding by its code and passage: "Safety on “nobody judges you…”"."""
        coding = self.session.get(Coding, coding_id) if self.session is not None and coding_id else None
        if coding is None:
            return "a coding"
        passage = self.passage(coding.document_id, coding.start, coding.end)
        return f"{self.code_ids.get(coding.code_id, 'a code')} {joint} {passage}"

    def decision(self, decision: str) -> str:
        """A reconciliation decision in words ("keep:cara" reads "kept Cara Jones's coding")."""
        kind, _, who = (decision or "").partition(":")
        return {"keep": f"kept {self.person(who)}'s coding", "both": "kept both", "neither": "kept neither",
                "adjust": "set the span by hand", "agreed": "all coders agreed"}.get(kind, kind)
