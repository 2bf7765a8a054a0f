"""`peerframe agreement` and `peerframe query`: the Agreement page's figures and the Quotes page's saved queries."""

from typing import Optional

import typer

from server.cli.common import ACTING, JSON, UNKNOWN, emit, fail, find_document, open_session, standing


def _codes(figures) -> dict:
    return {"items": figures.items, "percent": figures.percent, "kappa": figures.mean_kappa, "alpha": figures.alpha,
            "alpha_ci": list(figures.alpha_ci) if figures.alpha_ci else None, "used": figures.used}


def agreement(project: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
              document: Optional[str] = typer.Option(None, "--document", help="Only this transcript (name or id)."),
              unit: str = typer.Option("turn", "--unit", help="turn, sentence or character"),
              as_user: Optional[str] = ACTING, as_json: bool = JSON) -> None:
    """How far the coders who marked transcripts done agree, as on the Agreement page. Needs the lead role.

    --json: {"project", "unit", "coders", "pooled", "codes": [{"code", "name", "items", "percent", "kappa",
    "alpha", "alpha_ci", "used"}], "pairs": [{"a", "b", "items", "percent", "kappa", "kappa_ci"}], "documents":
    [{"document", "document_id", "coders", "disagreements", "items"}], "left_out": [{"document", "document_id",
    "coder", "status"}]}; with --document only "project", "unit", "document", "document_id", "coders",
    "disagreements", "items" and "left_out"."""
    from coding import store
    from coding.team import agreement_report
    from coding.team.measures import figure

    session, user = open_session(as_user, UNKNOWN)
    with session:
        where = standing(session, user, project, "lead", local=as_user is None)
        only = find_document(session, where, document) if document is not None else None
        try:
            report = agreement_report.project_reliability(session, project_id=where.project.id, unit=unit)
        except store.Invalid as exc:
            fail(str(exc))
        rows = [{"document": d.document.name, "document_id": d.document.id, "coders": d.coders,
                 "disagreements": d.disagreements, "items": d.items} for d in report.documents]
        waiting = [{"document": d.name, "document_id": d.id, "coder": o.user.name, "status": o.status}
                   for d, out in report.left_out for o in out]
        if only is not None:
            row = next((r for r in rows if r["document_id"] == only.id),
                       {"document": only.name, "document_id": only.id, "coders": [], "disagreements": 0, "items": 0})
            answer = {"project": where.project.name, "unit": unit, **row,
                      "left_out": [w for w in waiting if w["document_id"] == only.id]}
            if as_json:
                emit(answer)
                return
            typer.echo(f"{only.name}: {len(row['coders'])} coders compared ({', '.join(row['coders']) or 'none'}); "
                       f"{row['disagreements']} of {row['items']} {unit} × code items disagree")
        else:
            answer = {"project": where.project.name, "unit": unit, "coders": report.coders,
                      "pooled": _codes(report.pooled) if report.pooled else None,
                      "codes": [{"code": c.code.key, "name": c.code.name, **_codes(c)} for c in report.codes],
                      "pairs": [{"a": p.a, "b": p.b, "items": p.items, "percent": p.percent, "kappa": p.kappa,
                                 "kappa_ci": list(p.kappa_ci) if p.kappa_ci else None} for p in report.pairs],
                      "documents": rows, "left_out": waiting}
            if as_json:
                emit(answer)
                return
            typer.echo(f"{where.project.name}: coders compared: {', '.join(report.coders) or 'none yet'} (by {unit})")
            if report.pooled:
                typer.echo(f"all codes\tpercent {figure(report.pooled.percent)}\tkappa "
                           f"{figure(report.pooled.mean_kappa)}\talpha {figure(report.pooled.alpha)}")
            for c in report.codes:
                typer.echo(f"{c.code.key}\tpercent {figure(c.percent)}\tkappa {figure(c.mean_kappa)}\t"
                           f"alpha {figure(c.alpha)}" if c.used else f"{c.code.key}\tnot used")
            for r in rows:
                typer.echo(f"{r['document']}\t{r['disagreements']} of {r['items']} items disagree")
        for w in answer["left_out"]:
            typer.echo(f"not compared: {w['coder']} on {w['document']} ({w['status']})")


def query(project: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
          name: Optional[str] = typer.Argument(None, metavar="NAME",
                                               help="A saved query to run (without it: list them)."),
          as_user: Optional[str] = ACTING, as_json: bool = JSON) -> None:
    """List the project's saved queries, or run one and print the passages it finds (what the reader may see).

    Listing prints `name<TAB>filter`; --json: a list of {"id", "name", "params"}. Running prints one
    `document<TAB>code<TAB>quote` line per passage; --json: a list of {"coding_id", "document", "document_id",
    "code", "code_name", "start", "end", "text", "participant", "coder", "memo"}."""
    from coding.analysis import queries, retrieval

    session, user = open_session(as_user, UNKNOWN)
    with session:
        where = standing(session, user, project, "viewer", local=as_user is None)
        scope = where.scope(session)
        saved = queries.list_queries(session, project_id=where.project.id, scope=scope)
        if name is None:
            if as_json:
                emit([{"id": q.id, "name": q.name, "params": q.params} for q in saved])
                return
            for q in saved:
                typer.echo(f"{q.name}\t{q.params}")
            return
        chosen = next((q for q in saved if q.name == name), None)
        if chosen is None:
            names = ", ".join(q.name for q in saved) or "none"
            fail(f"'{where.project.name}' has no saved query called '{name}' (it has: {names})", UNKNOWN)
        wanted = retrieval.narrowed(retrieval.QuoteFilter.from_params(chosen.params), scope)
        found = retrieval.find_quotes(session, project_id=where.project.id, wanted=wanted, scope=scope)
    if as_json:
        emit([{"coding_id": q.coding_id, "document": q.document, "document_id": q.document_id, "code": q.code_key,
               "code_name": q.code_name, "start": q.start, "end": q.end, "text": q.text,
               "participant": q.participant, "coder": q.coder, "memo": q.memo} for q in found])
        return
    for q in found:
        typer.echo(f"{q.document}\t{q.code_key}\t{q.text}")
