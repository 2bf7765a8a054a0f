"""Framework files: the shipped ones load, and the loader says which file, code and problem."""

import json

import pytest
import yaml

from coding.codebook.frameworks import FrameworkError, available_frameworks, get_framework, load_framework_file

SIDE_BY_SIDE_TOP = [
    "experience-in-common", "safety", "choice-and-control", "two-way-interactions", "human-connection",
    "freedom-to-be-oneself", "facilitation", "leadership", "focus", "membership", "organisational-support",
]


def test_side_by_side_has_the_eleven_top_level_codes_with_definitions_and_children():
    framework = get_framework("side-by-side")
    assert [c.id for c in framework.codes] == SIDE_BY_SIDE_TOP
    for code in framework.codes:
        assert code.definition and code.children and code.citation
    tiers = {c.id: c.tier for c in framework.codes if c.kind == "value"}
    assert [k for k, v in tiers.items() if v == "foundation"] == SIDE_BY_SIDE_TOP[:3]
    assert [k for k, v in tiers.items() if v == "dependent"] == SIDE_BY_SIDE_TOP[3:6]


def test_side_by_side_options_and_optional_group():
    ids = {c.id for c in get_framework("side-by-side").walk()}
    for option in ("focus/social", "focus/activity", "focus/sharing-experiences", "focus/educational",
                   "membership/open", "membership/diagnosis", "membership/identity",
                   "membership/recovery-stage", "membership/training"):
        assert option in ids
    grouped = [c.id for c in get_framework("side-by-side").walk() if c.group == "bame-common-experience"]
    assert len(grouped) == 4


def test_imroc_has_eight_principles_and_recovery_focused_has_three_parts():
    framework = get_framework("imroc")
    assert len(framework.codes) == 8
    recovery = next(c for c in framework.codes if c.id == "recovery-focused")
    assert [c.id for c in recovery.children] == [
        "recovery-focused/hope", "recovery-focused/control", "recovery-focused/opportunities"]


FURTHER_FRAMEWORKS = {  # top-level code names in file order, each with its number of sub-codes
    "srn-values": [("Hope", 2), ("Experience", 2), ("Authenticity", 2), ("Responsibility", 4), ("Mutuality", 3),
                   ("Empowerment", 3)],
    "enrich-principles": [
        ("Safe and trusting relationships based on shared lived experience", 2), ("Mutuality and reciprocity", 2),
        ("Validation and application of experiential knowledge", 3), ("Leadership, choice and control", 3),
        ("Strengths and connections to peers and communities", 1)],
    "peer-support-charter": [
        ("Equity", 0), ("Hope", 0), ("Trust", 2), ("Respect", 0), ("Acceptance and Understanding", 0),
        ("Shared Experiences and Shared Responsibility", 2), ("Eliciting resilience, gifts and talents", 0),
        ("Ownership of one's own life and decisions", 0), ("Focusing on the outcomes that matter to the person", 0),
        ("Advocating for change", 3)],
    "side-by-side-draft-1": [
        ("Shared Lived Experience", 3), ("Mutuality", 2), ("Purpose", 3), ("Inclusive", 4), ("Empathy", 4),
        ("Equality", 3), ("Valuing experience", 2), ("Being Human", 3), ("Peer Ownership", 3), ("Feeling safe", 7),
        ("Flexibility", 5), ("Active sharing", 4), ("Support", 2)],
}


def test_the_four_further_frameworks_load_with_their_codes_and_sub_codes():
    for framework_id, expected in FURTHER_FRAMEWORKS.items():
        framework = get_framework(framework_id)
        assert [(c.name, len(c.children)) for c in framework.codes] == expected, framework_id
        for code in framework.walk():
            assert code.definition and code.citation and code.patterns, code.id
        assert all(c.profile for c in framework.codes), framework_id
    mutuality_and_reciprocity = get_framework("enrich-principles").codes[1]
    assert [c.name for c in mutuality_and_reciprocity.children] == ["Mutuality", "Reciprocity"]
    charter = get_framework("peer-support-charter")
    assert [c.kind for c in charter.codes] == ["value"] * 6 + ["theme"] * 4
    assert {c.group for c in charter.codes[6:]} == {"core-practices"}
    draft = get_framework("side-by-side-draft-1")
    assert [c.kind for c in draft.codes] == ["characteristic"] * 3 + ["value"] * 5 + ["principle"] * 5
    assert all(child.kind == parent.kind for parent in draft.codes for child in parent.children)


def test_every_shipped_framework_is_valid():
    assert {"side-by-side", "imroc"} <= set(available_frameworks())


def test_unknown_framework_names_the_available_ones():
    with pytest.raises(KeyError, match="side-by-side"):
        get_framework("nope")


def write(tmp_path, data, name="broken.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def minimal(**code):
    base = {"id": "a", "name": "A", "kind": "value", "definition": "d", "colour": "#112233"}
    base.update(code)
    return {"id": "fw", "name": "F", "version": "1", "codes": [base]}


@pytest.mark.parametrize("data, message", [
    (minimal(colour="red"), "code 'a': colour must look like"),
    (minimal(definition=""), "code 'a': 'definition' is missing"),
    (minimal(kind="feeling"), "code 'a': kind must be one of"),
    (minimal(patterns=["ok", "(bad|regex)"]), "code 'a': pattern '(bad|regex)'"),
    (minimal(children=[{"id": "b/x", "name": "X", "definition": "d"}]), "code 'b/x': id must be 'a/<slug>'"),
    (minimal(children=[{"id": "a/x", "name": "X", "definition": "d"}, {"id": "a/x", "name": "Y", "definition": "d"}]),
     "code 'a/x': the id is used twice"),
    (minimal(group="nope"), "group 'nope' is not declared"),
    (minimal(tier="top"), "tier must be foundation or dependent"),
    ({"id": "fw", "name": "F", "version": "1", "codes": []}, "'codes' must be a non-empty list"),
    ("id: [unclosed", "is not valid YAML"),
])
def test_loader_errors_name_the_file_the_code_and_the_problem(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(FrameworkError) as error:
        load_framework_file(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_children_inherit_kind_and_get_colours_of_their_own_in_the_family(tmp_path):
    children = [{"id": "a/x", "name": "X", "definition": "d"}, {"id": "a/y", "name": "Y", "definition": "d"},
                {"id": "a/z", "name": "Z", "definition": "d", "colour": "#AA0000"}]
    path = write(tmp_path, minimal(children=children), "ok.yaml")
    x, y, z = load_framework_file(path).codes[0].children
    assert (x.kind, x.parent) == ("value", "a")
    assert len({"#112233", x.colour, y.colour}) == 3
    assert z.colour == "#aa0000"  # a colour the file gives is kept


def test_as_tree_is_json_ready():
    tree = get_framework("side-by-side").as_tree()
    assert json.loads(json.dumps(tree))["codes"][0]["children"][0]["id"].startswith("experience-in-common/")
