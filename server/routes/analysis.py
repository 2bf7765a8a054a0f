"""The analysis page: matrices whose cells open their quotes, the values pyramid, code frequencies,
and every figure as SVG or PNG."""

from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from coding import store
from coding.analysis import charts, counts, page_data, queries, retrieval
from coding.exchange import downloads
from server.deps import ProjectDep, ScopeDep, SessionDep, id_in
from server.routes.quotes import filter_from, visible_filter

router = APIRouter(tags=["pages"], include_in_schema=False)
KINDS = {"values-decisions": "Core values × key decisions", "decision": "Core values by a decision of the projects",
         "codes": "Code × code", "attribute": "Code × attribute"}


def _decision(session, access, kind: str, by: str) -> str:
    """The attribute asked for, or for the values-by-decision matrix the decision it is read by."""
    if kind != "decision":
        return by
    return page_data.decision_for([a.name for a in store.case_attributes(session, project_id=access.project.id)], by)


def _wanted(request: Request, session, access, scope) -> retrieval.QuoteFilter:
    return visible_filter(scope, filter_from(request.query_params, session, access, scope))


@router.get("/projects/{project_id}/analysis", response_class=HTMLResponse)
def analysis_page(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep,
                  kind: str = "values-decisions", mode: str = "overlap", by: str = "approach",
                  document: Optional[str] = None):
    wanted = _wanted(request, session, access, scope)
    document_id = id_in(document)
    by = _decision(session, access, kind, by)
    shapes = page_data.figures(session, project=access.project, wanted=wanted, scope=scope, kind=kind,
                               mode=mode, attribute=by, document_id=document_id,
                               names=page_data.FIGURES + page_data.TABLES)
    figures = {name: charts.svg(shapes[name], ident=name) for name in page_data.FIGURES}
    return request.app.state.templates.TemplateResponse(request, "pages/analysis.html", {
        "project": access.project, "access": access, "figures": figures, "kind": kind, "kinds": KINDS,
        "subgroups": shapes["subgroups"], "percent": counts.Shares.percent, "presence": shapes["presence"],
        "mode": mode, "attribute": by, "document": document_id, "query": request.url.query,
        "attribute_names": retrieval.attribute_names(session, project_id=access.project.id),
        "decision_names": [a.name for a in store.case_attributes(session, project_id=access.project.id)],
        "documents": scope.documents_of(store.document_summaries(session, project_id=access.project.id)),
        "layers": retrieval.layer_choices(session, project_id=access.project.id, scope=scope), "wanted": wanted,
        "saved": queries.list_queries(session, project_id=access.project.id, scope=scope),
        "query_id": request.query_params.get("query", "")})


@router.get("/projects/{project_id}/figures/{name}.{fmt}")
def figure_file(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep, name: str, fmt: str,
                kind: str = "values-decisions", mode: str = "overlap", by: str = "approach",
                document: Optional[str] = None):
    if fmt not in ("svg", "png"):
        raise store.NotFound(f"figures come as .svg or .png, not .{fmt}")
    if name not in page_data.FIGURES:
        raise store.NotFound(f"no figure called '{name}'")
    wanted = _wanted(request, session, access, scope)
    shape = page_data.figures(session, project=access.project, wanted=wanted, scope=scope, names=[name],
                              kind=kind, mode=mode, attribute=_decision(session, access, kind, by), document_id=id_in(document))[name]
    filename = f'attachment; filename="{downloads.file_stem(access.project.name)}-{name}.{fmt}"'
    if fmt == "svg":
        return Response(charts.svg(shape, ident=name), media_type="image/svg+xml",
                        headers={"Content-Disposition": filename})
    return Response(charts.png(shape, scale=2.0), media_type="image/png", headers={"Content-Disposition": filename})
