"""Values every backend must refuse alike: NUL characters, text longer than its column, numbers past 32 bits.

SQLite would store them and PostgreSQL would fail with a server error; checking before each flush makes both
answer `Invalid` (422) naming the table and field, with nothing stored.
"""

import math
import re
from typing import Any

from sqlalchemy import BigInteger, Integer, event
from sqlalchemy.orm import Session

from coding.store.base import Invalid

INT_MAX = 2**31 - 1
MEMO_LIMIT = 20_000
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def colour(value: str) -> str:
    """A code colour as #rrggbb, refusing anything else (CSS in a colour would reach every page)."""
    value = value.strip()
    if not COLOUR.match(value):
        raise Invalid(f"a colour must look like #1b9e77 (# and six hexadecimal digits), not {value[:40]!r}")
    return value.lower()


def memo(value: str) -> str:
    """A memo, stripped, refused past MEMO_LIMIT characters."""
    value = value.strip()
    if len(value) > MEMO_LIMIT:
        raise Invalid(f"a memo can hold at most {MEMO_LIMIT:,} characters; this one has {len(value):,}")
    return value


def text(value: str, *, what: str, limit: int) -> str:
    """A short text (a name to look up or store), refused with a NUL or past `limit` characters."""
    if "\x00" in value:
        raise Invalid(f"the {what} contains a NUL character")
    if len(value) > limit:
        raise Invalid(f"the {what} can hold at most {limit} characters; this one has {len(value)}")
    return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def check_row(row: Any) -> None:
    """Refuse a row whose values some backend cannot store."""
    table = row.__table__
    for column in table.columns:
        value = getattr(row, column.key, None)
        where = f"{table.name} {column.key}"
        if value is None:
            continue
        if _has_nul(value):
            raise Invalid(f"the {where} contains a NUL character, which cannot be stored")
        length = getattr(column.type, "length", None)
        if length and isinstance(value, str) and len(value) > length:
            raise Invalid(f"the {where} can hold at most {length} characters; this one has {len(value)}")
        if isinstance(column.type, Integer) and not isinstance(column.type, BigInteger) \
                and isinstance(value, int) and not -INT_MAX - 1 <= value <= INT_MAX:
            raise Invalid(f"the {where} {value} is out of range")
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid(f"the {where} must be a finite number, not {value}")


@event.listens_for(Session, "before_flush")
def _check_before_flush(session: Session, context: Any, instances: Any) -> None:
    for row in (*session.new, *session.dirty):
        if hasattr(row, "__table__"):
            check_row(row)
