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
