"""one decision per unit and code, one undo per event, even when two requests arrive at once

Duplicates that the race left behind are folded first: the earliest decision stays, the later ones are
removed with their consensus codings (taken off, never deleted); a later undo of an already undone change
keeps its event but no longer claims to undo it.

Revision ID: 0008
Revises: 0007
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

UNDO_WHERE = sa.text("undoes IS NOT NULL")


def _fold_duplicate_decisions() -> None:
    db = op.get_bind()
    later = db.execute(sa.text(
        "SELECT r.id, r.consensus_codings FROM reconciliation r WHERE EXISTS (SELECT 1 FROM reconciliation o "
        "WHERE o.document_id = r.document_id AND o.code_id = r.code_id AND o.unit_start = r.unit_start "
        "AND o.unit_end = r.unit_end AND o.id < r.id)")).all()
    for decision_id, codings in later:
        for coding_id in json.loads(codings) if isinstance(codings, str) else (codings or []):
            db.execute(sa.text("UPDATE coding SET removed = :yes WHERE id = :id"), {"yes": True, "id": coding_id})
        db.execute(sa.text("DELETE FROM reconciliation WHERE id = :id"), {"id": decision_id})
    db.execute(sa.text("UPDATE event SET undoes = NULL WHERE undoes IS NOT NULL AND id NOT IN "
                       "(SELECT first FROM (SELECT MIN(id) AS first FROM event WHERE undoes IS NOT NULL "
                       "GROUP BY undoes) AS firsts)"))


def upgrade() -> None:
    _fold_duplicate_decisions()
    op.create_index("uq_reconciliation_unit", "reconciliation", ["document_id", "code_id", "unit_start", "unit_end"],
                    unique=True)
    op.create_index("uq_event_undoes", "event", ["undoes"], unique=True, sqlite_where=UNDO_WHERE,
                    postgresql_where=UNDO_WHERE)


def downgrade() -> None:
    op.drop_index("uq_event_undoes", table_name="event")
    op.drop_index("uq_reconciliation_unit", table_name="reconciliation")
