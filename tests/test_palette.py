"""Code colours: every sub-code distinct from its family, and highlights whose text stays readable."""

from itertools import combinations

import pytest

from coding import store
from coding.codebook.frameworks import available_frameworks
from coding.codebook.palette import (INK, MUTED, WHITE, child_colour, children_colours, contrast, difference, line,
                                     tint, top_level_colour)

DISTINCT = 0.05  # OKLab distance; about 0.02 is just noticeable side by side
FRAMEWORKS = sorted(available_frameworks())
# pastels, darks, pure primaries, white and black: what a colour picker can give
AWKWARD = ["#ffffff", "#000000", "#ffff00", "#00ff00", "#0000ff", "#ff0000", "#000080", "#1f2328", "#ffffcc",
           "#d9d9d9", "#777777", "#ff00ff", "#00ffff"]


def _families(framework_id):
    for code in available_frameworks()[framework_id].walk():
        if code.children:
            yield code


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_every_sub_code_differs_from_its_siblings_and_its_parent(framework_id):
    families = list(_families(framework_id))
    assert families, "a framework with sub-codes is expected"
    for parent in families:
        kids = [c.colour for c in parent.children]
        for a, b in combinations(kids, 2):
            assert difference(a, b) >= DISTINCT, f"{parent.id}: siblings {a} and {b} look alike"
        for kid in kids:
            for shown in (parent.colour, line(parent.colour)):
                assert difference(kid, shown) >= DISTINCT, f"{parent.id}: child {kid} looks like its parent {shown}"


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_every_framework_colour_highlights_readably(framework_id):
    for code in available_frameworks()[framework_id].walk():
        _readable(code.colour)


@pytest.mark.parametrize("colour", AWKWARD)
def test_any_chosen_colour_highlights_readably(colour):
    _readable(colour)


def _readable(colour):
    background = tint(colour)
    assert contrast(INK, background) >= 4.5, f"text on {colour}'s tint {background}"
    assert contrast(MUTED, background) >= 4.5, f"an interviewer's muted text on {colour}'s tint {background}"
    assert contrast(line(colour), WHITE) >= 3, f"{colour}'s line {line(colour)} on white"
    assert contrast(line(colour), background) >= 3, f"{colour}'s line {line(colour)} on its own tint"


def test_a_line_keeps_a_colour_that_is_already_dark_enough():
    assert line("#1b4f72") == "#1b4f72"
    assert line("#FFFFCC") != "#ffffcc" and contrast(line("#ffffcc"), WHITE) >= 3


def test_greys_get_a_quiet_family_of_distinct_colours():
    kids = children_colours("#d9d9d9", 6)
    assert len(set(kids)) == 6
    assert min(difference(a, b) for a, b in combinations(kids, 2)) >= DISTINCT


def test_the_next_sub_code_avoids_the_colours_its_siblings_have():
    taken = children_colours("#80b1d3", 3)
    fourth = child_colour("#80b1d3", taken)
    assert fourth not in taken and min(difference(fourth, t) for t in taken) >= DISTINCT


def test_a_new_top_level_code_takes_the_first_unused_palette_colour():
    assert top_level_colour(["#8dd3c7"]) == "#80b1d3"
    assert top_level_colour([]) == "#8dd3c7"


def test_codes_added_on_the_codebook_page_get_colours_of_their_own(session, project, user):
    first = store.add_code(session, project_id=project.id, user=user, name="Waiting lists", parent_key="safety")
    second = store.add_code(session, project_id=project.id, user=user, name="Crisis lines", parent_key="safety")
    chosen = store.add_code(session, project_id=project.id, user=user, name="Night staff", parent_key="safety",
                            colour="#123456")
    codes = store.project_codes(session, project_id=project.id)
    siblings = [c.colour for c in codes if c.parent_key == "safety" and c.key != second.key]
    assert first.colour not in {"#80b1d3", second.colour}
    assert min(difference(second.colour, other) for other in siblings + ["#80b1d3"]) >= DISTINCT
    assert chosen.colour == "#123456"
    top = store.add_code(session, project_id=project.id, user=user, name="Housing")
    assert top.colour not in {c.colour for c in codes if c.parent_key is None}
