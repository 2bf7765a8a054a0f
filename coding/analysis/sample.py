"""The sample table: how many of the participants have each value of each attribute, as the report's Table 6.1
gives its interviewees (age band, gender, ethnicity, approach, locality), with "Missing" where nothing is
recorded and what was recorded, "Prefer not to say" included, as it stands."""

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

MISSING = "Missing"
LAST = ("prefer not to say", "other", "missing")  # listed after the other values, in this order


@dataclass(frozen=True)
class Group:
    """One attribute: each value with how many participants have it."""

    attribute: str
    rows: tuple[tuple[str, int], ...]


def _order(value: str) -> tuple:
    """Values in a natural order (18-24 before 25-34, 9 before 10), "Prefer not to say", "Other" and "Missing"
    last."""
    lowered = value.lower()
    if lowered in LAST:
        return (1, LAST.index(lowered), "")
    return (0, 0, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", lowered)])


def sample_groups(participants: Sequence[Any], attributes: Sequence[str]) -> list[Group]:
    """For each attribute, in the order given, how many of the participants have each value."""
    groups = []
    for name in attributes:
        tally = Counter(str(p.attributes.get(name) or "").strip() or MISSING for p in participants)
        groups.append(Group(name, tuple(sorted(tally.items(), key=lambda item: _order(item[0])))))
    return groups


def percent(count: int, total: int) -> str:
    """A share of the sample as the report prints it: whole per cent."""
    return f"{round(100 * count / total)}%" if total else "—"
