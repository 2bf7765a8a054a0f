"""A coder's number keys 1–9: codes they pinned, one per key, the same on every page load.

Until a coder pins anything the keys hold the first nine top-level codes in codebook order; never the
codes used most, which would renumber the keys as the coding goes on. Pins are the coder's own setting,
kept per project in their preferences under "shortcuts" as nine code keys (or None for a free key).
"""

from dataclasses import dataclass
from typing import Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.models import Code, User

SLOTS = 9
PREFERENCE = "shortcuts"


@dataclass
class Slot:
    """A number key and the code it applies."""

    number: int
    code: Code


def default_keys(codes: Sequence[Code]) -> list[Optional[str]]:
    """The keys before a coder pins anything: the first nine live top-level codes, in codebook order."""
    keys: list[Optional[str]] = [c.key for c in codes if c.parent_key is None and not c.retired][:SLOTS]
    return keys + [None] * (SLOTS - len(keys))


def pinned_keys(user: User, project_id: int) -> Optional[list[Optional[str]]]:
    """The code keys this coder pinned in this project, one per number (None: never pinned there)."""
    saved = (user.preferences or {}).get(PREFERENCE, {}).get(str(project_id))
    if not isinstance(saved, list):
        return None
    keys = [k if isinstance(k, str) else None for k in saved[:SLOTS]]
    return keys + [None] * (SLOTS - len(keys))


def slots(codes: Sequence[Code], pinned: Optional[list[Optional[str]]]) -> list[Slot]:
    """The taken number keys in number order; a pinned code since retired or merged away leaves its key free."""
    live = {c.key: c for c in codes if not c.retired}
    keys = default_keys(codes) if pinned is None else pinned
    return [Slot(n, live[k]) for n, k in enumerate(keys, start=1) if k in live]


def repinned(keys: list[Optional[str]], number: int, key: Optional[str]) -> list[Optional[str]]:
    """The keys after putting `key` on `number` (None frees it); a code moves rather than sitting on two keys."""
    keys = [None if k == key else k for k in keys] if key else list(keys)
    keys[number - 1] = key
    return keys


def coder_slots(session: Session, *, user: User, project_id: int) -> list[Slot]:
    """This coder's number keys in this project."""
    return slots(store.project_codes(session, project_id=project_id), pinned_keys(user, project_id))


def pin(session: Session, *, user: User, project_id: int, number: int, key: str) -> list[Slot]:
    """Put a live code of this project on a number key 1–9, or free the key when `key` is empty."""
    if not 1 <= number <= SLOTS:
        raise store.Invalid(f"shortcuts are the number keys 1 to {SLOTS}; there is no key {number}")
    codes = store.project_codes(session, project_id=project_id)
    key = key.strip()
    if key:
        code = store.get_code(session, project_id=project_id, key=key)
        if code.retired:
            raise store.Invalid(f"“{code.name}” is retired: it cannot be pinned")
    current = pinned_keys(user, project_id) or default_keys(codes)
    saved = dict((user.preferences or {}).get(PREFERENCE, {}))
    saved[str(project_id)] = repinned(current, number, key or None)
    store.set_preference(session, user=user, key=PREFERENCE, value=saved)
    return slots(codes, saved[str(project_id)])
