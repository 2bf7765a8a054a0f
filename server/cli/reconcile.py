"""`peerframe reconcile`: the lead's reconciliation queue for one transcript, and the decisions it takes."""

from typing import Optional

import typer

from server.cli.common import ACTING, JSON, UNKNOWN, emit, fail, find_document, open_session, standing

ITEM = "the item's number in the list, or its START-END:CODE"


def _item_id(item) -> str:
    return f"{item.start}-{item.end}:{item.code.key}"


def _row(number: int, item, text: str) -> dict:
    return {"number": number, "item": _item_id(item), "start": item.start, "end": item.end, "code": item.code.key,
            "code_name": item.code.name, "applied_by": sorted(item.applied), "not_by": item.missing,
            "text": text[item.start:item.end]}


def _find(waiting: list, named: str):
    """The waiting item named by its number or its START-END:CODE, or None."""
    if named.isascii() and named.isdigit():
        number = int(named)
        return waiting[number - 1] if 1 <= number <= len(waiting) else None
    return next((item for item in waiting if _item_id(item) == named), None)


def reconcile(project: str = typer.Argument(..., metavar="PROJECT", help="Project name or id."),
              document: str = typer.Argument(..., metavar="DOCUMENT", help="Transcript name or id."),
              listing: bool = typer.Option(False, "--list", help="List the queue (what happens with no decision)."),
              accept: Optional[str] = typer.Option(None, "--accept", metavar="ITEM",
                                                   help=f"Keep the code there ({ITEM}): every coder's coding of it, "
                                                        "or only --keep CODER's."),
              reject: Optional[str] = typer.Option(None, "--reject", metavar="ITEM",
                                                   help=f"Keep neither coding ({ITEM})."),
              keep: Optional[str] = typer.Option(None, "--keep", metavar="CODER",
                                                 help="With --accept: keep only this coder's coding."),
              reason: str = typer.Option("", "--reason", help="Why, for the record."),
              agreed: bool = typer.Option(False, "--accept-agreed",
                                          help="Write every item all coders agree on to the consensus layer."),
              unit: str = typer.Option("turn", "--unit", help="turn or sentence"),
              as_user: Optional[str] = ACTING, as_json: bool = JSON) -> None:
    """The reconciliation queue of a transcript, and the lead's decisions on it, as on the Reconcile page.
    Needs the lead role. Each decision writes consensus codings and a log entry; a refused one stores nothing.

    Lists `number<TAB>START-END:CODE<TAB>applied by …; not by …<TAB>passage`; --json: {"document",
    "document_id", "unit", "coders", "waiting": [{"number", "item", "start", "end", "code", "code_name",
    "applied_by", "not_by", "text"}], "agreed" (the same keys), "decisions": [{"code", "start", "end", "decision",
    "reason", "decided_by"}], "left_out": [{"coder", "status"}]}."""
    from coding import store
    from coding.team import reconcile as reconciling

    if accept is not None and reject is not None:
        fail("give one of --accept ITEM and --reject ITEM")
    if keep is not None and accept is None:
        fail("--keep CODER goes with --accept ITEM")
    session, user = open_session(as_user, UNKNOWN)
    with session:
        where = standing(session, user, project, "lead", local=as_user is None)
        target = find_document(session, where, document)
        try:
            waiting = reconciling.disagreements(session, document=target, unit=unit)
        except store.Invalid as exc:
            fail(str(exc))
        named = accept if accept is not None else reject
        if named is not None:
            item = _find(waiting, named)
            if item is None:
                fail(f"no item '{named}' waits on '{target.name}' (see: peerframe reconcile "
                     f"'{where.project.name}' '{target.name}' --list)", UNKNOWN)
            decision = "neither" if reject is not None else ("keep" if keep else "both")
            try:
                record = reconciling.decide(session, document=target, lead=user, unit=unit, start=item.start,
                                            end=item.end, code_key=item.code.key, decision=decision, keep=keep,
                                            reason=reason)
            except (store.Invalid, store.Conflict) as exc:
                fail(str(exc))
            typer.echo(reconciling.decided_message(session, record=record))
        if agreed:
            count = reconciling.accept_agreements(session, document=target, lead=user, unit=unit)
            typer.echo(f"{count} agreed coding(s) written to the consensus layer")
        if (named is not None or agreed) and not listing:
            return
        _show(session, reconciling, target, unit, as_json)


def _show(session, reconciling, target, unit: str, as_json: bool) -> None:
    from coding import store

    layers = reconciling.coder_layers(session, document=target)
    waiting = reconciling.disagreements(session, document=target, unit=unit)
    agreed = [i for i in reconciling.items(session, document=target, unit=unit) if i.agreed] if len(layers) > 1 else []
    people = {u.id: u.name for u in store.list_users(session)}
    codes = {c.id: c.key for c in store.project_codes(session, project_id=target.project_id)}
    answer = {"document": target.name, "document_id": target.id, "unit": unit, "coders": list(layers),
              "waiting": [_row(n, item, target.text) for n, item in enumerate(waiting, 1)],
              "agreed": [_row(n, item, target.text) for n, item in enumerate(agreed, 1)],
              "decisions": [{"code": codes.get(r.code_id), "start": r.unit_start, "end": r.unit_end,
                             "decision": r.decision, "reason": r.reason, "decided_by": people.get(r.decided_by)}
                            for r in reconciling.decisions(session, document=target)],
              "left_out": [{"coder": o.user.name, "status": o.status}
                           for o in reconciling.left_out(session, document=target)]}
    if as_json:
        emit(answer)
        return
    typer.echo(f"{target.name}: coders compared: {', '.join(answer['coders']) or 'none'}; "
               f"{len(waiting)} waiting, {len(agreed)} agreed, {len(answer['decisions'])} decided")
    for row in answer["waiting"]:
        passage = " ".join(row["text"].split())
        typer.echo(f"{row['number']}\t{row['item']}\tapplied by {', '.join(row['applied_by'])}; "
                   f"not by {', '.join(row['not_by'])}\t{passage[:80]}")
    for out in answer["left_out"]:
        typer.echo(f"not compared: {out['coder']} ({out['status']})")
