"""The analysis page's data: coded passages from the database turned into matrices, a pyramid and charts."""

import json
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Union
from urllib.parse import urlencode

from sqlmodel import Session

from coding import store
from coding.store import versions
from coding.analysis import counts, charts, retrieval
from coding.models import Project
from coding.recent import Recent
from coding.team import consent
from coding.team.visibility import Scope

MATRICES = ("values-decisions", "decision", "codes", "attribute")
FIGURES = ("matrix", "pyramid", "frequencies")
TABLES = ("subgroups", "presence")  # made and kept as the figures are, shown as tables
# figures made for a reader, by (project, when it was made, where its log stood, reader, filter, choices, figure): on a study of
# 100,000 codings making them takes seconds, showing kept ones milliseconds; any change to the project moves
# its log on, so a kept figure is never out of date, and an erasure empties the project's (`recent.forget`)
_KEPT: Recent[Union[charts.Figure, counts.Shares, counts.Matrix]] = Recent(64, of_projects=True)


@dataclass
class Inputs:
    """What every figure is computed from: the passages a reader asked for, the codebook, and (read when a
    figure counts by speaker turn) each transcript's turns."""

    passages: list[counts.Coded]
    codes: list[counts.CodeInfo]
    read_turns: Callable[[], dict[int, list[tuple[int, int]]]]
    _turns: Optional[dict[int, list[tuple[int, int]]]] = None
    # the choices of each attribute the framework gives peer support projects (facilitation, focus, ...)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # each document's type (interview, focus group, survey answer, ...): the data sources
    kinds: dict[int, str] = field(default_factory=dict)

    @property
    def turns(self) -> dict[int, list[tuple[int, int]]]:
        if self._turns is None:
            self._turns = self.read_turns()
        return self._turns


def inputs(session: Session, *, project_id: int, wanted: retrieval.QuoteFilter, scope: Scope) -> Inputs:
    """Read the passages the reader may see (the layer and filters of `wanted`) and the codebook; the speaker
    turns are read if a figure asks for them."""
    passages = retrieval.find_quotes(session, project_id=project_id, wanted=wanted, scope=scope).coded()
    codes = versions.live_codes(session, project_id=project_id, as_of=wanted.as_of,
                                codes=store.project_codes(session, project_id=project_id))
    return Inputs(passages, counts.code_infos(codes), lambda: store.project_turn_spans(session, project_id=project_id),
                  choices={a.name: a.options for a in store.case_attributes(session, project_id=project_id)},
                  kinds={d.id: d.kind for d in store.document_summaries(session, project_id=project_id)})


def sources(data: Inputs) -> list[tuple[str, str]]:
    """The data sources the project has, as (document type, its name), in the order types are listed."""
    present = set(data.kinds.values())
    return [(key, label) for key, label in consent.DOCUMENT_KINDS.items() if key in present]


def figures(session: Session, *, project: Project, wanted: retrieval.QuoteFilter, scope: Scope,
            names: Sequence[str] = FIGURES, kind: str = "values-decisions", mode: str = "overlap",
            attribute: str = "approach", document_id: Optional[int] = None
            ) -> dict[str, Union[charts.Figure, counts.Shares, counts.Matrix]]:
    """The named figures (and tables) of what the reader asked for, as `figure` makes them: kept ones while the project has
    not changed, the others made from one reading of the passages."""
    project_id = project.id
    mark = store.log_mark(session, project_id=project_id)
    choices = {"kind": kind, "mode": mode, "attribute": attribute, "layer": wanted.layer, "document_id": document_id}
    # the project's creation time too: an id can come back after an erasure, with a log at the same mark
    key = (project_id, project.created_at, mark, scope, json.dumps(wanted.to_params(), sort_keys=True),
           tuple(choices.items()))
    found = {name: _KEPT.get(key + (name,)) for name in names}
    missing = [name for name, kept in found.items() if kept is None]
    if missing:
        data = inputs(session, project_id=project_id, wanted=wanted, scope=scope)
        for name in missing:
            found[name] = _KEPT.put(key + (name,), figure(data, name=name, project_id=project_id, **choices))
    return found


def matrix(data: Inputs, *, kind: str, mode: str = "overlap", attribute: str = "approach") -> counts.Matrix:
    """One of the matrices: values × key decisions (coded together, or as the participants' projects made the
    decision named by `attribute`), code × code, or code × participant attribute."""
    turns = data.turns if mode == "turn" else None
    if kind == "values-decisions":
        return counts.values_by_decisions(data.passages, data.codes, mode=mode, turns=turns)
    if kind == "decision":
        attribute = decision_for(data.choices, attribute)
        return counts.code_by_attribute(data.passages, data.codes, attribute, kinds={"value"},
                                        values=counts.with_found(data.choices[attribute], data.passages, attribute))
    if kind == "codes":
        tops = [c.key for c in data.codes if c.parent_key is None]
        labels = {c.key: c.name for c in data.codes}
        return counts.cooccurrence(data.passages, tops, tops, mode=mode, turns=turns, labels=labels,
                                   parents={c.key: c.parent_key for c in data.codes})
    if kind == "attribute":
        return counts.code_by_attribute(data.passages, data.codes, attribute)
    raise store.Invalid(f"the matrix must be one of {', '.join(MATRICES)}, not '{kind}'")


def decision_for(decisions: Sequence[str], asked: str) -> str:
    """The decision of the projects a values-by-decision matrix is read by: the one asked for, or the first
    the framework gives projects (an Invalid when it gives none)."""
    if not decisions:
        raise store.Invalid("this project's framework gives its peer support projects no key decisions to compare by")
    return asked if asked in decisions else next(iter(decisions))


def cell_link(project_id: int, kind: str, mode: str, attribute: str, layer: Optional[str],
              prefix: str = "") -> Callable:
    """How a matrix cell opens its quotes: the passages it counted, of either code where the other occurs in
    the same text (overlap mode) or the same speaker turn (turn mode), or with the code and the attribute
    (`prefix` "/api" links to the JSON list instead of the page)."""
    base = f"{prefix}/projects/{project_id}/quotes?"
    extra = [("layer", layer)] if layer else []

    def link(row: str, column: str) -> str:
        if kind in ("attribute", "decision"):
            return base + urlencode([("code", row), ("attr", f"{attribute}:{column}"), *extra])
        together = [("together", "turn")] if mode == "turn" else []
        return base + urlencode([("code", row), ("code", column), ("match", "all"), *together, *extra])
    return link


def figure(data: Inputs, *, name: str, project_id: int, kind: str = "values-decisions", mode: str = "overlap",
           attribute: str = "approach", layer: Optional[str] = None, document_id: Optional[int] = None
           ) -> Union[charts.Figure, counts.Shares, counts.Matrix]:
    """A figure by name: the matrix heatmap, the values pyramid, the code frequency chart, or the tables of
    where each code's evidence comes from ("subgroups") and which data sources evidence it ("presence")."""
    if name == "matrix":
        if kind == "decision":
            attribute = decision_for(data.choices, attribute)
        table = matrix(data, kind=kind, mode=mode, attribute=attribute)
        titles = {"values-decisions": "Core values × key decisions", "codes": "Code co-occurrence",
                  "attribute": f"Codes by {attribute}", "decision": f"Core values by the projects' {attribute}"}
        return charts.heatmap(table, title=titles[kind], link=cell_link(project_id, kind, mode, attribute, layer))
    if name == "pyramid":
        shape = counts.pyramid(data.passages, data.codes, document_id=document_id)
        return charts.pyramid_figure(shape, link=lambda key: f"/projects/{project_id}/quotes?"
                                     + urlencode([("code", key), *([("layer", layer)] if layer else []),
                                                  *([("document", document_id)] if document_id else [])]))
    if name == "frequencies":
        return charts.bar_chart(counts.frequencies(data.passages, data.codes),
                                link=lambda key: f"/projects/{project_id}/quotes?code={key}")
    if name == "subgroups":
        return counts.shares(data.passages, data.codes, attribute)
    if name == "presence":
        return counts.presence(data.passages, data.codes, data.kinds, sources(data))
    raise store.NotFound(f"no figure called '{name}'")


def matrix_table(table: counts.Matrix, *, title: str, note: str = "") -> dict:
    """A matrix as rows of labelled numbers, for Word and Excel."""
    def value(cell) -> str:
        if cell.participants is None:
            return str(cell.count)
        return f"{cell.count} ({cell.participants})"
    return {"title": title, "rows": list(table.row_labels), "columns": list(table.column_labels),
            "cells": [[value(table.cell(r, c)) for c in table.columns] for r in table.rows], "note": note}
