"""saved queries name a coder's layer as coder:<user id>, never by user name

Revision ID: 0009
Revises: 0008
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

KEPT = (None, "", "all", "consensus")


def _rewrite(to_new: bool) -> None:
    db = op.get_bind()
    users = dict(db.execute(sa.text('SELECT name, id FROM "user"')).all())
    names = {user_id: name for name, user_id in users.items()}
    for query_id, params in db.execute(sa.text("SELECT id, params FROM savedquery")).all():
        params = json.loads(params) if isinstance(params, str) else dict(params)
        layer = params.get("layer")
        if layer in KEPT:
            continue
        if to_new and not str(layer).startswith("coder:"):
            params["layer"] = f"coder:{users[layer]}" if layer in users else "coder:0"
        elif not to_new and str(layer).startswith("coder:"):
            params["layer"] = names.get(int(str(layer)[6:] or 0)) if str(layer)[6:].isdigit() else None
        else:
            continue
        db.execute(sa.text("UPDATE savedquery SET params = :params WHERE id = :id"),
                   {"params": json.dumps(params), "id": query_id})


def upgrade() -> None:
    _rewrite(to_new=True)


def downgrade() -> None:
    _rewrite(to_new=False)
