"""Storage contracts: codebook copies, layers per coder, the event log and undo."""

import pytest
from sqlmodel import select

from coding import store
from coding.codebook.frameworks import get_framework
from coding.models import Code, Coding, Event
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes


@pytest.fixture
def document(session, project, user):
    transcript = read_transcript("pv44.txt", txt_bytes())
    return store.import_document(session, project_id=project.id, user=user, transcript=transcript,
                                 attributes={"approach": "online"})


def code(session, project, key):
    return store.get_code(session, project_id=project.id, key=key)


def test_a_project_copies_its_framework(session, project):
    codes = store.project_codes(session, project_id=project.id)
    framework = get_framework("side-by-side")
    assert [c.key for c in codes] == [c.id for c in framework.walk()]
    assert (project.framework_id, project.framework_version) == ("side-by-side", framework.version)


def test_optional_groups_can_be_left_out(session, user):
    project = store.create_project(session, name="No groups", framework=get_framework("side-by-side"), user=user,
                                   include_groups=[])
    assert not [c for c in store.project_codes(session, project_id=project.id) if c.group]


def test_project_names_are_unique(session, project, user):
    with pytest.raises(store.Conflict, match="already exists"):
        store.create_project(session, name="Test project", framework=get_framework("imroc"), user=user)


def test_codebook_edits_touch_only_the_project_and_are_logged(session, project, user):
    safety = code(session, project, "safety")
    store.update_code(session, code=safety, user=user, name="Feeling safe", definition="Our own words.")
    assert get_framework("side-by-side").codes[1].name == "Safety"
    assert code(session, project, "safety").name == "Feeling safe"
    added = store.add_code(session, project_id=project.id, user=user, name="Peer ownership", parent_key="choice-and-control")
    assert added.key == "choice-and-control/peer-ownership"
    keys = [c.key for c in store.project_codes(session, project_id=project.id)]
    assert keys.index(added.key) == keys.index("choice-and-control/limits") + 1
    store.update_code(session, code=added, user=user, retired=True)
    kinds = [e.kind for e in store.list_events(session, project_id=project.id)]
    assert kinds[:3] == ["code.updated", "code.added", "code.updated"]


def test_the_same_transcript_twice_is_refused(session, project, user, document):
    with pytest.raises(store.Conflict, match="already in the project as 'pv44.txt'"):
        store.import_document(session, project_id=project.id, user=user,
                              transcript=read_transcript("copy.txt", txt_bytes()))


def test_import_sets_participant_and_interviewer(session, document):
    person = store.document_participant(session, document=document)
    assert (person.label, person.attributes) == ("PV44", {"approach": "online"})
    assert document.interviewer_speakers == ["Interviewer"]
    assert len(store.document_turns(session, document_id=document.id)) == 4


def test_each_coder_codes_in_their_own_layer(session, project, user, document):
    other = store.ensure_user(session, name="second")
    mine = store.add_coding(session, document=document, code=code(session, project, "safety"), user=user, start=0, end=5)
    theirs = store.add_coding(session, document=document, code=code(session, project, "safety"), user=other, start=0, end=5)
    assert mine.layer_id != theirs.layer_id
    owners = store.layer_owners(session, project_id=project.id)
    assert (owners[mine.layer_id].name, owners[theirs.layer_id].name) == ("local", "second")


@pytest.mark.parametrize("start, end", [(-1, 4), (5, 5), (9, 3), (0, 10_000)])
def test_spans_outside_the_text_are_refused(session, project, user, document, start, end):
    with pytest.raises(store.Invalid, match="code points"):
        store.add_coding(session, document=document, code=code(session, project, "safety"), user=user, start=start, end=end)


def test_retired_codes_and_other_projects_codes_cannot_be_applied(session, project, user, document):
    focus = code(session, project, "focus")
    store.update_code(session, code=focus, user=user, retired=True)
    with pytest.raises(store.Invalid, match="retired"):
        store.add_coding(session, document=document, code=focus, user=user, start=0, end=4)
    other = store.create_project(session, name="Other", framework=get_framework("imroc"), user=user)
    with pytest.raises(store.Invalid, match="another project"):
        store.add_coding(session, document=document, code=code(session, other, "safe"), user=user, start=0, end=4)


def test_every_change_writes_one_event_with_its_author(session, project, user, document):
    before = len(store.list_events(session, project_id=project.id))
    coding = store.add_coding(session, document=document, code=code(session, project, "safety"), user=user,
                              start=0, end=5, memo="first")
    store.set_memo(session, coding=coding, user=user, memo="second")
    store.remove_coding(session, coding=coding, user=user)
    events = store.list_events(session, project_id=project.id)
    assert len(events) == before + 3
    assert [(e.kind, e.user_id, e.document_id) for e in events[:3]] == [
        ("coding.removed", user.id, document.id), ("coding.memo", user.id, document.id),
        ("coding.added", user.id, document.id)]
    assert events[1].payload == {"coding": coding.id, "before": "first", "after": "second"}


def test_removed_codings_stay_in_the_database(session, project, user, document):
    coding = store.add_coding(session, document=document, code=code(session, project, "safety"), user=user, start=0, end=5)
    store.remove_coding(session, coding=coding, user=user)
    assert store.document_codings(session, document_id=document.id) == []
    assert session.get(Coding, coding.id).removed is True


def test_undo_walks_back_through_the_users_own_changes(session, project, user, document):
    safety = code(session, project, "safety")
    coding = store.add_coding(session, document=document, code=safety, user=user, start=0, end=5, memo="a")
    store.set_memo(session, coding=coding, user=user, memo="b")
    store.remove_coding(session, coding=coding, user=user)

    assert store.undo_last(session, project_id=project.id, user=user).payload["kind"] == "coding.removed"
    assert session.get(Coding, coding.id).removed is False
    store.undo_last(session, project_id=project.id, user=user)
    assert session.get(Coding, coding.id).memo == "a"
    store.undo_last(session, project_id=project.id, user=user)
    assert session.get(Coding, coding.id).removed is True
    assert store.undo_last(session, project_id=project.id, user=user) is None
    log = session.exec(select(Event).where(Event.project_id == project.id, Event.kind == "undo")).all()
    assert len(log) == 3 and all(e.undoes for e in log)


def test_undo_leaves_other_coders_changes_alone(session, project, user, document):
    other = store.ensure_user(session, name="second")
    mine = store.add_coding(session, document=document, code=code(session, project, "safety"), user=user, start=0, end=5)
    theirs = store.add_coding(session, document=document, code=code(session, project, "focus"), user=other, start=0, end=5)
    store.undo_last(session, project_id=project.id, user=user)
    assert session.get(Coding, mine.id).removed is True
    assert session.get(Coding, theirs.id).removed is False


def test_undo_restores_a_renamed_code(session, project, user):
    safety = code(session, project, "safety")
    store.update_code(session, code=safety, user=user, name="Renamed")
    store.undo_last(session, project_id=project.id, user=user)
    assert session.get(Code, safety.id).name == "Safety"


def test_attributes_in_bulk_merge_and_clear(session, project, user, document):
    store.set_attributes(session, project_id=project.id, user=user,
                         rows=[("PV44", {"region": "Leeds", "approach": ""}), ("PV45", {"approach": "group"})])
    people = {p.label: p.attributes for p in store.list_participants(session, project_id=project.id)}
    assert people == {"PV44": {"region": "Leeds"}, "PV45": {"approach": "group"}}


def test_the_layer_counts_read_from_the_projects_tallies_are_the_stores(session, project, user):
    from coding.team.visibility import layer_tallies, tallies
    other = store.ensure_user(session, name="cara")
    documents = [store.import_document(session, project_id=project.id, user=user,
                                       transcript=read_transcript(f"pv{n}.txt", txt_bytes(TURNS_FOR_TALLIES[n])))
                 for n in (44, 45)]
    for document in documents:
        for who, phrase, key in ((user, "felt safe", "safety"), (user, "my own pace", "choice-and-control"),
                                 (other, "felt safe", "safety")):
            code_phrase(session, document, who, phrase, key)
    store.remove_coding(session, coding=code_phrase(session, documents[0], other, "my own pace", "safety"),
                        user=other)
    rows = tallies(session, project_id=project.id)
    layers = {layer for _, layer, _, _ in rows}
    assert len(layers) == 2
    for document in documents:
        for chosen in (None, set(), {min(layers)}, layers):
            assert (layer_tallies(rows, document_id=document.id, layers=chosen)
                    == store.layer_counts(session, document_id=document.id, layers=chosen))
    assert sorted(layer_tallies(rows, document_id=documents[0].id).values()) == [1, 2]


TURNS_FOR_TALLIES = {n: [("Interviewer", "How was it?"), (f"PV{n}", "I felt safe and went at my own pace.")]
                     for n in (44, 45)}
