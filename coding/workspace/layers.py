"""Whose codings a reader has on screen: the layers they may see on a transcript, and the ones they chose."""

from dataclasses import dataclass
from typing import Iterable, Optional

from sqlmodel import Session

from coding import store
from coding.models import Document
from coding.team import accounts

CONSENSUS = "consensus"


@dataclass
class LayerChoice:
    """One layer in the Layers control: its value in the `layers` parameter, whose it is, how many codings."""

    value: str
    label: str
    count: int
    shown: bool


Names = dict[int, tuple[str, str]]  # layer id -> (its value in the `layers` parameter, whose it is)


def layer_names(session: Session, *, document: Document) -> Names:
    """Each layer of the transcript's project: its value ("coder:<user id>" or "consensus") and label."""
    found = {}
    for layer in store.layer_people(session, project_id=document.project_id):
        if layer.user_id is not None:
            found[layer.id] = (f"coder:{layer.user_id}", layer.display_name or layer.name)
        elif layer.kind == "consensus":
            found[layer.id] = (CONSENSUS, "Consensus")
    return found


def _values(session: Session, *, document: Document, allowed: Optional[set[int]],
            names: Optional[Names] = None) -> Names:
    """The layers the reader may see on the transcript (`names`: all of them, when the caller has them)."""
    found = names if names is not None else layer_names(session, document=document)
    return {i: v for i, v in found.items() if allowed is None or i in allowed}


def owner_names(session: Session, *, document: Document, names: Optional[Names] = None) -> dict[int, str]:
    """Whose each layer of the transcript's project is, as people read it (nothing while the project has one
    layer: a person coding alone needs no name on every highlight)."""
    found = _values(session, document=document, allowed=None, names=names)
    return {i: label for i, (_, label) in found.items()} if len(found) > 1 else {}


def chosen(session: Session, *, document: Document, allowed: Optional[set[int]],
           wanted: Optional[Iterable[str]], names: Optional[Names] = None) -> Optional[set[int]]:
    """The layers to draw: those the reader may see (`allowed`, None for all), narrowed to `wanted` when given."""
    if wanted is None:
        return allowed
    wanted = set(wanted)
    return {i for i, (value, _) in _values(session, document=document, allowed=allowed, names=names).items()
            if value in wanted}


def choices(session: Session, *, document: Document, allowed: Optional[set[int]],
            shown: Optional[set[int]], names: Optional[Names] = None,
            counts: Optional[dict[int, int]] = None) -> list[LayerChoice]:
    """The Layers control: every layer the reader may see that has codings on the transcript, coders by name,
    then the consensus layer. `counts`: the codings per layer here, when the caller has them."""
    if counts is None:
        counts = store.layer_counts(session, document_id=document.id, layers=allowed)
    values = _values(session, document=document, allowed=allowed, names=names)
    found = [LayerChoice(value, label, counts[i], shown is None or i in shown)
             for i, (value, label) in values.items() if counts.get(i)]
    return sorted(found, key=lambda c: (c.value == CONSENSUS, c.label.lower()))


def choice_values(session: Session, *, project_id: int, choice: str) -> Optional[list[str]]:
    """The `layers` values a script's `layer` choice names, written as the pages write them: None for "all",
    ["consensus"], or ["coder:<user id>"] (nothing, for a member who has not coded yet); Invalid for anything
    else or a user who is no member here."""
    if choice == "all":
        return None
    if choice == CONSENSUS:
        return [CONSENSUS]
    kind, _, number = choice.partition(":")
    if kind != "coder" or not (number.isascii() and number.isdigit()) or len(number) > 10:
        raise store.Invalid(f"layer: is 'all', 'consensus' or 'coder:<user id>', not '{choice[:80]}'")
    user_id = int(number)
    coded = user_id in {u.id for u in store.layer_owners(session, project_id=project_id).values()}
    if not coded and user_id not in {u.id for u, _ in accounts.members(session, project_id=project_id)}:
        raise store.Invalid(f"layer: user {user_id} does not code in this project")
    return [f"coder:{user_id}"] if coded else []


def script_values(session: Session, *, project_id: int) -> dict[int, str]:
    """Each layer's value, as the pages and every API route name it: "consensus" or "coder:<user id>"."""
    found = {i: f"coder:{u.id}" for i, u in store.layer_owners(session, project_id=project_id).items()}
    consensus = store.consensus_layer(session, project_id=project_id, create=False)
    if consensus is not None:
        found[consensus.id] = CONSENSUS
    return found
