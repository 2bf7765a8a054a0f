"""distinct sub-code colours: sub-codes still wearing their parent's colour get one of their own

A sub-code whose colour is the same as its parent's took it by inheritance (frameworks and new codes gave
children their parent's colour). Such codes get a colour in the family's hue, distinct from the parent and
the siblings before them, as new projects now do. A colour anyone set on the codebook page (a
`code.updated` event that changed it) is never touched, nor is anything whose colour differs from its
parent's. Downgrading leaves the colours as they are (they are valid colours under either schema).

Revision ID: 0016
Revises: 0015
"""
import json

import sqlalchemy as sa
from alembic import op

from coding.codebook.palette import child_colour

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _chosen(db) -> set[tuple[int, str]]:
    """(project, code key) of every code whose colour a person changed."""
    chosen = set()
    for project_id, payload in db.execute(sa.text(
            "SELECT project_id, payload FROM event WHERE kind = 'code.updated' AND project_id IS NOT NULL")):
        data = json.loads(payload) if isinstance(payload, str) else (payload or {})
        if "colour" in (data.get("after") or {}):
            chosen.add((project_id, data.get("code")))
    return chosen


def upgrade() -> None:
    db = op.get_bind()
    chosen = _chosen(db)
    rows = db.execute(sa.text("SELECT id, project_id, key, parent_key, colour FROM code "
                              "ORDER BY project_id, position, id")).all()
    before = {(r.project_id, r.key): (r.colour or "").lower() for r in rows}
    now = dict(before)
    siblings: dict[tuple[int, str], list[str]] = {}
    for row in rows:
        if row.parent_key is None:
            continue
        here, parent = (row.project_id, row.key), (row.project_id, row.parent_key)
        taken = siblings.setdefault(parent, [])
        if parent in before and before[here] == before[parent] and here not in chosen:
            colour = child_colour(now[parent], taken)
            now[here] = colour
            db.execute(sa.text("UPDATE code SET colour = :colour WHERE id = :id"), {"colour": colour, "id": row.id})
        taken.append(now[here])


def downgrade() -> None:
    pass
