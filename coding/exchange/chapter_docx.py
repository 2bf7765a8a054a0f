"""A findings chapter drafted from the codes, in the report's own shape: for each top-level code in codebook order
(characteristics and values before principles and decisions), its introduction (the team's definition and its
sub-themes), the quotes the writers selected grouped by sub-theme with the challenges last, the code's memo as
"Final reflections", and the definition again at the end (Side by Side evaluation report, Billsborough et al.,
2017, ch. 6: each value's section closes with the team's definition)."""

from typing import BinaryIO, Optional, Sequence

from coding.analysis.retrieval import DEFAULT_TAG_ATTRIBUTES, Quote, quoted
from coding.codebook import codetree
from coding.exchange.docx import _note, _paragraph, heading, open_document, style, xml_safe
from coding.models import Code

KIND_ORDER = {"characteristic": 0, "value": 1, "principle": 2, "decision": 3, "theme": 4, "code": 5}


def _is_challenges(code: Code) -> bool:
    return code.key.rsplit("/", 1)[-1].startswith("challenge") or code.name.lower().startswith("challenges")


def chapter_order(codes: Sequence[Code]) -> list[Code]:
    """The live top-level codes, values before decisions, each kind in codebook order."""
    tops = [c for c in codes if c.parent_key is None and not c.retired]
    return sorted(tops, key=lambda c: (KIND_ORDER.get(c.kind, 9), c.position, c.id))


def write_chapter(codes: Sequence[Code], quotes: Sequence[Quote], out: BinaryIO, *, title: str,
                  tag_attributes: Sequence[str] = DEFAULT_TAG_ATTRIBUTES, template: Optional[BinaryIO] = None) -> None:
    """The chapter draft as a Word file; `quotes` are the selected ones (as consent and pseudonyms allow)."""
    doc = open_document(template)
    heading(doc, title, 0)
    _note(doc, "A draft from the codes: each code's selected quotes by sub-theme, then the team's reflections and "
               "its definition.", size=9)
    quote_style = style(doc, "Quote")
    lineage = codetree.lineages(codes)
    by_key = {c.key: c for c in codes}
    for top in chapter_order(codes):
        children = [c for c in codes if c.parent_key == top.key and not c.retired]
        themes = [c for c in children if not _is_challenges(c)] + [c for c in children if _is_challenges(c)]
        groups: dict[str, list[Quote]] = {top.key: [], **{c.key: [] for c in themes}}
        for quote in quotes:
            path = lineage.get(quote.code_key) or []
            if top.key not in path:
                continue
            below = path[path.index(top.key) + 1:] if top.key in path else []
            groups[below[0] if below and below[0] in groups else top.key].append(quote)
        heading(doc, top.name, 1)
        if top.definition:
            doc.add_paragraph(xml_safe(top.definition))
        named = [c.name for c in themes if not _is_challenges(c)]
        if named:
            doc.add_paragraph(xml_safe("Sub-themes: " + "; ".join(named) + "."))
        for key in [top.key] + [c.key for c in themes]:
            chosen = groups[key]
            if key == top.key and not chosen:
                continue
            heading(doc, f"{top.name} in general" if key == top.key else by_key[key].name, 2)
            if not chosen:
                _note(doc, "No quotes selected yet.", size=9)
            for quote in chosen:
                paragraph = _paragraph(doc, quote_style)
                said = paragraph.add_run(xml_safe(quoted(quote.text) + " "))
                said.italic = True
                paragraph.add_run(xml_safe(quote.tag(tag_attributes)))
        heading(doc, "Final reflections", 2)
        if top.memo.strip():
            for part in top.memo.strip().split("\n\n"):
                doc.add_paragraph(xml_safe(part.strip()))
        else:
            _note(doc, "No memo on this code yet: write one on the Codebook page.", size=9)
        heading(doc, f"Definition of {top.name.lower() if top.kind == 'value' else top.name}", 2)
        doc.add_paragraph(xml_safe(top.definition or "Not defined yet."))
    doc.save(out)
