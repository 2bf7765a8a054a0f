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
from typing import BinaryIO, Callable, Optional, Sequence

from lxml import etree
from sqlmodel import Session

from coding import store
from coding.analysis import pseudonyms, queries
from coding.text.spans import codepoints_to_utf16
from coding.codebook.frameworks import Framework
from coding.models import Code, Coding, Document, Memo, Participant, Project

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
    """Everything a project export holds, gathered from the database."""

    project: Project
    codes: list[Code]
    documents: list[Document]
    participants: list[Participant]
    codings: list[Coding]
    coder_of: dict[int, str] = field(default_factory=dict)  # coding id -> user name, or CONSENSUS
    memos: list[tuple[Memo, str]] = field(default_factory=list)  # transcript and project memos, with author names
    display_of: dict[str, str] = field(default_factory=dict)  # user name -> display name


def gather(session: Session, *, project: Project) -> ProjectData:
    """The codes, documents, participants and live codings of a project, with each coding's coder."""
    owners = store.layer_owners(session, project_id=project.id)
    consensus = store.consensus_layer(session, project_id=project.id, create=False)
    codings = store.project_codings(session, project_id=project.id)
    coder_of = {}
    for coding in codings:
        if consensus is not None and coding.layer_id == consensus.id:
            coder_of[coding.id] = CONSENSUS
        elif coding.layer_id in owners:
            coder_of[coding.id] = owners[coding.layer_id].name
        else:
            coder_of[coding.id] = store.get_user(session, user_id=coding.created_by).name
    return ProjectData(project=project, codes=store.project_codes(session, project_id=project.id),
                       documents=store.list_documents(session, project_id=project.id),
                       participants=store.list_participants(session, project_id=project.id),
                       codings=codings, coder_of=coder_of, memos=_memos(session, project=project),
                       display_of={u.name: u.display_name for u in store.list_users(session) if u.display_name})


def _memos(session: Session, *, project: Project) -> list[tuple[Memo, str]]:
    """The project's memos and every transcript's memos, oldest first, with their authors' user names."""
    found = [(m, u.name) for m, u in store.project_memos(session, project_id=project.id)]
    for document in store.list_documents(session, project_id=project.id):
        found += [(m, u.name) for m, u in store.document_memos(session, document_id=document.id)]
    return sorted(found, key=lambda pair: pair[0].id)


def _add_notes(root: etree._Element, data: ProjectData, guid: GuidFor, user_guid: dict[str, str]) -> None:
    """Memos as notes: a transcript's memo named after it (its source refers to it), a project memo by title."""
    if not data.memos:
        return
    names = {d.id: d.name for d in data.documents}
    notes = _element(root, PROJECT_NS, "Notes")
    for memo, author in data.memos:
        name = memo.title if memo.document_id is None else f"Memo on {names.get(memo.document_id, 'a transcript')}"
        note = _element(notes, PROJECT_NS, "Note", guid=guid(f"memo:{memo.id}"), name=name,
                        creatingUser=user_guid[author], creationDateTime=_when(memo.created_at),
                        modifiedDateTime=_when(memo.updated_at))
        _element(note, PROJECT_NS, "PlainTextContent", memo.text)


def source_file(guid: str) -> str:
    """The name of a document's text inside the archive."""
    return f"{guid}.txt"


def _check_positions(positions: str) -> None:
    if positions not in POSITIONS:
        raise store.Invalid(f"positions must be one of {', '.join(POSITIONS)}, not '{positions}'")


def project_xml(data: ProjectData, positions: str = "codepoints") -> etree._Element:
    """The `project.qde` document of a project export; `positions="utf16"` counts as NVivo does."""
    _check_positions(positions)
    guid = project_guids(data.project)
    people = set(data.coder_of.values()) | {author for _, author in data.memos}
    user_guid = {name: guid(f"user:{name}") for name in sorted(people)}
    root = _root(PROJECT_NS, "Project", "Project", name=data.project.name,
                 origin=NVIVO_ORIGIN if positions == "utf16" else ORIGIN,
                 creationDateTime=_when(data.project.created_at))
    if user_guid:
        users = _element(root, PROJECT_NS, "Users")
        for name, user in user_guid.items():
            _element(users, PROJECT_NS, "User", guid=user, name=data.display_of.get(name) or name, id=name)
    if data.codes:
        _add_codes(_element(root, PROJECT_NS, "CodeBook"), PROJECT_NS, data.codes, guid)
    _add_cases(root, data, guid)
    if data.documents:
        sources = _element(root, PROJECT_NS, "Sources")
        by_document: dict[int, list[Coding]] = {}
        for coding in data.codings:
            by_document.setdefault(coding.document_id, []).append(coding)
        code_key = {code.id: code.key for code in data.codes}
        for document in data.documents:
            source_guid = guid(f"document:{document.id}")
            source = _element(sources, PROJECT_NS, "TextSource", guid=source_guid, name=document.name,
                              plainTextPath=f"internal://{source_file(source_guid)}",
                              creationDateTime=_when(document.created_at))
            ordered = sorted(by_document.get(document.id, []), key=lambda c: (c.start, c.end, c.id))
            spans = [(c.start, c.end) for c in ordered]
            if positions == "utf16":
                flat = codepoints_to_utf16(document.text, [p for span in spans for p in span])
                spans = list(zip(flat[::2], flat[1::2]))
            for coding, (start, end) in zip(ordered, spans):
                coder = user_guid[data.coder_of[coding.id]]
                when = _when(coding.created_at)
                selection = _element(source, PROJECT_NS, "PlainTextSelection", guid=guid(f"selection:{coding.id}"),
                                     startPosition=str(start), endPosition=str(end),
                                     creatingUser=coder, creationDateTime=when)
                if coding.memo:
                    _element(selection, PROJECT_NS, "Description", coding.memo)
                tag = _element(selection, PROJECT_NS, "Coding", guid=guid(f"coding:{coding.id}"),
                               creatingUser=coder, creationDateTime=when)
                _element(tag, PROJECT_NS, "CodeRef", targetGUID=guid(f"code:{code_key[coding.code_id]}"))
            for memo, _ in data.memos:
                if memo.document_id == document.id:
                    _element(source, PROJECT_NS, "NoteRef", targetGUID=guid(f"memo:{memo.id}"))
    _add_notes(root, data, guid, user_guid)
    if data.project.description:
        _element(root, PROJECT_NS, "Description", data.project.description)
    for memo, _ in data.memos:
        if memo.document_id is None:
            _element(root, PROJECT_NS, "NoteRef", targetGUID=guid(f"memo:{memo.id}"))
    return root


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


def write_project(data: ProjectData, out: BinaryIO, positions: str = "codepoints") -> None:
    """A `.qdpx` archive: project.qde and each document's text as UTF-8 in sources/<guid>.txt."""
    guid = project_guids(data.project)
    qde = _serialise(project_xml(data, positions))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for document in data.documents:
            archive.writestr(f"sources/{source_file(guid(f'document:{document.id}'))}", document.text.encode("utf-8"))


def pseudonymised(data: ProjectData, pairs: list) -> ProjectData:
    """The same project with the pseudonyms applied to the sources, their names and the memos, and every
    coding's offsets moved to the rewritten text (copies: nothing stored is touched)."""
    if not pairs:
        return data
    replacer = pseudonyms.compile_pairs(pairs)
    documents, movers = [], {}
    for document in data.documents:
        text, moved = replacer.rewrite(document.text)
        movers[document.id] = moved
        documents.append(Document(**{**document.model_dump(), "text": text, "name": replacer(document.name)}))
    codings = [Coding(**{**coding.model_dump(), "start": movers[coding.document_id](coding.start),
                         "end": movers[coding.document_id](coding.end, end=True), "memo": replacer(coding.memo)})
               for coding in data.codings]
    memos = [(Memo(**{**memo.model_dump(), "title": replacer(memo.title), "text": replacer(memo.text)}), author)
             for memo, author in data.memos]
    return ProjectData(project=data.project, codes=data.codes, documents=documents, participants=data.participants,
                       codings=[c for c in codings if c.end > c.start], coder_of=data.coder_of, memos=memos,
                       display_of=data.display_of)


def project_qdpx(session: Session, *, project: Project, positions: str = "codepoints") -> bytes:
    """A whole project as a REFI-QDA `.qdpx` file, with the project's pseudonyms applied."""
    _check_positions(positions)
    out = io.BytesIO()
    write_project(pseudonymised(gather(session, project=project), queries.pairs(session, project_id=project.id)), out,
                  positions)
    return out.getvalue()
