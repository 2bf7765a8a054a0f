"""Batch import and participant attributes from CSV: good files land, bad ones say why and store nothing."""

import pytest

from coding import store
from coding.exchange import batch_import
from coding.text.transcripts import ImportRefused
from tests.builders import txt_bytes


def test_a_batch_keeps_the_good_files_and_reports_the_bad(session, project, user):
    results = batch_import.import_many(session, project_id=project.id, user=user, files=[
        ("a.txt", txt_bytes()), ("empty.txt", b""), ("a-copy.txt", txt_bytes())])
    assert [(r.name, r.document is not None) for r in results] == [("a.txt", True), ("empty.txt", False),
                                                                    ("a-copy.txt", False)]
    assert "already in the project" in results[2].error
    assert [d.name for d in store.list_documents(session, project_id=project.id)] == ["a.txt"]


def test_attributes_csv_sets_every_row(session, project, user):
    data = "participant,approach,region\nPV44,online,Leeds\nPV45,group,\n".encode()
    batch_import.attributes_from_csv(session, project_id=project.id, user=user, name="people.csv", data=data,
                                     create_unknown=True)
    people = {p.label: p.attributes for p in store.list_participants(session, project_id=project.id)}
    assert people == {"PV44": {"approach": "online", "region": "Leeds"}, "PV45": {"approach": "group"}}


def test_semicolon_csv_with_a_bom_and_the_tag_in_another_column(session, project, user):
    data = "\ufeffapproach;Participant\none to one;PV7\n".encode()
    batch_import.attributes_from_csv(session, project_id=project.id, user=user, name="p.csv", data=data,
                                     create_unknown=True)
    assert store.get_participant(session, project_id=project.id, label="PV7").attributes == {"approach": "one to one"}


@pytest.mark.parametrize("data, message", [
    (b"", "p.csv: the file is empty"),
    (b"participant\nPV1\n", "at least one attribute column"),
    (b"participant,approach\nPV1,online\nPV2\n", "p.csv, line 3: 1 values for 2 columns"),
    (b"participant,approach\n,online\n", "p.csv, line 2: the participant column is empty"),
    (b"participant,,x\nPV1,a,b\n", "column 2 of the header has no name"),
    (b"participant,approach\n", "a header but no participants"),
    (b"\x00\x01\x02binary", "binary"),
])
def test_bad_attribute_files_change_nothing(session, project, user, data, message):
    store.set_attributes(session, project_id=project.id, user=user, rows=[("PV1", {"approach": "group"})])
    with pytest.raises(ImportRefused, match=message):
        batch_import.attributes_from_csv(session, project_id=project.id, user=user, name="p.csv", data=data)
    assert [(p.label, p.attributes) for p in store.list_participants(session, project_id=project.id)] == [
        ("PV1", {"approach": "group"})]


def test_the_attributes_form_shows_a_refusal(client, project):
    response = client.post(f"/projects/{project.id}/attributes", files={"file": ("p.csv", b"participant\nPV1\n")},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and 'id="attributes-error"' in response.text
    assert "attribute column" in response.text
