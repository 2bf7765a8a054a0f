"""REFI-QDA export: a codebook as `.qdc`, a whole project as `.qdpx` (project.qde plus sources/).

Positions count code points, as the standard says; `positions="utf16"` counts UTF-16 units instead, as NVivo
writes and reads them (the file's origin then says so, which our own importer recognises). Users carry their
display name as `name` and their login name as `id`; the login name also makes their GUID.

GUIDs are stable: the same project exported twice names every code, document, coding, user and case
with the same GUID (uuid5 over the project's identity and the thing's own key).
"""

import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, BinaryIO, Callable, Optional, Sequence

from lxml import etree
from sqlmodel import Session

from coding import store
from coding.analysis import pseudonyms, queries
from coding.team import consent
from coding.text.spans import codepoints_to_utf16
from coding.codebook.frameworks import Framework
from coding.models import Code, Memo, Participant, Project

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_URL = "http://schema.qdasoftware.org/versions/{0}/v1.0/{0}.xsd"
ORIGIN = "Peerframe"
NVIVO_ORIGIN = "Peerframe (positions for NVivo, UTF-16)"
POSITIONS = {"codepoints": "positions as the standard counts them (code points)",
             "utf16": "positions for NVivo (UTF-16)"}
CONSENSUS = "Consensus"
PEERFRAME_GUIDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://peerframe.invalid/refi-qda")
RGB = re.compile(r"^#[0-9a-fA-F]{6}$")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

GuidFor = Callable[[str], str]


def guids_for(identity: str) -> GuidFor:
    """A function giving the stable GUID of a thing (`code:safety`, `document:3`) within `identity`."""
    space = uuid.uuid5(PEERFRAME_GUIDS, identity)
    return lambda key: str(uuid.uuid5(space, key))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def project_guids(project: Project) -> GuidFor:
    """The GUIDs of one project: its id and creation time make them differ between databases."""
    created = _utc(project.created_at).replace(tzinfo=None).isoformat(timespec="microseconds")
    return guids_for(f"project:{project.id}:{created}")


def _text(value: str) -> str:
    """Text XML 1.0 can carry (control characters dropped)."""
    return NOT_XML.sub("", value)


def _when(moment: Optional[datetime]) -> Optional[str]:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _element(parent: etree._Element, ns: str, tag: str, text: Optional[str] = None,
             **attributes: Optional[str]) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: _text(v) for k, v in attributes.items() if v is not None})
    if text is not None:
        node.text = _text(text)
    return node


def _root(ns: str, tag: str, schema: str, **attributes: Optional[str]) -> etree._Element:
    root = etree.Element(f"{{{ns}}}{tag}", nsmap={None: ns, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{ns} {SCHEMA_URL.format(schema)}")
    for key, value in attributes.items():
        if value is not None:
            root.set(key, _text(value))
    return root


def _add_codes(parent: etree._Element, ns: str, codes: Sequence[Code], guid: GuidFor) -> None:
    """Codes nested under their parents, in codebook order; a code whose parent is missing is top-level."""
    keys = {code.key for code in codes}
    children: dict[Optional[str], list[Code]] = {}
    for code in sorted(codes, key=lambda c: (c.position, c.key)):
        children.setdefault(code.parent_key if code.parent_key in keys else None, []).append(code)

    def add(under: etree._Element, code: Code) -> None:
        colour = code.colour if RGB.match(code.colour or "") else None
        node = _element(under, ns, "Code", guid=guid(f"code:{code.key}"), name=code.name, isCodable="true",
                        color=colour.lower() if colour else None)
        if code.definition:
            _element(node, ns, "Description", code.definition)
        for child in children.get(code.key, []):
            add(node, child)

    holder = _element(parent, ns, "Codes")
    for code in children.get(None, []):
        add(holder, code)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- codebook (.qdc) ------------------------------------------------------------------------------

def write_codebook(codes: Sequence[Code], out: BinaryIO, *, guid: GuidFor) -> None:
    """A REFI-QDA codebook of these codes (no <Sets>: Peerframe has none, and an empty one is invalid)."""
    if not codes:
        raise store.Invalid("the codebook has no codes, and a REFI-QDA codebook needs at least one")
    root = _root(CODEBOOK_NS, "CodeBook", "Codebook", origin=ORIGIN)
    _add_codes(root, CODEBOOK_NS, codes, guid)
    out.write(_serialise(root))


def codebook_qdc(session: Session, *, project: Project) -> bytes:
    """A project's codebook as a REFI-QDA `.qdc` file."""
    out = io.BytesIO()
    write_codebook(store.project_codes(session, project_id=project.id), out, guid=project_guids(project))
    return out.getvalue()


def framework_qdc(framework: Framework) -> bytes:
    """A shipped framework as a REFI-QDA `.qdc` file (no project needed)."""
    codes = [Code(project_id=0, key=c.id, parent_key=c.parent, name=c.name, definition=c.definition,
                  colour=c.colour, position=i) for i, c in enumerate(framework.walk())]
    out = io.BytesIO()
    write_codebook(codes, out, guid=guids_for(f"framework:{framework.id}:{framework.version}"))
    return out.getvalue()


# --- project (.qdpx) ------------------------------------------------------------------------------

@dataclass
class ProjectData:
    """What a project export holds, read from the database: all but the transcripts' texts and codings, which
    `text_of` and `codings_of` read one transcript at a time as the export is written."""

    project: Project
    codes: list[Code]
    documents: list  # records of every column but the text
    participants: list[Participant]
    coders: list[str]  # the user names (or CONSENSUS) the codings are by
    coder_of: Callable[[Any], str]  # a coding's coder, as in `coders`
    text_of: Callable[[int], str]
    codings_of: Callable[[int], list]  # a document's live codings as records, by position
    memos: list[tuple[Memo, str]] = field(default_factory=list)  # transcript and project memos, with author names
    display_of: dict[str, str] = field(default_factory=dict)  # user name -> display name
    held_back: Callable[[int], list[tuple[int, int, str]]] = lambda document_id: []  # sensitive passages to hide


def gather(session: Session, *, project: Project, include_flagged: bool = False) -> ProjectData:
    """The codes, documents, participants and memos of a project, and how to read each transcript's text and
    codings and name each coding's coder. As consent allows (`consent.Quoting`): a transcript whose participant
    did not agree to be quoted, or that is to inform only, is left out; passages marked sensitive are held back
    (their text replaced by a note of what was held back) unless `include_flagged`."""
    quoting = consent.Quoting(session, project_id=project.id, include_flagged=include_flagged)
    owners = store.layer_owners(session, project_id=project.id)
    consensus = store.consensus_layer(session, project_id=project.id, create=False)
    users = {u.id: u for u in store.list_users(session)}

    def coder(layer_id: int, created_by: int) -> str:
        if consensus is not None and layer_id == consensus.id:
            return CONSENSUS
        return owners[layer_id].name if layer_id in owners else users[created_by].name

    coders = sorted({coder(layer_id, by) for layer_id, by in store.coders_of_codings(session, project_id=project.id)})
    return ProjectData(project=project, codes=store.project_codes(session, project_id=project.id),
                       documents=[d for d in store.document_summaries(session, project_id=project.id)
                                  if quoting.refusal(d.id) is None],
                       participants=store.list_participants(session, project_id=project.id), coders=coders,
                       coder_of=lambda coding: coder(coding.layer_id, coding.created_by),
                       text_of=lambda document_id: store.document_texts(session, document_ids=[document_id])[document_id],
                       codings_of=lambda document_id: store.document_coding_records(session, document_id=document_id),
                       memos=_memos(session, project=project),
                       display_of={u.name: u.display_name for u in users.values() if u.display_name},
                       held_back=lambda document_id: [] if include_flagged else quoting.flags.get(document_id, []))


def _memos(session: Session, *, project: Project) -> list[tuple[Memo, str]]:
    """The project's memos and every transcript's memos, oldest first, with their authors' user names."""
    found = [(m, u.name) for m, u in store.project_memos(session, project_id=project.id)]
    for document in store.document_summaries(session, project_id=project.id):
        found += [(m, u.name) for m, u in store.document_memos(session, document_id=document.id)]
    return sorted(found, key=lambda pair: pair[0].id)


def _add_notes(root: etree._Element, data: ProjectData, guid: GuidFor, user_guid: dict[str, str],
               rename: Callable[[str], str]) -> None:
    """Memos as notes: a transcript's memo named after it (its source refers to it), a project memo by title."""
    if not data.memos:
        return
    names = {d.id: rename(d.name) for d in data.documents}
    notes = _element(root, PROJECT_NS, "Notes")
    for memo, author in data.memos:
        title = rename(memo.title) if memo.document_id is None else \
            f"Memo on {names.get(memo.document_id, 'a transcript')}"
        note = _element(notes, PROJECT_NS, "Note", guid=guid(f"memo:{memo.id}"), name=title,
                        creatingUser=user_guid[author], creationDateTime=_when(memo.created_at),
                        modifiedDateTime=_when(memo.updated_at))
        _element(note, PROJECT_NS, "PlainTextContent", rename(memo.text))


def source_file(guid: str) -> str:
    """The name of a document's text inside the archive."""
    return f"{guid}.txt"


def _check_positions(positions: str) -> None:
    if positions not in POSITIONS:
        raise store.Invalid(f"positions must be one of {', '.join(POSITIONS)}, not '{positions}'")


class _Pseudonyms:
    """The project's pseudonyms as the export applies them: to names and memos, and to each transcript's text
    with its codings' offsets moved to the rewritten text (nothing stored is touched)."""

    def __init__(self, pairs: list):
        self.replacer = pseudonyms.compile_pairs(pairs) if pairs else None

    def __call__(self, text: str) -> str:
        return self.replacer(text) if self.replacer else text

    def source(self, text: str, codings: list, held_back: Sequence[tuple[int, int, str]] = ()
               ) -> tuple[str, list[tuple[Any, int, int]]]:
        """The text as exported and each coding with its (start, end) in it; codings left empty are dropped.
        Each held-back passage (start, end, category) is replaced by a note saying what was held back, and a
        coding on it then covers the note."""
        if self.replacer is None and not held_back:
            return text, [(c, c.start, c.end) for c in codings]
        text, hidden = pseudonyms.apply_edits(text, _notes(held_back))
        spans = [(c, hidden(c.start), hidden(c.end, end=True)) for c in codings]
        if self.replacer is not None:
            text, moved = self.replacer.rewrite(text)
            spans = [(c, moved(start), moved(end, end=True)) for c, start, end in spans]
        return text, [(c, start, end) for c, start, end in spans if end > start]


def _notes(held_back: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Edits replacing each held-back passage (overlapping ones merged) by a note of its kinds."""
    merged: list[list] = []
    for start, end, category in sorted(held_back):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].add(category)
        else:
            merged.append([start, end, {category}])
    return [(start, end, "[passage held back: " + ", ".join(consent.SENSITIVE[c] for c in sorted(kinds)) + "]")
            for start, end, kinds in merged]


def _source(data: ProjectData, document, guid: GuidFor, user_guid: dict[str, str], positions: str,
            names: _Pseudonyms, code_key: dict[int, str]) -> etree._Element:
    """One transcript's TextSource with its codings as selections."""
    source_guid = guid(f"document:{document.id}")
    source = etree.Element(f"{{{PROJECT_NS}}}TextSource", nsmap={None: PROJECT_NS})
    for key, value in dict(guid=source_guid, name=names(document.name),
                           plainTextPath=f"internal://{source_file(source_guid)}",
                           creationDateTime=_when(document.created_at)).items():
        source.set(key, _text(value))
    text, coded = names.source(data.text_of(document.id), data.codings_of(document.id), data.held_back(document.id))
    coded.sort(key=lambda item: (item[1], item[2], item[0].id))
    spans = [(start, end) for _, start, end in coded]
    if positions == "utf16":
        flat = codepoints_to_utf16(text, [p for span in spans for p in span])
        spans = list(zip(flat[::2], flat[1::2]))
    for (coding, _, _), (start, end) in zip(coded, spans):
        coder = user_guid[data.coder_of(coding)]
        when = _when(coding.created_at)
        selection = _element(source, PROJECT_NS, "PlainTextSelection", guid=guid(f"selection:{coding.id}"),
                             startPosition=str(start), endPosition=str(end), creatingUser=coder, creationDateTime=when)
        if coding.memo:
            _element(selection, PROJECT_NS, "Description", names(coding.memo))
        tag = _element(selection, PROJECT_NS, "Coding", guid=guid(f"coding:{coding.id}"), creatingUser=coder,
                       creationDateTime=when)
        _element(tag, PROJECT_NS, "CodeRef", targetGUID=guid(f"code:{code_key[coding.code_id]}"))
    for memo, _ in data.memos:
        if memo.document_id == document.id:
            _element(source, PROJECT_NS, "NoteRef", targetGUID=guid(f"memo:{memo.id}"))
    return source


def write_qde(data: ProjectData, out: BinaryIO, positions: str = "codepoints", pairs: Sequence = ()) -> None:
    """The `project.qde` document of a project export, written one transcript at a time (`positions="utf16"`
    counts as NVivo does; `pairs`: the project's pseudonyms)."""
    _check_positions(positions)
    guid = project_guids(data.project)
    names = _Pseudonyms(list(pairs))
    people = set(data.coders) | {author for _, author in data.memos}
    user_guid = {name: guid(f"user:{name}") for name in sorted(people)}
    head = _root(PROJECT_NS, "Project", "Project", name=data.project.name,
                 origin=NVIVO_ORIGIN if positions == "utf16" else ORIGIN,
                 creationDateTime=_when(data.project.created_at))
    if user_guid:
        users = _element(head, PROJECT_NS, "Users")
        for name, user in user_guid.items():
            _element(users, PROJECT_NS, "User", guid=user, name=data.display_of.get(name) or name, id=name)
    if data.codes:
        _add_codes(_element(head, PROJECT_NS, "CodeBook"), PROJECT_NS, data.codes, guid)
    _add_cases(head, data, guid)
    tail = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    _add_notes(tail, data, guid, user_guid, names)
    if data.project.description:
        _element(tail, PROJECT_NS, "Description", data.project.description)
    for memo, _ in data.memos:
        if memo.document_id is None:
            _element(tail, PROJECT_NS, "NoteRef", targetGUID=guid(f"memo:{memo.id}"))
    code_key = {code.id: code.key for code in data.codes}
    with etree.xmlfile(out, encoding="UTF-8") as xml:
        xml.write_declaration()
        with xml.element(head.tag, dict(head.attrib), nsmap=head.nsmap):
            for part in head:
                xml.write(part, pretty_print=True)
            if data.documents:
                with xml.element(f"{{{PROJECT_NS}}}Sources"):
                    for document in data.documents:
                        xml.write(_source(data, document, guid, user_guid, positions, names, code_key),
                                  pretty_print=True)
            for part in tail:
                xml.write(part, pretty_print=True)


def _add_cases(root: etree._Element, data: ProjectData, guid: GuidFor) -> None:
    """Participants as cases, their attributes as text variables, their documents as source references."""
    if not data.participants:
        return
    names = sorted({name for p in data.participants for name in p.attributes})
    if names:
        variables = _element(root, PROJECT_NS, "Variables")
        for name in names:
            _element(variables, PROJECT_NS, "Variable", guid=guid(f"variable:{name}"), name=name, typeOfVariable="Text")
    cases = _element(root, PROJECT_NS, "Cases")
    for participant in data.participants:
        case = _element(cases, PROJECT_NS, "Case", guid=guid(f"case:{participant.label}"), name=participant.label)
        for name in sorted(participant.attributes):
            value = _element(case, PROJECT_NS, "VariableValue")
            _element(value, PROJECT_NS, "VariableRef", targetGUID=guid(f"variable:{name}"))
            _element(value, PROJECT_NS, "TextValue", str(participant.attributes[name]))
        for document in data.documents:
            if document.participant_id == participant.id:
                _element(case, PROJECT_NS, "SourceRef", targetGUID=guid(f"document:{document.id}"))


def write_project(data: ProjectData, out: BinaryIO, positions: str = "codepoints", pairs: Sequence = ()) -> None:
    """A `.qdpx` archive: project.qde and each document's text as UTF-8 in sources/<guid>.txt, written one
    transcript at a time (`pairs`: the project's pseudonyms, applied to what leaves)."""
    _check_positions(positions)
    guid = project_guids(data.project)
    names = _Pseudonyms(list(pairs))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("project.qde", "w") as qde:
            write_qde(data, qde, positions, pairs)
        for document in data.documents:
            text, _ = names.source(data.text_of(document.id), [], data.held_back(document.id))
            archive.writestr(f"sources/{source_file(guid(f'document:{document.id}'))}", text.encode("utf-8"))


def project_qdpx(session: Session, *, project: Project, positions: str = "codepoints",
                 include_flagged: bool = False) -> bytes:
    """A whole project as a REFI-QDA `.qdpx` file, as consent allows (see `gather`), with the project's
    pseudonyms applied."""
    _check_positions(positions)
    out = io.BytesIO()
    write_project(gather(session, project=project, include_flagged=include_flagged), out, positions,
                  queries.pairs(session, project_id=project.id))
    return out.getvalue()
