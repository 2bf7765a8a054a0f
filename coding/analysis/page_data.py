"""The analysis page's data: coded passages from the database turned into matrices, a pyramid and charts."""

from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import urlencode

from sqlmodel import Session

from coding import store
from coding.analysis import counts, charts, retrieval
from coding.team.visibility import Scope

MATRICES = ("values-decisions", "codes", "attribute")


@dataclass
class Inputs:
    """What every figure is computed from: the passages a reader asked for, the codebook, the turns."""

    passages: list[counts.Coded]
    codes: list[counts.CodeInfo]
    turns: dict[int, list[tuple[int, int]]]


def inputs(session: Session, *, project_id: int, wanted: retrieval.QuoteFilter, scope: Scope) -> Inputs:
    """Read the passages the reader may see (the layer and filters of `wanted`), the codebook and the
    speaker turns."""
    quotes = retrieval.find_quotes(session, project_id=project_id, wanted=wanted, scope=scope)
    codes = [c for c in store.project_codes(session, project_id=project_id) if not c.retired]
    turns = {d.id: [(t.start, t.end) for t in store.document_turns(session, document_id=d.id)]
             for d in scope.documents_of(store.list_documents(session, project_id=project_id))}
    return Inputs(counts.coded_from(quotes), counts.code_infos(codes), turns)


def matrix(data: Inputs, *, kind: str, mode: str = "overlap", attribute: str = "approach") -> counts.Matrix:
    """One of the matrices: values × key decisions, code × code, or code × participant attribute."""
    if kind == "values-decisions":
        return counts.values_by_decisions(data.passages, data.codes, mode=mode, turns=data.turns)
    if kind == "codes":
        tops = [c.key for c in data.codes if c.parent_key is None]
        labels = {c.key: c.name for c in data.codes}
        return counts.cooccurrence(data.passages, tops, tops, mode=mode, turns=data.turns, labels=labels,
                                   parents={c.key: c.parent_key for c in data.codes})
    if kind == "attribute":
        return counts.code_by_attribute(data.passages, data.codes, attribute)
    raise store.Invalid(f"the matrix must be one of {', '.join(MATRICES)}, not '{kind}'")


def cell_link(project_id: int, kind: str, mode: str, attribute: str, layer: Optional[str],
              prefix: str = "") -> Callable:
    """How a matrix cell opens its quotes: the passages it counted, of either code where the other occurs in
    the same text (overlap mode) or the same speaker turn (turn mode), or with the code and the attribute
    (`prefix` "/api" links to the JSON list instead of the page)."""
    base = f"{prefix}/projects/{project_id}/quotes?"
    extra = [("layer", layer)] if layer else []

    def link(row: str, column: str) -> str:
        if kind == "attribute":
            return base + urlencode([("code", row), ("attr", f"{attribute}:{column}"), *extra])
        together = [("together", "turn")] if mode == "turn" else []
        return base + urlencode([("code", row), ("code", column), ("match", "all"), *together, *extra])
    return link


def figure(data: Inputs, *, name: str, project_id: int, kind: str = "values-decisions", mode: str = "overlap",
           attribute: str = "approach", layer: Optional[str] = None, document_id: Optional[int] = None) -> charts.Figure:
    """A figure by name: the matrix heatmap, the values pyramid, or the code frequency chart."""
    if name == "matrix":
        table = matrix(data, kind=kind, mode=mode, attribute=attribute)
        titles = {"values-decisions": "Core values × key decisions", "codes": "Code co-occurrence",
                  "attribute": f"Codes by {attribute}"}
        return charts.heatmap(table, title=titles[kind], link=cell_link(project_id, kind, mode, attribute, layer))
    if name == "pyramid":
        shape = counts.pyramid(data.passages, data.codes, document_id=document_id)
        return charts.pyramid_figure(shape, link=lambda key: f"/projects/{project_id}/quotes?"
                                     + urlencode([("code", key), *([("layer", layer)] if layer else []),
                                                  *([("document", document_id)] if document_id else [])]))
    if name == "frequencies":
        return charts.bar_chart(counts.frequencies(data.passages, data.codes),
                                link=lambda key: f"/projects/{project_id}/quotes?code={key}")
    raise store.NotFound(f"no figure called '{name}'")


def matrix_table(table: counts.Matrix, *, title: str, note: str = "") -> dict:
    """A matrix as rows of labelled numbers, for Word and Excel."""
    def value(cell) -> str:
        if cell.participants is None:
            return str(cell.count)
        return f"{cell.count} ({cell.participants})"
    return {"title": title, "rows": list(table.row_labels), "columns": list(table.column_labels),
            "cells": [[value(table.cell(r, c)) for c in table.columns] for r in table.rows], "note": note}
