"""A project's agreement figures, kept until the project changes.

Working out agreement reads every coder's codings on every transcript they marked done: on a study of 100,000
codings that takes seconds, too long for a page. So the figures are kept in the database (`AgreementFigures`,
one row per project and unit), stamped with the project's log as it stood when they were read (`marker`, from
`store.log_mark`; every change to codings, codes, statuses or transcripts adds an event). A
page shows kept figures that are still current at once; otherwise a small project works them out as it answers,
and a big one has a job work them out while the page shows the older figures, marked as older, or the progress.

Figures are names and numbers only, never transcript text. Figures read before a transcript was erased are never
kept or shown: erasure deletes the project's rows, and figures read before a tombstone are refused.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional

from sqlalchemy import func
from sqlmodel import Session, col, select

from coding import store
from coding.models import AgreementFigures, Coding, Document, Event, Layer, utcnow
from coding.store.events import TOMBSTONES
from coding.team import reconcile
from coding.team.agreement_report import (CodeFigures, DocumentFigures, DocumentName, PairFigures, Reliability,
                                          check_unit, project_reliability)

INLINE_CODINGS = 5_000  # a project with fewer coders' codings has its figures worked out while the page answers


@dataclass(frozen=True)
class Kept:
    """Kept figures: the report, when it was worked out, and how many changes the project has had since."""

    report: Reliability
    computed_at: datetime
    changes_since: int

    @property
    def current(self) -> bool:
        return self.changes_since == 0


def _newest(mark: str) -> int:
    return int(mark.partition(":")[0])


def _changes_since(session: Session, *, project_id: int, mark: str) -> Optional[int]:
    """How many events the project has had since `mark` (0 when it stands there); None when a transcript has
    been erased since, so that figures naming it are never shown."""
    if store.log_mark(session, project_id=project_id) == mark:
        return 0
    since = select(func.count()).where(Event.project_id == project_id, col(Event.id) > _newest(mark))
    erased = session.exec(since.where(col(Event.kind).in_(TOMBSTONES))).one()
    return None if erased else max(session.exec(since).one(), 1)


def kept(session: Session, *, project_id: int, unit: str) -> Optional[Kept]:
    """The project's kept figures for the unit, current or older; None when there are none to show."""
    check_unit(unit)
    row = session.exec(select(AgreementFigures).where(AgreementFigures.project_id == project_id,
                                                      AgreementFigures.unit == unit)).first()
    if row is None:
        return None
    changes = _changes_since(session, project_id=project_id, mark=row.marker)
    report = None if changes is None else _from_plain(session, project_id=project_id, plain=row.figures)
    return None if report is None else Kept(report, row.computed_at, changes)


def coder_codings(session: Session, *, project_id: int) -> int:
    """How many live codings the project's coders' layers hold: what working out agreement reads."""
    return session.exec(select(func.count()).select_from(Coding)
                        .join(Document, col(Document.id) == Coding.document_id)
                        .join(Layer, col(Layer.id) == Coding.layer_id)
                        .where(Document.project_id == project_id, col(Coding.removed).is_(False),
                               Layer.kind == "coder")).one()


def work_out(session: Session, *, project_id: int, unit: str,
             progress: Optional[Callable[[float, str], None]] = None) -> Reliability:
    """Work the figures out and keep them, stamped with where the log stood before they were read."""
    mark = store.log_mark(session, project_id=project_id)
    report = project_reliability(session, project_id=project_id, unit=unit, progress=progress)
    if _changes_since(session, project_id=project_id, mark=mark) is None:
        return report  # a transcript was erased while this ran: these figures may name it
    row = session.exec(select(AgreementFigures).where(AgreementFigures.project_id == project_id,
                                                      AgreementFigures.unit == unit)).first()
    row = row or AgreementFigures(project_id=project_id, unit=unit)
    row.marker, row.figures, row.computed_at = mark, _plain(report), utcnow()
    session.add(row)
    session.commit()
    return report


# --- figures as plain data ---------------------------------------------------------------------------

def _number(value):
    return value if value is None or math.isfinite(value) else None


def _pair_of(bounds) -> Optional[list[float]]:
    return None if bounds is None else [_number(bounds[0]), _number(bounds[1])]


def _code_plain(row: CodeFigures) -> dict:
    return {"code": row.code.id if row.code else None, "items": row.items, "percent": _number(row.percent),
            "kappa": [[a, b, _number(v)] for (a, b), v in row.kappa.items()], "alpha": _number(row.alpha),
            "alpha_ci": _pair_of(row.alpha_ci), "overlap_f1": _number(row.overlap_f1),
            "boundary": _number(row.boundary), "unitizing_alpha": _number(row.unitizing_alpha), "used": row.used}


def _plain(report: Reliability) -> dict:
    return {
        "unit": report.unit, "coders": report.coders, "codes": [_code_plain(row) for row in report.codes],
        "pooled": _code_plain(report.pooled) if report.pooled else None,
        "pairs": [{"a": p.a, "b": p.b, "items": p.items, "percent": _number(p.percent), "kappa": _number(p.kappa),
                   "kappa_ci": _pair_of(p.kappa_ci)} for p in report.pairs],
        "documents": [{"id": d.document.id, "name": d.document.name, "coders": d.coders,
                       "disagreements": d.disagreements, "items": d.items} for d in report.documents],
        "left_out": [{"id": document.id, "name": document.name, "people": [[o.user.id, o.status] for o in people]}
                     for document, people in report.left_out]}


def _bounds(pair) -> Optional[tuple[float, float]]:
    return None if pair is None or None in pair else (pair[0], pair[1])


def _from_plain(session: Session, *, project_id: int, plain: dict) -> Optional[Reliability]:
    """The report again, with the project's codes and users as they are now; None when a code it names is gone."""
    codes = {c.id: c for c in store.project_codes(session, project_id=project_id)}
    users = {u.id: u for u in store.list_users(session)}

    def figures(row: dict) -> Optional[CodeFigures]:
        return CodeFigures(code=codes.get(row["code"]), items=row["items"], percent=row["percent"],
                           kappa={(a, b): v for a, b, v in row["kappa"]}, alpha=row["alpha"],
                           alpha_ci=_bounds(row["alpha_ci"]), overlap_f1=row["overlap_f1"], boundary=row["boundary"],
                           unitizing_alpha=row["unitizing_alpha"], used=row["used"])

    if any(row["code"] not in codes for row in plain["codes"]):
        return None
    return Reliability(
        unit=plain["unit"], coders=plain["coders"], codes=[figures(row) for row in plain["codes"]],
        pooled=figures(plain["pooled"]) if plain["pooled"] else None,
        pairs=[PairFigures(p["a"], p["b"], p["items"], p["percent"], p["kappa"], _bounds(p["kappa_ci"]))
               for p in plain["pairs"]],
        documents=[DocumentFigures(DocumentName(d["id"], d["name"]), d["coders"], d["disagreements"], d["items"])
                   for d in plain["documents"]],
        left_out=[(DocumentName(d["id"], d["name"]),
                   [reconcile.LeftOut(users[user_id], status) for user_id, status in d["people"] if user_id in users])
                  for d in plain["left_out"]])
