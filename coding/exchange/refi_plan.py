"""A REFI-QDA file read into a plan: what a `.qdc` codebook or `.qdpx` project holds, checked and mapped
to Peerframe's terms (code keys, user names, code-point offsets into normalised text) before anything is
written.

Known deviations of other tools are tolerated: NVivo's UTF-16 offsets over text with CRLF line ends and a
BOM, codebook namespaces other than 1.0 (elements are matched by local name), an inner `.qde` not called
project.qde, paths in another letter case, sources given inline. A broken file raises `ImportRefused`
naming the file and the problem.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Optional

import numpy as np
from lxml import etree

from coding.codebook.frameworks import Framework, FrameworkCode
from coding.text.spans import utf16_to_codepoints
from coding.limits import Limits, SafeZip, too_long, upload_too_big
from coding.codebook.palette import child_colour
from coding.text.transcripts import ImportRefused, decode_text, normalise

FRAMEWORK_ID = "refi-import"
PALETTE = ("#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#bc80bd", "#ccebc5",
           "#ffed6f")
OTHER_SOURCES = {"PictureSource": "pictures", "PDFSource": "PDF documents", "AudioSource": "audio",
                 "VideoSource": "video"}


@dataclass
class Skipped:
    """Something in the file that was not brought in, and why."""

    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


@dataclass
class MissingSource:
    """A source the project names but whose text the archive lacks, with the codings that could not be placed."""

    name: str
    path: str
    codings: list[str] = field(default_factory=list)  # "Code name at 139–195", one per coding left out

    def __str__(self) -> str:
        placed = (f"; {count(len(self.codings), 'coding')} could not be placed: {', '.join(self.codings)}"
                  if self.codings else "; it had no codings")
        return f"source '{self.name}' is not in the archive ({self.path}){placed}"


@dataclass
class PlannedCode:
    guid: str
    key: str
    parent_key: Optional[str]
    name: str
    definition: str
    colour: str


@dataclass
class PlannedSource:
    guid: str
    name: str
    text: str
    participant: Optional[str] = None


@dataclass
class PlannedCoding:
    source: str
    code_key: str
    coder: Optional[str]  # a user name; None for the importing user
    consensus: bool
    start: int
    end: int
    memo: str
    created_at: Optional[datetime]


@dataclass
class Plan:
    """What a REFI-QDA file holds, checked and mapped to Peerframe's terms, before anything is written."""

    filename: str
    origin: str = ""
    description: str = ""
    codes: list[PlannedCode] = field(default_factory=list)
    sources: list[PlannedSource] = field(default_factory=list)
    cases: dict[str, dict[str, str]] = field(default_factory=dict)
    coders: dict[str, str] = field(default_factory=dict)  # user name -> display name
    codings: list[PlannedCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    missing: list[MissingSource] = field(default_factory=list)

    def framework(self) -> Framework:
        """The imported codebook as a framework, so that the new project copies it as its own."""
        nodes = {c.key: FrameworkCode(id=c.key, name=c.name, kind="code", definition=c.definition, colour=c.colour,
                                      parent=c.parent_key) for c in self.codes}
        roots = []
        for code in self.codes:
            (nodes[code.parent_key].children if code.parent_key else roots).append(nodes[code.key])
        return Framework(id=FRAMEWORK_ID, name=f"REFI-QDA import of {self.filename}", version="1.0",
                         source=self.origin or self.filename, description="", groups=[], codes=roots)


# --- reading XML and archives ---------------------------------------------------------------------

def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _kids(node: Optional[etree._Element], name: str) -> list[etree._Element]:
    return [child for child in _elements(node) if _local(child) == name]


def _elements(node: Optional[etree._Element]) -> list[etree._Element]:
    return [child for child in node if _local(child)] if node is not None else []


def _kid(node: Optional[etree._Element], name: str) -> Optional[etree._Element]:
    found = _kids(node, name)
    return found[0] if found else None


def count(n: int, thing: str) -> str:
    """"3 codes", "1 code"."""
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _guid(value: Optional[str]) -> str:
    return (value or "").strip().strip("{}").lower()


def _text_of(node: Optional[etree._Element]) -> str:
    return normalise(node.text or "") if node is not None else ""


def _parse(data: bytes, where: str, root: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        element = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportRefused(f"{where}: the file is not readable XML (it breaks off or is malformed near line "
                            f"{exc.lineno or 1}); export it again from the other tool") from exc
    if _local(element) != root:
        raise ImportRefused(f"{where}: this is not a REFI-QDA file (its root element is <{_local(element)}>, "
                            f"not <{root}>)")
    return element


class _Archive(SafeZip):
    """The members of a .qdpx, found by path regardless of letter case or folder, read within the limits."""

    def __init__(self, data: bytes, filename: str, limits: Limits) -> None:
        self.filename = filename
        if not data.startswith(b"PK"):
            raise ImportRefused(f"{filename}: this is not a REFI-QDA project (.qdpx): it is not a ZIP archive")
        super().__init__(data, filename, limits, damaged=lambda exc: ImportRefused(
            f"{filename}: this .qdpx archive is damaged or incomplete and cannot be opened; "
            "export it again from the other tool"))

    def project_file(self) -> str:
        qde = [m for m in self.members if m.lower().endswith(".qde")]
        named = [m for m in qde if m.lower() == "project.qde"]
        if named or len(qde) == 1:
            return (named or qde)[0]
        if not qde:
            raise ImportRefused(f"{self.filename}: the archive has no project.qde (no .qde file at all)")
        raise ImportRefused(f"{self.filename}: the archive has several .qde files ({', '.join(qde)}) "
                            "and none is called project.qde")

    def find(self, path: str) -> Optional[str]:
        """The member an internal:// path names (sources/ in any case, or the same file name elsewhere)."""
        wanted = path.split("://", 1)[-1].lstrip("/").lower()
        lowered = {m.lower(): m for m in self.members}
        for candidate in (wanted, f"sources/{wanted}"):
            if candidate in lowered:
                return lowered[candidate]
        same_name = [m for m in self.members if PurePosixPath(m).name.lower() == PurePosixPath(wanted).name]
        return same_name[0] if len(same_name) == 1 else None


# --- the codebook ---------------------------------------------------------------------------------

def _slug(text: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in cleaned.split("-") if part)[:60].strip("-") or "code"


def _colour(value: Optional[str]) -> Optional[str]:
    value = (value or "").strip().lower()
    if len(value) == 4 and value.startswith("#"):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    if len(value) == 7 and value.startswith("#") and all(ch in "0123456789abcdef" for ch in value[1:]):
        return value
    return None


def _read_codes(codes: Optional[etree._Element], plan: Plan) -> dict[str, str]:
    """The codes, parents before children, into the plan; returns code GUID -> code key."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    not_codable = 0

    def read(node: etree._Element, parent: Optional[PlannedCode]) -> None:
        nonlocal not_codable
        name = (node.get("name") or "").strip()[:200] or "(unnamed code)"
        base = f"{parent.key}/{_slug(name)}" if parent else _slug(name)
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        fallback = (child_colour(parent.colour, [c.colour for c in plan.codes if c.parent_key == parent.key]) if parent
                    else PALETTE[sum(c.parent_key is None for c in plan.codes) % len(PALETTE)])
        code = PlannedCode(guid=_guid(node.get("guid")), key=key, parent_key=parent.key if parent else None,
                           name=name, definition=_text_of(_kid(node, "Description")),
                           colour=_colour(node.get("color")) or fallback)
        plan.codes.append(code)
        if code.guid in keys:
            plan.notes.append(f"code '{name}' repeats the GUID of another code; codings with it go to the first")
        elif code.guid:
            keys[code.guid] = key
        not_codable += node.get("isCodable", "true").strip().lower() in ("false", "0")
        for child in _kids(node, "Code"):
            read(child, code)

    for node in _kids(codes, "Code"):
        read(node, None)
    if not_codable:
        plan.notes.append(f"{count(not_codable, 'code')} marked as not codable (categories) imported as ordinary codes")
    return keys


def read_qdc(data: bytes, filename: str) -> Plan:
    """Read a REFI-QDA codebook (any codebook namespace; <Sets> are reported, not imported)."""
    root = _parse(data, filename, "CodeBook")
    plan = Plan(filename=filename, origin=root.get("origin", ""))
    _read_codes(_kid(root, "Codes"), plan)
    if not plan.codes:
        raise ImportRefused(f"{filename}: the codebook has no codes")
    sets = _kids(_kid(root, "Sets"), "Set")
    if sets:
        plan.skipped.append(Skipped(count(len(sets), "set") + " of codes", "Peerframe has no sets of codes"))
    return plan


# --- offsets --------------------------------------------------------------------------------------

BREAK = re.compile(r"\r\n|\r|\n")


def normalising_map(raw: str) -> tuple[str, np.ndarray]:
    """`transcripts.normalise(raw)` and, for every offset 0..len(raw) into `raw`, the offset it becomes."""
    mapping = np.zeros(len(raw) + 1, dtype=np.int64)
    out: list[str] = []
    length = 0
    start = len(raw) - len(raw.lstrip("\ufeff"))
    for line_break in BREAK.finditer(raw, start):
        length = _map_line(raw, start, line_break.start(), mapping, out, length)
        mapping[line_break.start():line_break.end()] = length
        out.append("\n")
        length += 1
        start = line_break.end()
    mapping[len(raw)] = _map_line(raw, start, len(raw), mapping, out, length)
    text = "".join(out).rstrip()
    return text, np.minimum(mapping, len(text))


def _map_line(raw: str, start: int, end: int, mapping: np.ndarray, out: list[str], length: int) -> int:
    line = raw[start:end]
    composed = unicodedata.normalize("NFC", line)
    if composed == line:
        mapping[start:end] = np.arange(length, length + len(line))
    else:  # rare: count what each prefix becomes
        mapping[start:end] = [length + len(unicodedata.normalize("NFC", line[:k])) for k in range(len(line))]
    out.append(composed)
    return length + len(composed)


# --- the project ----------------------------------------------------------------------------------

def _when(value: Optional[str]) -> Optional[datetime]:
    try:
        moment = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _user(node: etree._Element, ours: bool) -> tuple[str, str]:
    """A REFI-QDA user's Peerframe name (one word) and display name; our own files carry the name as `id`."""
    display = (node.get("name") or node.get("id") or "").strip()
    login = (node.get("id") or "").strip() if ours else ""
    return "-".join((login or display).split())[:80] or f"user-{_guid(node.get('guid'))[:8]}", display


class NotInArchive(ImportRefused):
    """A file the project refers to is missing from the archive."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


def _source_text(archive: _Archive, node: etree._Element, what: str) -> Optional[str]:
    """A text source's raw text (inline or from the archive); None when it lies outside the archive."""
    path = (node.get("plainTextPath") or "").strip()
    if path:
        if not path.lower().startswith("internal://"):
            return None
        member = archive.find(path)
        if member is None:
            raise NotInArchive(f"{archive.filename}: {what} refers to {path}, which is not in the archive", path)
        where = f"{archive.filename}: {member}"
        text = decode_text(archive.read(member), where).lstrip("\ufeff")
        if len(text) > archive.limits.text_chars:
            raise too_long(where, len(text), archive.limits)
        return text
    content = _kid(node, "PlainTextContent")
    return content.text or "" if content is not None else None


def read_qdpx(data: bytes, filename: str, limits: Limits = Limits(), nvivo: bool = False) -> Plan:
    """Read a REFI-QDA project: codes, users, cases, text sources and their coded selections; `nvivo` says
    its positions count UTF-16 units (as NVivo's do; files whose origin names NVivo are read so anyway)."""
    archive = _Archive(data, filename, limits)
    qde = archive.project_file()
    root = _parse(archive.read(qde), f"{filename}: {qde}", "Project")
    plan = Plan(filename=filename, origin=root.get("origin", ""), description=_text_of(_kid(root, "Description")))
    code_keys = _read_codes(_kid(_kid(root, "CodeBook"), "Codes"), plan)
    ours = (root.get("origin") or "").startswith("Peerframe")
    users = {_guid(u.get("guid")): _user(u, ours) for u in _kids(_kid(root, "Users"), "User")}
    notes = {}
    for note in _kids(_kid(root, "Notes"), "Note"):
        notes[_guid(note.get("guid"))] = normalise(_source_text(archive, note, f"note '{note.get('name', '')}'") or "")
    reader = _SelectionReader(plan, code_keys, users, notes, root, nvivo)
    participant_of = _read_cases(root, plan)
    digests: dict[str, str] = {}
    for node in _elements(_kid(root, "Sources")):
        kind = _local(node)
        name = (node.get("name") or "").strip()[:300] or f"source {_guid(node.get('guid'))[:8]}"
        if kind in OTHER_SOURCES:
            plan.skipped.append(Skipped(f"{kind} '{name}'", f"{OTHER_SOURCES[kind]} cannot be coded in Peerframe "
                                        f"({count(len(node.findall('.//{*}Coding')), 'coding')} left out)"))
            continue
        if kind != "TextSource":
            continue
        try:
            raw = _source_text(archive, node, f"source '{name}'")
        except NotInArchive as missing:
            plan.missing.append(MissingSource(name, missing.path, reader.unplaced(node)))
            continue
        if raw is None:
            plan.skipped.append(Skipped(f"source '{name}'", "its plain text is not inside the archive "
                                        f"({node.get('plainTextPath') or node.get('richTextPath') or 'no path'})"))
            continue
        text, mapping = normalising_map(raw)
        if not text:
            plan.skipped.append(Skipped(f"source '{name}'", "it has no text"))
            continue
        guid = _guid(node.get("guid"))
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in digests:
            plan.notes.append(f"source '{name}' has the same text as another source; its codings were added there")
        else:
            digests[digest] = guid
            plan.sources.append(PlannedSource(guid=guid, name=name, text=text, participant=participant_of.get(guid)))
        reader.read(node, digests[digest], name, raw, text, mapping)
        if _kids(node, "VariableValue"):
            plan.skipped.append(Skipped(f"attributes of source '{name}'", "Peerframe keeps attributes on participants "
                                        "(cases), not on documents"))
    unused = len(set(notes) - reader.notes_used)
    if unused:
        plan.skipped.append(Skipped(count(unused, "note"), "only notes on coded selections are imported (as memos)"))
    for part in ("Sets", "Links", "Graphs"):
        if _kid(root, part) is not None:
            plan.skipped.append(Skipped(part.lower(), "Peerframe has nothing to hold them"))
    return plan


def _read_cases(root: etree._Element, plan: Plan) -> dict[str, str]:
    """Cases as participants with their variables as attributes; returns source GUID -> participant label."""
    variables = {_guid(v.get("guid")): v.get("name", "").strip() for v in _kids(_kid(root, "Variables"), "Variable")}
    participant_of: dict[str, str] = {}
    for case in _kids(_kid(root, "Cases"), "Case"):
        label = (case.get("name") or "").strip()[:80] or f"case-{_guid(case.get('guid'))[:8]}"
        attributes = plan.cases.setdefault(label, {})
        for value in _kids(case, "VariableValue"):
            ref = _kid(value, "VariableRef")
            name = variables.get(_guid(ref.get("targetGUID") if ref is not None else None))
            given = [v for v in value if _local(v).endswith("Value")]
            if not name:
                plan.skipped.append(Skipped(f"a value of case '{label}'", "its variable is not in <Variables>"))
            elif given and (given[0].text or "").strip():
                attributes[name] = given[0].text.strip()
        for ref in _kids(case, "SourceRef"):
            participant_of.setdefault(_guid(ref.get("targetGUID")), label)
    return participant_of


class _SelectionReader:
    """Turns the coded plain-text selections of each source into planned codings."""

    def __init__(self, plan: Plan, code_keys: dict[str, str], users: dict[str, tuple[str, str]], notes: dict[str, str],
                 root: etree._Element, nvivo: bool = False) -> None:
        self.plan, self.code_keys, self.users, self.notes = plan, code_keys, users, notes
        self.notes_used: set[str] = set()
        self.project_user = _guid(root.get("creatingUserGUID"))
        self.nvivo = nvivo or "nvivo" in (root.get("origin") or "").lower()

    def unplaced(self, source: etree._Element) -> list[str]:
        """The codings of a source that cannot be imported, as "Code at start–end" (or "on the whole source")."""
        names = {c.guid: c.name for c in self.plan.codes}
        found = []
        for node in _elements(source):
            where = (f"at {node.get('startPosition', '?')}–{node.get('endPosition', '?')}"
                     if _local(node) == "PlainTextSelection" else "on the whole source")
            for coding in ([node] if _local(node) == "Coding" else _kids(node, "Coding")):
                ref = _kid(coding, "CodeRef")
                code = names.get(_guid(ref.get("targetGUID") if ref is not None else None), "an unknown code")
                found.append(f"{code} {where}")
        return found

    def _memo(self, *nodes: etree._Element) -> str:
        parts = [_text_of(_kid(nodes[0], "Description"))]
        for node in nodes:
            for ref in _kids(node, "NoteRef"):
                target = _guid(ref.get("targetGUID"))
                if target in self.notes:
                    self.notes_used.add(target)
                    parts.append(self.notes[target])
        return "\n\n".join(p for p in parts if p)

    def read(self, source: etree._Element, source_guid: str, name: str, raw: str, text: str,
             mapping: np.ndarray) -> None:
        units = len(raw) + sum(ord(ch) > 0xFFFF for ch in raw)
        selections = []
        for node in _kids(source, "PlainTextSelection"):
            try:
                selections.append((node, int(node.get("startPosition", "")), int(node.get("endPosition", ""))))
            except ValueError:
                self.plan.skipped.append(Skipped(f"a selection in '{name}'", "its positions are not whole numbers"))
        furthest = max((end for _, _, end in selections), default=0)
        utf16 = units > len(raw) and (self.nvivo or len(raw) < furthest <= units)
        if utf16 and selections:
            self.plan.notes.append(f"positions in '{name}' count UTF-16 units (as NVivo does); mapped to characters")
        limit = units if utf16 else len(raw)
        inside = [(node, start, end) for node, start, end in selections if 0 <= start < end <= limit]
        for node, start, end in selections:
            if not 0 <= start < end <= limit:
                self.plan.skipped.append(Skipped(f"selection {start}–{end} in '{name}'",
                                                 f"it is empty or outside the text (0–{limit})"))
        points = utf16_to_codepoints(raw, [p for _, s, e in inside for p in (s, e)]) if utf16 else None
        for index, (node, start, end) in enumerate(inside):
            what = f"selection {start}–{end} in '{name}'"
            if points:
                start, end = points[2 * index], points[2 * index + 1]
            span = int(mapping[start]), int(mapping[end])
            if not text[span[0]:span[1]].strip():
                self.plan.skipped.append(Skipped(what, "it covers only white space"))
                continue
            codings = _kids(node, "Coding")
            if not codings:
                self.plan.skipped.append(Skipped(what, "no code is applied to it"))
            for coding in codings:
                self._add(coding, node, source, source_guid, span, what)
        for _ in _kids(source, "Coding"):
            self.plan.skipped.append(Skipped(f"a code on the whole of '{name}'", "Peerframe codes passages, "
                                             "not whole documents"))

    def _add(self, coding: etree._Element, selection: etree._Element, source: etree._Element, source_guid: str,
             span: tuple[int, int], what: str) -> None:
        ref = _kid(coding, "CodeRef")
        target = _guid(ref.get("targetGUID") if ref is not None else None)
        if target not in self.code_keys:
            self.plan.skipped.append(Skipped(what, "it refers to a code that is not in the codebook "
                                             f"({target or 'no code given'})"))
            return
        guid = next((_guid(n.get(a)) for n, a in ((coding, "creatingUser"), (selection, "creatingUser"),
                                                   (source, "creatingUser")) if n.get(a)), self.project_user)
        name, display = self.users.get(guid, (None, ""))
        consensus = bool(name) and name.casefold() == "consensus"
        if name and not consensus:
            self.plan.coders.setdefault(name, display)
        self.plan.codings.append(PlannedCoding(
            source=source_guid, code_key=self.code_keys[target], coder=None if consensus else name,
            consensus=consensus, start=span[0], end=span[1], memo=self._memo(selection, coding),
            created_at=_when(coding.get("creationDateTime") or selection.get("creationDateTime"))))


def check_upload(filename: str, data: bytes, limits: Limits = Limits()) -> None:
    """Refuse at once what needs no reading: an empty file, or one too big."""
    if not data:
        raise ImportRefused(f"{filename}: the file is empty")
    if len(data) > limits.upload_bytes:
        raise upload_too_big(filename, limits.upload_bytes, len(data))


def read_refi(filename: str, data: bytes, limits: Limits = Limits(), nvivo: bool = False) -> Plan:
    """Read a .qdpx or .qdc file into a plan, or raise ImportRefused naming the file and the problem."""
    check_upload(filename, data, limits)
    return read_qdpx(data, filename, limits, nvivo) if filename.lower().endswith(".qdpx") else read_qdc(data, filename)


