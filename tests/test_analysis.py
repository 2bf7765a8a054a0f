"""Analysis over plain codings: co-occurrence by overlap and by turn, codes by attribute, the pyramid."""

import pytest

from coding.analysis.counts import (Cell, CodeInfo, Coded, Frequency, code_by_attribute, code_infos,
                                    cooccurrence, frequencies, lineage, pyramid, values_by_decisions)

# A small codebook in codebook order; a decision comes first on purpose, to test ordering by kind.
CODES = [
    CodeInfo("leadership", "Type of leadership", None, "decision", None, "#fccde5"),
    CodeInfo("experience-in-common", "Experience in common", None, "value", "foundation", "#8dd3c7"),
    CodeInfo("safety", "Safety", None, "value", "foundation", "#ffffb3"),
    CodeInfo("safety/confidentiality", "Confidentiality", "safety", "value", None, "#ffffb3"),
    CodeInfo("safety/ground-rules", "Ground rules", "safety", "value", None, "#ffffb3"),
    CodeInfo("choice-and-control", "Choice and control", None, "value", "foundation", "#bebada"),
    CodeInfo("two-way-interactions", "Two-way interactions", None, "value", "dependent", "#fb8072"),
    CodeInfo("human-connection", "Human connection", None, "value", "dependent", "#80b1d3"),
    CodeInfo("freedom-to-be-oneself", "Freedom to be oneself", None, "value", "dependent", "#fdb462"),
    CodeInfo("facilitation", "Facilitation", None, "decision", None, "#b3de69"),
    CodeInfo("facilitation/named-facilitator", "Named facilitator", "facilitation", "decision", None, "#b3de69"),
]
VALUES = ("experience-in-common", "safety", "choice-and-control", "two-way-interactions", "human-connection",
          "freedom-to-be-oneself")


def coded(ident, start, end, key, document=1, participant="PV1", **attributes):
    return Coded(ident, document, start, end, key, participant, attributes)


# Co-occurrence: overlap regions against turns

# Document 1 has two turns, [0, 50) and [50, 100).
#   1 safety       [0, 10)   2 facilitation [20, 30)    same turn, no overlap
#   3 safety       [40, 60)  4 facilitation [55, 70)    overlap [55, 60), in turn 2 (3 also reaches turn 1)
CRAFTED = [coded(1, 0, 10, "safety"), coded(2, 20, 30, "facilitation"),
           coded(3, 40, 60, "safety"), coded(4, 55, 70, "facilitation")]
TURNS = {1: [(0, 50), (50, 100)]}


@pytest.mark.parametrize("mode, count, ids", [
    ("overlap", 1, (3, 4)),        # one overlap region: [55, 60)
    ("turn", 2, (1, 2, 3, 4)),     # turn 1 holds 1, 2 and 3; turn 2 holds 3 and 4
])
def test_overlap_and_turn_modes_count_differently(mode, count, ids):
    matrix = cooccurrence(CRAFTED, ["safety"], ["facilitation"], mode=mode, turns=TURNS)
    assert matrix.cell("safety", "facilitation") == Cell(count, ids)
    assert matrix.measure == {"overlap": "overlapping passages", "turn": "shared turns"}[mode]


@pytest.mark.parametrize("codings, count, ids", [
    # Two coders code the same passage: one region, not two pairs.
    ([coded(1, 0, 10, "safety"), coded(2, 0, 10, "safety"), coded(3, 5, 15, "facilitation")], 1, (1, 2, 3)),
    # One facilitation coding overlaps two safety codings in separate stretches: two regions.
    ([coded(4, 20, 30, "safety"), coded(5, 25, 40, "facilitation"), coded(6, 35, 45, "safety")], 2, (4, 5, 6)),
    # Stretches that touch merge: [50, 55) and [55, 60) are one region.
    ([coded(7, 50, 55, "safety"), coded(8, 55, 60, "safety"), coded(9, 50, 60, "facilitation")], 1, (7, 8, 9)),
    # Touching is not overlapping (half-open spans).
    ([coded(1, 0, 10, "safety"), coded(2, 10, 20, "facilitation")], 0, ()),
    # The same spans in two documents are two regions.
    ([coded(1, 0, 10, "safety", 1), coded(2, 0, 10, "facilitation", 1),
      coded(3, 0, 10, "safety", 2), coded(4, 0, 10, "facilitation", 2)], 2, (1, 2, 3, 4)),
    # A coding that overlaps nothing of the other code is not among the ids.
    ([coded(1, 0, 10, "safety"), coded(2, 5, 8, "facilitation"), coded(3, 80, 90, "safety")], 1, (1, 2)),
])
def test_overlap_counts_distinct_regions(codings, count, ids):
    assert cooccurrence(codings, ["safety"], ["facilitation"]).cell("safety", "facilitation") == Cell(count, ids)


def test_turn_mode_counts_each_turn_and_ignores_codings_outside_turns():
    codings = [coded(1, 0, 5, "safety"), coded(2, 12, 18, "facilitation"),   # turn [0, 20)
               coded(3, 20, 25, "safety"), coded(4, 30, 35, "facilitation"),  # turn [20, 40)
               coded(5, 42, 44, "safety"), coded(6, 45, 48, "facilitation")]  # between turns: not counted
    matrix = cooccurrence(codings, ["safety"], ["facilitation"], mode="turn", turns={1: [(20, 40), (0, 20)]})
    assert matrix.cell("safety", "facilitation") == Cell(2, (1, 2, 3, 4))
    assert cooccurrence(codings, ["safety"], ["facilitation"], mode="turn", turns={}).maximum() == 0


def test_a_coding_across_several_turns_is_in_each_of_them():
    codings = [coded(1, 5, 95, "safety"), coded(2, 10, 12, "facilitation"), coded(3, 40, 42, "facilitation"),
               coded(4, 70, 72, "facilitation"), coded(5, 96, 99, "facilitation")]
    turns = {1: [(0, 30), (30, 60), (60, 95), (95, 100)]}
    matrix = cooccurrence(codings, ["safety"], ["facilitation"], mode="turn", turns=turns)
    assert matrix.cell("safety", "facilitation") == Cell(3, (1, 2, 3, 4))
    assert cooccurrence(codings, ["safety"], ["facilitation"]).counts() == [[3]]


SUBCODES = [coded(1, 0, 10, "safety/confidentiality"), coded(2, 5, 15, "safety/ground-rules"),
            coded(3, 8, 12, "facilitation/named-facilitator"), coded(4, 40, 50, "safety")]


@pytest.mark.parametrize("roll_up, rows, columns, expected", [
    # Top-level codes with roll-up: sub-codes count for their parents; a coding never pairs with itself,
    # so the diagonal counts safety sub-codes overlapping each other ([5, 10)), not coding 4 alone.
    (True, ["safety", "facilitation"], ["safety", "facilitation"], [[1, 1], [1, 0]]),
    # Without roll-up only exact codes count: nothing is coded exactly with these top-level codes nearby.
    (False, ["safety", "facilitation"], ["safety", "facilitation"], [[0, 0], [0, 0]]),
    (False, ["safety/confidentiality"], ["safety/ground-rules", "facilitation/named-facilitator"], [[1, 1]]),
    # A row under its column: coding 1 is both, but pairs only with coding 2.
    (True, ["safety/confidentiality"], ["safety"], [[1]]),
])
def test_roll_up_on_and_off(roll_up, rows, columns, expected):
    assert cooccurrence(SUBCODES, rows, columns, roll_up=roll_up).counts() == expected


def test_a_lone_coding_does_not_cooccur_with_itself():
    matrix = cooccurrence([coded(1, 0, 10, "safety/confidentiality")], ["safety"], ["safety/confidentiality"])
    assert matrix.counts() == [[0]]


def test_matrix_keeps_order_labels_and_unknown_cells():
    matrix = cooccurrence(CRAFTED, ["facilitation", "safety"], ["safety"], labels={"safety": "Safety"})
    assert (matrix.rows, matrix.columns) == (("facilitation", "safety"), ("safety",))
    assert (matrix.row_labels, matrix.column_labels) == (("facilitation", "Safety"), ("Safety",))
    assert matrix.counts() == [[1], [0]]
    assert matrix.cell("nope", "safety") == Cell()


@pytest.mark.parametrize("mode, turns, message", [("sentence", None, "mode must be"),
                                                  ("turn", None, "needs the documents' turns")])
def test_bad_modes_are_refused(mode, turns, message):
    with pytest.raises(ValueError, match=message):
        cooccurrence([], ["a"], ["b"], mode=mode, turns=turns)


# Values by decisions

def test_values_are_rows_and_decisions_columns_in_codebook_order():
    codings = [coded(1, 0, 10, "safety/confidentiality"), coded(2, 0, 10, "facilitation/named-facilitator"),
               coded(3, 20, 30, "human-connection"), coded(4, 25, 35, "leadership")]
    matrix = values_by_decisions(codings, CODES)
    assert matrix.rows == VALUES
    assert matrix.columns == ("leadership", "facilitation")
    assert matrix.row_labels[1] == "Safety" and matrix.column_labels == ("Type of leadership", "Facilitation")
    assert matrix.counts() == [[0, 0], [0, 1], [0, 0], [0, 0], [1, 0], [0, 0]]
    assert matrix.cell("safety", "facilitation").coding_ids == (1, 2)
    assert matrix.cell("facilitation", "safety") == Cell()   # never the other way round
    turn = values_by_decisions(codings, CODES, mode="turn", turns={1: [(0, 40)]})
    assert turn.counts() == [[0, 0], [1, 1], [0, 0], [0, 0], [1, 1], [0, 0]]


def test_values_by_decisions_without_roll_up_sees_only_top_level_codings():
    codings = [coded(1, 0, 10, "safety/confidentiality"), coded(2, 0, 10, "facilitation")]
    assert values_by_decisions(codings, CODES, roll_up=False).maximum() == 0
    assert values_by_decisions(codings, CODES, roll_up=True).cell("safety", "facilitation").count == 1


# Codes by attribute

PEOPLE = [
    coded(1, 0, 5, "safety", 1, "PV1", approach="group"),
    coded(2, 10, 15, "safety", 1, "PV1", approach="group"),
    coded(3, 0, 5, "safety/confidentiality", 2, "PV2", approach="group"),
    coded(4, 0, 5, "safety", 3, "PV3", approach="online"),
    coded(5, 0, 5, "facilitation", 4, "PV4"),                      # no approach recorded
    coded(6, 20, 25, "safety", 1, "PV1", approach="group"),
]


def test_attribute_cells_count_passages_and_participants():
    matrix = code_by_attribute(PEOPLE, CODES, "approach")
    assert matrix.columns == ("group", "online", "")
    assert matrix.column_labels == ("group", "online", "not recorded")
    assert matrix.rows == ("leadership", "experience-in-common", "safety", "choice-and-control",
                           "two-way-interactions", "human-connection", "freedom-to-be-oneself", "facilitation")
    assert matrix.cell("safety", "group") == Cell(4, (1, 2, 3, 6), 2)   # four passages from two people
    assert matrix.cell("safety", "online") == Cell(1, (4,), 1)
    assert matrix.cell("facilitation", "") == Cell(1, (5,), 1)
    assert matrix.cell("safety", "") == Cell(0, (), 0)
    assert matrix.measure == "passages"


def test_attribute_columns_can_be_given_and_roll_up_turned_off():
    matrix = code_by_attribute(PEOPLE, CODES, "approach", roll_up=False, values=["group", "one to one", "online"])
    assert matrix.columns == ("group", "one to one", "online", "")
    assert len(matrix.rows) == len(CODES)
    assert matrix.cell("safety", "group") == Cell(3, (1, 2, 6), 1)
    assert matrix.cell("safety/confidentiality", "group") == Cell(1, (3,), 1)
    assert matrix.cell("safety", "one to one") == Cell(0, (), 0)


# Frequencies

def test_frequencies_with_and_without_roll_up():
    rolled = {f.key: f for f in frequencies(PEOPLE, CODES)}
    assert list(rolled)[:3] == ["leadership", "experience-in-common", "safety"]
    assert "safety/confidentiality" not in rolled
    assert rolled["safety"] == Frequency("safety", "Safety", "#ffffb3", 5, 3, 3)
    assert rolled["leadership"] == Frequency("leadership", "Type of leadership", "#fccde5", 0, 0, 0)
    plain = {f.key: f for f in frequencies(PEOPLE, CODES, roll_up=False)}
    assert list(plain) == [c.key for c in CODES]
    assert plain["safety"][3:] == (4, 2, 2)
    assert plain["safety/confidentiality"][3:] == (1, 1, 1)


def test_codings_without_a_participant_count_passages_not_people():
    codings = [coded(1, 0, 5, "safety", 1, None), coded(2, 0, 5, "safety", 2, None)]
    assert frequencies(codings, CODES)[2][3:] == (2, 0, 2)


# The values pyramid

def test_pyramid_tiers_counts_and_thin_foundation():
    result = pyramid(PEOPLE + [coded(7, 0, 5, "human-connection", 5, "PV5")], CODES)
    assert [v.key for v in result.foundation] == list(VALUES[:3])
    assert [v.key for v in result.dependent] == list(VALUES[3:])
    safety = result.foundation[1]
    assert (safety.passages, safety.participants, safety.documents, safety.coding_ids) == (5, 3, 3,
                                                                                           (1, 2, 3, 4, 6))
    assert safety.evidenced and safety.tier == "foundation"
    assert result.thin_foundation == ("experience-in-common", "choice-and-control")
    assert [v.evidenced for v in result.dependent] == [False, True, False]


def test_pyramid_for_one_document():
    result = pyramid(PEOPLE, CODES, document_id=3)
    assert [(v.key, v.passages, v.documents) for v in result.foundation if v.evidenced] == [("safety", 1, 1)]
    assert result.thin_foundation == ("experience-in-common", "choice-and-control")


def test_pyramid_falls_back_to_the_reports_tiers_and_skips_untiered_codes():
    untiered = [CodeInfo(c.key, c.name, c.parent_key, c.kind, None, c.colour) for c in reversed(CODES)]
    result = pyramid([coded(1, 0, 5, "choice-and-control")], untiered)
    assert [v.key for v in result.foundation] == ["choice-and-control", "safety", "experience-in-common"]
    assert result.thin_foundation == ("safety", "experience-in-common")
    other = pyramid([], [CodeInfo("hope", "Hope", kind="principle"), CodeInfo("safety", "Safe", kind="decision")])
    assert (other.foundation, other.dependent, other.thin_foundation) == ((), (), ())


# Roll-up paths and adapters

@pytest.mark.parametrize("key, parents, expected", [
    ("safety/confidentiality", {}, ("safety/confidentiality", "safety")),
    ("a/b/c", {}, ("a/b/c", "a/b", "a")),
    ("custom", {"custom": "safety"}, ("custom", "safety")),
    ("loop", {"loop": "round", "round": "loop"}, ("loop", "round")),
    ("safety", {"safety": None}, ("safety",)),
])
def test_lineage(key, parents, expected):
    assert lineage(key, parents) == expected


def test_the_adapter_reads_code_rows():
    assert code_infos(CODES) == CODES
