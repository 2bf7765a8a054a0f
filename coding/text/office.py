"""Word (.docx) and OpenDocument (.odt) transcripts: their paragraphs, streamed out of the archive within the limits.

Only the one XML member that holds the text is unpacked, through `coding.limits.SafeZip`; it is parsed as a
stream with entities left unexpanded and no network access, and every paragraph is freed once read, so
memory follows the longest paragraph, not the document.
"""

import zipfile
from typing import Callable, Iterator

from lxml import etree

from coding.limits import ImportRefused, Limits, SafeZip, TextBudget

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _damaged(name: str, kind: str) -> Callable[[Exception], ImportRefused]:
    return lambda exc: ImportRefused(f"{name}: this {kind} file is damaged ({exc})")


def _open_zip(data: bytes, name: str, kind: str, limits: Limits) -> SafeZip:
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(
            f"{name}: this {kind} is password-protected (encrypted) or in an old binary format; "
            f"remove the password or save it as .{kind.lower()} and import it again"
        )
    if not data.startswith(b"PK"):
        raise ImportRefused(f"{name}: this is not a valid {kind} file (it is not a ZIP archive)")
    return SafeZip(data, name, limits, damaged=_damaged(name, kind))


def _paragraphs(archive: SafeZip, member: str, name: str, kind: str, tags: tuple[str, ...],
                body: str) -> Iterator[etree._Element]:
    """The outermost paragraphs inside `body` of one XML member, streamed and freed as they pass."""
    try:
        stream = archive.open(member)
    except KeyError as exc:
        raise ImportRefused(f"{name}: this is not a {kind} file ({member} is missing)") from exc
    found_body = False
    with stream:
        events = etree.iterparse(stream, events=("end",), tag=(*tags, body), resolve_entities=False,
                                 no_network=True, huge_tree=False, load_dtd=False)
        try:
            for _, node in events:
                if node.tag == body:
                    found_body = True
                    continue
                ancestors = [a.tag for a in node.iterancestors()]
                if body not in ancestors or any(tag in ancestors for tag in tags):
                    continue
                yield node
                node.clear(keep_tail=True)
                while node.getprevious() is not None:
                    del node.getparent()[0]
        except etree.XMLSyntaxError as exc:
            raise ImportRefused(f"{name}: this {kind} file is damaged (its XML is broken: {exc})") from exc
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ImportRefused(f"{name}: this {kind} file is damaged ({exc})") from exc
    if not found_body:
        raise ImportRefused(f"{name}: this {kind} file has no {'document body' if kind.startswith('Word') else 'text body'}")


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_paragraph(p: etree._Element) -> str:
    parts = []
    for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}delText"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    return "".join(parts)


def read_docx(data: bytes, name: str, limits: Limits = Limits()) -> str:
    """The paragraphs of a Word document (tables cell by cell), one per line."""
    kind = "Word (.docx)"
    budget = TextBudget(name, limits)
    paragraphs = []
    for p in _paragraphs(_open_zip(data, name, kind, limits), "word/document.xml", name, kind, (f"{W}p",),
                         f"{W}body"):
        if p.getparent() is not None and p.getparent().tag == f"{W}del":
            continue
        text = _docx_paragraph(p)
        budget.take(len(text) + 1)
        paragraphs.append(text)
    return "\n".join(paragraphs)


TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _spaces(node: etree._Element) -> int:
    value = node.get(f"{{{TEXT_NS}}}c", "1")
    return int(value) if value.isdigit() else 1


def _odt_inline(node: etree._Element, out: list[str], budget: TextBudget) -> None:
    def add(piece: str) -> None:
        budget.take(len(piece))
        out.append(piece)

    for child in node:
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        ns = etree.QName(child).namespace if isinstance(child.tag, str) else ""
        if ns == TEXT_NS and tag == "s":
            budget.take(_spaces(child))
            out.append(" " * _spaces(child))
        elif ns == TEXT_NS and tag == "tab":
            add("\t")
        elif ns == TEXT_NS and tag == "line-break":
            add("\n")
        elif ns == TEXT_NS and tag in ("note", "annotation", "tracked-changes"):
            pass
        elif tag:
            if child.text:
                add(child.text)
            _odt_inline(child, out, budget)
        if child.tail:
            add(child.tail)


def read_odt(data: bytes, name: str, limits: Limits = Limits()) -> str:
    """The paragraphs and headings of an OpenDocument text, one per line."""
    kind = "OpenDocument (.odt)"
    budget = TextBudget(name, limits)
    paragraphs = []
    tags = (f"{{{TEXT_NS}}}p", f"{{{TEXT_NS}}}h")
    for node in _paragraphs(_open_zip(data, name, kind, limits), "content.xml", name, kind, tags,
                            f"{{{OFFICE_NS}}}text"):
        if any(etree.QName(a).localname in ("note", "annotation") for a in node.iterancestors()):
            continue
        budget.take(len(node.text or "") + 1)
        out = [node.text or ""]
        _odt_inline(node, out, budget)
        paragraphs.append("".join(out))
    return "\n".join(paragraphs)
