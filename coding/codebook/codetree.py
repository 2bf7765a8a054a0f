"""A codebook's tree, read from each code's `parent_key`: a code's key is a stable id and never says where it sits.

Moving a code changes only its `parent_key`, so every place that asks "is this under that?" reads the tree here
rather than the shape of a key (`safety/confidentiality` may have been moved under `belonging`).
"""

from typing import Iterable, Optional, Protocol


class Node(Protocol):
    key: str
    parent_key: Optional[str]


def lineages(codes: Iterable[Node]) -> dict[str, tuple[str, ...]]:
    """Each code's key mapped to its ancestors' keys from the top level down, then its own."""
    parents = {c.key: c.parent_key for c in codes}
    found: dict[str, tuple[str, ...]] = {}
    for key in parents:
        chain, current = [], key
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        found[key] = tuple(reversed(chain))
    return found


def depths(codes: Iterable[Node]) -> dict[str, int]:
    """How deep each code sits: 0 for a top-level code."""
    return {key: len(line) - 1 for key, line in lineages(codes).items()}


def tops(codes: Iterable[Node]) -> dict[str, str]:
    """Each code's key mapped to the key of the top-level code it lies under (itself when top-level)."""
    return {key: line[0] for key, line in lineages(codes).items()}


def family(codes: Iterable[Node], key: str) -> set[str]:
    """The code and every code under it, at any depth."""
    return {k for k, line in lineages(codes).items() if key in line}


def within(lineage: tuple[str, ...], wanted: str) -> bool:
    """True when a code (given by its lineage) is `wanted` or lies under it."""
    return wanted in lineage
