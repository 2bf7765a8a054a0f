"""REFI-QDA exchange: exports valid against the standard's schemas, stable GUIDs, a faithful round trip,
the files other tools wrote, refused archives that leave nothing behind, and the command line."""

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlmodel import select
from typer.testing import CliRunner

from coding import store
from coding.analysis import queries
from coding.codebook.frameworks import get_framework
from coding.codebook.palette import child_colour
from coding.exchange import refi_export
from coding.exchange.refi_import import import_refi
from coding.exchange.refi_plan import Skipped, normalising_map, read_qdc, read_refi
from coding.models import Code, Document, Project, User
from coding.team import accounts
from coding.text.transcripts import ImportRefused, Transcript, detect_turns, normalise
from server.cli import app
from tests.conftest import shared_file

FIRST = "Interviewer: Comment ça va ?\n\nPV44: Très bien 😊 merci. Je me sens en sécurité ici, vraiment.\n\n" \
        "Interviewer: Et le groupe ?\n\nPV44: Personne ne juge 👩‍👩‍👧 — ce qui est dit ici reste ici."
SECOND = "Interviewer: How was it?\n\nPV45: Ünïcödé aside, I felt 😊 safe. Nobody judges you there.\n\n" \
         "PV45: Naïve café talk, and then the real talk."


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_file("refi-qda", name))))


def fixture(name: str) -> bytes:
    return shared_file("fixtures", "refi", name).read_bytes()


def add_document(session, project, user, name, text, participant, attributes):
    transcript = Transcript(name, "txt", text, detect_turns(text))
    return store.import_document(session, project_id=project.id, user=user, transcript=transcript,
                                 participant=participant, attributes=attributes)


def code_at(session, project, document, user, code, passage, memo="", layer=None, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = document.text.index(passage, start + 1)
    return store.add_coding(session, document=document, code=code, user=user, start=start, end=start + len(passage),
                            memo=memo, layer=layer)


@pytest.fixture
def coded(session, user, project):
    """A project with nested codes of its own, two transcripts with emoji and accents, two coders and consensus."""
    codes = store.project_codes(session, project_id=project.id)
    top = codes[0]
    place = store.add_code(session, project_id=project.id, user=user, name="Safe place", parent_key=top.key,
                           definition="Where people feel “safe” — à l'abri.", colour="#1b9e77")
    nested = store.add_code(session, project_id=project.id, user=user, name="Rules of the room",
                            parent_key=place.key, definition="")
    judged = store.add_code(session, project_id=project.id, user=user, name="Not judged 😊")
    first = add_document(session, project, user, "pv44.txt", FIRST, "PV44", {"approach": "online", "age": "34"})
    second = add_document(session, project, user, "pv45.txt", SECOND, "PV45", {"approach": "in person"})
    alice = store.ensure_user(session, name="alice")
    bob = store.ensure_user(session, name="bob", display_name="Bob B.")
    code_at(session, project, first, alice, place, "Je me sens en sécurité ici", memo="clé — “sécurité” 😊")
    code_at(session, project, first, alice, judged, "Personne ne juge 👩‍👩‍👧")
    code_at(session, project, first, bob, nested, "ce qui est dit ici reste ici", memo="confidentiality\nsecond line")
    code_at(session, project, first, bob, top, "Très bien 😊 merci")
    code_at(session, project, second, alice, judged, "Nobody judges you there")
    code_at(session, project, second, bob, place, "I felt 😊 safe")
    code_at(session, project, second, bob, codes[1], "Naïve café talk")
    consensus = store.consensus_layer(session, project_id=project.id)
    code_at(session, project, first, user, judged, "Personne ne juge", memo="agreed", layer=consensus)
    code_at(session, project, second, user, place, "I felt 😊 safe", layer=consensus)
    removed = code_at(session, project, second, alice, top, "the real talk")
    store.remove_coding(session, coding=removed, user=alice)
    store.set_attributes(session, project_id=project.id, user=user, rows=[("PV46", {"approach": "online"})])
    project.description = "Peer support — “what keeps people coming back”."
    session.add(project)
    session.commit()
    return project


def code_path(codes: dict[str, Code], code: Code) -> tuple[str, ...]:
    path = [code.name]
    while code.parent_key:
        code = codes[code.parent_key]
        path.insert(0, code.name)
    return tuple(path)


def snapshot(session, project: Project) -> dict:
    """Everything REFI-QDA can hold about a project, in terms that do not depend on ids or keys."""
    codes = {c.key: c for c in store.project_codes(session, project_id=project.id)}
    by_id = {c.id: c for c in codes.values()}
    owners = store.layer_owners(session, project_id=project.id)
    documents = {d.id: d for d in store.list_documents(session, project_id=project.id)}
    participants = {p.id: p for p in store.list_participants(session, project_id=project.id)}
    return {
        "description": project.description,
        "codes": sorted((code_path(codes, c), c.colour, c.definition) for c in codes.values()),
        "documents": sorted((d.name, d.text, participants[d.participant_id].label if d.participant_id else None)
                            for d in documents.values()),
        "participants": sorted((p.label, tuple(sorted(p.attributes.items()))) for p in participants.values()),
        "codings": sorted((documents[c.document_id].name, c.start, c.end, code_path(codes, by_id[c.code_id]),
                           accounts.imported_from(owners[c.layer_id].name) if c.layer_id in owners else "Consensus",
                           c.memo)
                          for c in store.project_codings(session, project_id=project.id)),
    }


def qde_of(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("project.qde"))


def archive(**members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for name, content in members.items():
            zipped.writestr(name.replace("__", "/"), content)
    return out.getvalue()


def qde(sources: str, codes: str = '<Code guid="11111111-1111-1111-1111-111111111111" name="Safe" isCodable="true"/>',
        origin: str = "Test") -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="{origin}">'
            '<Users><User guid="22222222-2222-2222-2222-222222222222" name="Sam Smith"/></Users>'
            f'<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources></Project>')


def selection(start: int, end: int, code: str = "11111111-1111-1111-1111-111111111111", memo: str = "") -> str:
    description = f"<Description>{memo}</Description>" if memo else ""
    return (f'<PlainTextSelection guid="33333333-3333-3333-3333-{start:06d}{end:06d}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="22222222-2222-2222-2222-222222222222">{description}'
            f'<Coding guid="44444444-4444-4444-4444-{start:06d}{end:06d}"><CodeRef targetGUID="{code}"/></Coding>'
            '</PlainTextSelection>')


# --- export ---------------------------------------------------------------------------------------

def test_exports_validate_against_the_standard_schemas(session, coded):
    project_schema, codebook_schema = schema("Project.xsd"), schema("Codebook.xsd")
    data = refi_export.project_qdpx(session, project=coded)
    root = qde_of(data)
    assert project_schema.validate(root), project_schema.error_log
    codebook = etree.fromstring(refi_export.codebook_qdc(session, project=coded))
    assert codebook_schema.validate(codebook), codebook_schema.error_log
    for framework in ("side-by-side", "imroc"):
        assert codebook_schema.validate(etree.fromstring(refi_export.framework_qdc(get_framework(framework))))
    assert codebook.find("{*}Sets") is None


def test_project_archive_holds_sources_named_by_guid_and_coders_as_users(session, coded):
    data = refi_export.project_qdpx(session, project=coded)
    root = qde_of(data)
    ns = {"q": refi_export.PROJECT_NS}
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        for source in root.iterfind(".//q:TextSource", ns):
            path = source.get("plainTextPath")
            assert path == f"internal://{source.get('guid')}.txt"
            text = zipped.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
            assert text in (FIRST, SECOND)
            for chosen in source.iterfind("q:PlainTextSelection", ns):
                start, end = int(chosen.get("startPosition")), int(chosen.get("endPosition"))
                assert text[start:end].strip() == text[start:end] != ""
    users = {u.get("id"): u.get("guid") for u in root.iterfind("q:Users/q:User", ns)}
    assert set(users) == {"alice", "bob", "Consensus"}
    creators = [s.get("creatingUser") for s in root.iterfind(".//q:PlainTextSelection", ns)]
    assert creators.count(users["Consensus"]) == 2 and creators.count(users["alice"]) == 3
    assert len(creators) == 9, "removed codings are not exported"
    assert [c.get("name") for c in root.iterfind("q:Cases/q:Case", ns)] == ["PV44", "PV45", "PV46"]
    memo = root.find(".//q:PlainTextSelection/q:Description", ns)
    assert memo is not None and memo.text


def test_users_carry_display_names_and_keep_login_names_as_their_guid_link(session, user, coded):
    bob = store.ensure_user(session, name="bob")
    ns = {"q": refi_export.PROJECT_NS}
    before = qde_of(refi_export.project_qdpx(session, project=coded)).find("q:Users/q:User[@id='bob']", ns)
    assert (before.get("name"), before.get("guid")) == ("Bob B.", refi_export.project_guids(coded)("user:bob"))
    bob.display_name = "Robert Brown"
    session.add(bob)
    session.commit()
    data = refi_export.project_qdpx(session, project=coded)
    after = qde_of(data).find("q:Users/q:User[@id='bob']", ns)
    assert (after.get("name"), after.get("guid")) == ("Robert Brown", before.get("guid"))
    assert schema("Project.xsd").validate(qde_of(data))
    report = import_refi(session, name="Again", filename="again.qdpx", data=data, user=user)
    assert report.coders == ["alice", "bob"]
    imported = accounts.find_user(session, name=f"imported:{report.project.id}:bob")
    assert imported.display_name == "Robert Brown (imported)"


def test_memos_become_notes_that_sources_and_the_project_refer_to(session, user, coded):
    document = store.list_documents(session, project_id=coded.id)[0]
    alice = accounts.find_user(session, name="alice")
    store.write_document_memo(session, document=document, user=alice, text="Jo keeps coming up")
    store.add_project_memo(session, project_id=coded.id, user=user, title="About Jo", text="Jo runs the group")
    queries.set_pseudonym(session, project_id=coded.id, user=user, original="Jo", replacement="Sam")
    root = qde_of(refi_export.project_qdpx(session, project=coded))
    assert schema("Project.xsd").validate(root), schema("Project.xsd").error_log
    ns = {"q": refi_export.PROJECT_NS}
    notes = {n.get("name"): n for n in root.iterfind("q:Notes/q:Note", ns)}
    assert set(notes) == {f"Memo on {document.name}", "About Sam"}
    on_source = notes[f"Memo on {document.name}"]
    assert on_source.findtext("q:PlainTextContent", namespaces=ns) == "Sam keeps coming up"
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", ns)}
    assert users[on_source.get("creatingUser")] == "alice" and users[notes["About Sam"].get("creatingUser")] == user.name
    source = root.find(f"q:Sources/q:TextSource[@name='{document.name}']", ns)
    assert [r.get("targetGUID") for r in source.iterfind("q:NoteRef", ns)] == [on_source.get("guid")]
    assert [r.get("targetGUID") for r in root.iterfind("q:NoteRef", ns)] == [notes["About Sam"].get("guid")]


def test_guids_are_stable_across_exports_and_renames(session, user, coded):
    first = refi_export.project_qdpx(session, project=coded)
    code = store.project_codes(session, project_id=coded.id)[0]
    guid = refi_export.project_guids(coded)(f"code:{code.key}")
    assert etree.tostring(qde_of(first)) == etree.tostring(qde_of(refi_export.project_qdpx(session, project=coded)))
    store.update_code(session, code=code, user=user, name="Renamed")
    again = qde_of(refi_export.project_qdpx(session, project=coded))
    assert again.find(f".//{{*}}Code[@guid='{guid}']").get("name") == "Renamed"
    other = store.create_project(session, name="Other", framework=get_framework("side-by-side"), user=user)
    assert refi_export.project_guids(other)(f"code:{code.key}") != guid


def test_an_empty_codebook_cannot_be_a_qdc(session, user):
    empty = store.create_project(session, name="Empty", framework=read_refi(
        "blank.qdpx", fixture("blank-atlas-project.qdpx")).framework(), user=user)
    with pytest.raises(store.Invalid):
        refi_export.codebook_qdc(session, project=empty)
    assert schema("Project.xsd").validate(qde_of(refi_export.project_qdpx(session, project=empty)))


# --- round trip -----------------------------------------------------------------------------------

def test_round_trip_is_identical(session, user, coded):
    report = import_refi(session, name="Copy", filename="study.qdpx", user=user,
                         data=refi_export.project_qdpx(session, project=coded))
    assert snapshot(session, report.project) == snapshot(session, coded)
    assert (report.documents, report.codings, report.consensus, report.coders) == (2, 9, 2, ["alice", "bob"])
    assert report.skipped == [] and report.notes == []
    copy_of_book = read_qdc(refi_export.codebook_qdc(session, project=report.project), "book.qdc")
    assert [c.name for c in copy_of_book.codes] == [c.name for c in store.project_codes(session, project_id=coded.id)]


def _rewrite_qde(data: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(out, "w") as copy:
        for name in original.namelist():
            content = original.read(name)
            copy.writestr(name, change(content) if name == "project.qde" else content)
    return out.getvalue()


def test_positions_for_nvivo_count_utf16_units_and_round_trip_when_the_file_is_said_to_be_nvivos(session, user, coded):
    ns = {"q": refi_export.PROJECT_NS}
    standard = refi_export.project_qdpx(session, project=coded)
    nvivo = refi_export.project_qdpx(session, project=coded, positions="utf16")
    assert schema("Project.xsd").validate(qde_of(nvivo)), schema("Project.xsd").error_log
    assert "NVivo" in qde_of(nvivo).get("origin") and "NVivo" not in qde_of(standard).get("origin")

    def spans(data):
        return [(int(s.get("startPosition")), int(s.get("endPosition")))
                for s in qde_of(data).iterfind(".//q:PlainTextSelection", ns)]
    moved = [(a, b) for a, b in zip(spans(standard), spans(nvivo)) if a != b]
    assert len(moved) >= 4, "selections after an emoji count more UTF-16 units than code points"
    with zipfile.ZipFile(io.BytesIO(nvivo)) as zipped:
        for source in qde_of(nvivo).iterfind(".//q:TextSource", ns):
            text = zipped.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
            units = text.encode("utf-16-le")
            for chosen in source.iterfind("q:PlainTextSelection", ns):
                start, end = int(chosen.get("startPosition")), int(chosen.get("endPosition"))
                passage = units[2 * start:2 * end].decode("utf-16-le")
                assert passage.strip() == passage != "" and passage in text
    # the file says it is NVivo's, so our importer reads it so; an NVivo file that does not say so is told
    report = import_refi(session, name="Via NVivo", filename="nvivo.qdpx", user=user, data=nvivo)
    assert snapshot(session, report.project) == snapshot(session, coded)
    unsaid = _rewrite_qde(nvivo, lambda qde: qde.replace(refi_export.NVIVO_ORIGIN.encode(), refi_export.ORIGIN.encode()))
    assert "NVivo" not in qde_of(unsaid).get("origin")
    told = import_refi(session, name="Told", filename="nvivo.qdpx", user=user, data=unsaid, nvivo=True)
    assert snapshot(session, told.project) == snapshot(session, coded)
    untold = import_refi(session, name="Untold", filename="nvivo.qdpx", user=user, data=unsaid)
    assert snapshot(session, untold.project)["codings"] != snapshot(session, coded)["codings"]


def test_an_unknown_way_of_counting_positions_is_refused(session, coded):
    with pytest.raises(store.Invalid, match="positions must be one of codepoints, utf16"):
        refi_export.project_qdpx(session, project=coded, positions="bytes")


def test_codebook_round_trip_keeps_hierarchy_colours_and_definitions(session, user, coded):
    report = import_refi(session, name="Book", filename="book.qdc", user=user,
                         data=refi_export.codebook_qdc(session, project=coded))
    assert snapshot(session, report.project)["codes"] == snapshot(session, coded)["codes"]
    assert report.project.framework_id == "refi-import"


# --- other tools' files ---------------------------------------------------------------------------

def test_nvivo_offsets_in_utf16_over_crlf_text_land_on_the_same_words(session, user):
    data = fixture("nvivo-mac-oltas_teszt.qdpx")
    report = import_refi(session, name="NVivo", filename="oltas.qdpx", data=data, user=user)
    assert (report.codes, report.documents, report.codings) == (152, 2, 330)
    assert report.coders == ["Gergo", "test_user"] and report.skipped == []
    assert any("UTF-16" in note for note in report.notes)
    root = qde_of(data)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    documents = {d.name: d for d in store.list_documents(session, project_id=report.project.id)}
    codes = {c.key: c for c in store.project_codes(session, project_id=report.project.id)}
    imported = {}
    for coding in store.project_codings(session, project_id=report.project.id):
        imported.setdefault(coding.document_id, []).append(coding)
    after_emoji = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        for source in root.iterfind(".//q:TextSource", ns):
            raw = zipped.read(f"Sources/{source.get('guid')}.txt").decode("utf-8-sig")
            units = raw.encode("utf-16-le")
            document = documents[source.get("name")]
            assert document.text == normalise(raw)
            spans = sorted((c.start, c.end) for c in imported.get(document.id, []))
            expected = []
            for chosen in source.iterfind("q:PlainTextSelection", ns):
                start, end = int(chosen.get("startPosition")), int(chosen.get("endPosition"))
                passage = units[2 * start:2 * end].decode("utf-16-le")
                expected.append(passage.replace("\r\n", "\n"))
                after_emoji += units[:2 * start].decode("utf-16-le") != raw[:start]
            assert sorted(document.text[s:e] for s, e in spans) == sorted(expected)
    assert after_emoji > 100, "the fixture has selections after emoji, where UTF-16 and code points differ"
    severity = next(c for c in codes.values() if c.name.startswith("HBM 2. Perceived Severity"))
    risk = next(c for c in codes.values() if c.parent_key == severity.key and c.name == "Betegség kockázatai")
    analogies = next(c for c in codes.values() if c.parent_key == risk.key and c.name == "relativizálás, analógiák")
    assert analogies.definition == "csak egy nátha"
    gergo = session.exec(select(User).where(User.name == f"imported:{report.project.id}:Gergo")).one()
    assert gergo.password_hash is None and gergo.display_name == "Gergo (imported)"


def test_atlas_projects_bring_nested_codes_or_nothing_at_all(session, user):
    report = import_refi(session, name="Atlas", filename="target.qdpx", data=fixture("atlasti23-target.qdpx"),
                         user=user)
    codes = store.project_codes(session, project_id=report.project.id)
    assert [(c.name, c.parent_key) for c in codes] == [
        ("Commits", None), ("2022-05-10T02:05:59Z 19e4dce", "commits"), ("2022-02-11T10:39:25Z cdbfd92", "commits")]
    blank = import_refi(session, name="Blank", filename="blank.qdpx", data=fixture("blank-atlas-project.qdpx"),
                        user=user)
    assert (blank.codes, blank.documents, blank.codings, blank.skipped) == (0, 0, 0, [])


@pytest.mark.parametrize("name, expected", [
    ("REFI-QDA-1-5.qdc", [("Topics", None, "#8dd3c7"), ("Economy", None, "#ffff00"), ("Health care", None, "#33cc33"),
                          ("Values", None, "#80b1d3"), ("Conservatives", None, "#ff0000"),
                          ("Liberals", None, "#0000ff")]),
    ("portableQDA_Atlasti.qdc", [("code2", None, "#8dd3c7"), ("code1", None, "#bebada"),
                                 ("code1.1", "code1", child_colour("#bebada")), ("code3", None, "#fb8072"),
                                 ("code:3.1", "code3", child_colour("#fb8072"))]),
    ("portableQDA_test_compare_Diff_destAtlas.qdc", [("testCodeCommon", None, "#000000"),
                                                     ("testCode NEw-compareQDC(Sun Mar  7 12:35:30 2021)", None,
                                                      "#000000")]),
])
def test_codebooks_of_other_tools_and_namespaces(session, user, name, expected):
    report = import_refi(session, name=name, filename=name, data=fixture(name), user=user)
    codes = store.project_codes(session, project_id=report.project.id)
    names = {c.key: c.name for c in codes}
    assert [(c.name, names.get(c.parent_key), c.colour) for c in codes] == expected
    if name == "REFI-QDA-1-5.qdc":
        assert codes[1].definition == "Anything about jobs or taxes or business"
        assert schema("Codebook.xsd").validate(etree.fromstring(refi_export.codebook_qdc(session,
                                                                                       project=report.project)))
    if name.startswith("portableQDA"):
        assert [s.reason for s in report.skipped] == ["Peerframe has no sets of codes"]


def test_renamed_qde_folder_case_bom_crlf_and_utf16_offsets(session, user):
    raw = "\ufeffA 😊 b\r\nsafe place\r\n"
    sources = ('<TextSource guid="55555555-5555-5555-5555-555555555555" name="nv" '
               'plainTextPath="internal://55555555-5555-5555-5555-555555555555.TXT" '
               f'richTextPath="internal://55555555-5555-5555-5555-555555555555.docx">{selection(8, 12, memo="m")}'
               '</TextSource>')
    data = archive(**{"Study.qde": qde(sources, origin="NVivo for Mac 12.7"),
                      "Sources__55555555-5555-5555-5555-555555555555.txt": raw.encode("utf-8"),
                      "Sources__55555555-5555-5555-5555-555555555555.docx": b"PK not really"})
    report = import_refi(session, name="Tolerant", filename="t.qdpx", data=data, user=user)
    coding = store.project_codings(session, project_id=report.project.id)[0]
    document = store.get_document(session, document_id=coding.document_id)
    assert document.text == "A 😊 b\nsafe place"
    assert (document.text[coding.start:coding.end], coding.memo) == ("safe", "m")
    assert report.coders == ["Sam-Smith"]
    sam = accounts.find_user(session, name=f"imported:{report.project.id}:Sam-Smith")
    assert sam.display_name == "Sam Smith (imported)"


def test_inline_text_missing_codes_pictures_and_bad_spans_are_reported(session, user):
    text = "Ünï 😊 safe here.   \n"
    sources = (f'<TextSource guid="66666666-6666-6666-6666-666666666666" name="inline">'
               f'<PlainTextContent>{text}</PlainTextContent>{selection(6, 10)}{selection(2, 90)}'
               f'{selection(10, 11)}{selection(0, 3, code="99999999-9999-9999-9999-999999999999")}</TextSource>'
               '<PictureSource guid="77777777-7777-7777-7777-777777777777" name="photo" path="internal://p.jpg">'
               '<PictureSelection guid="88888888-8888-8888-8888-888888888888" firstX="0" firstY="0" secondX="1" '
               'secondY="1"><Coding guid="88888888-8888-8888-8888-888888888889"><CodeRef '
               'targetGUID="11111111-1111-1111-1111-111111111111"/></Coding></PictureSelection></PictureSource>')
    report = import_refi(session, name="Inline", filename="i.qdpx", data=archive(**{"project.qde": qde(sources)}),
                         user=user)
    [coding] = store.project_codings(session, project_id=report.project.id)
    document = store.get_document(session, document_id=coding.document_id)
    assert document.text[coding.start:coding.end] == "safe"
    reasons = [str(s) for s in report.skipped]
    assert reasons == [
        "selection 2–90 in 'inline': it is empty or outside the text (0–20)",
        "selection 10–11 in 'inline': it covers only white space",
        "selection 0–3 in 'inline': it refers to a code that is not in the codebook "
        "(99999999-9999-9999-9999-999999999999)",
        "PictureSource 'photo': pictures cannot be coded in Peerframe (1 coding left out)",
    ]


def test_notes_on_codings_become_memos_and_other_notes_are_reported(session, user):
    chosen = selection(0, 4, memo="first thought").replace(
        '"/></Coding>', '"/><NoteRef targetGUID="aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"/></Coding>')
    sources = ('<TextSource guid="66666666-6666-6666-6666-666666666666" name="t">'
               f'<PlainTextContent>Safe here.</PlainTextContent>{chosen}</TextSource>')
    notes = ('<Notes><Note guid="aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" name="n"><PlainTextContent>second thought'
             '</PlainTextContent></Note><Note guid="bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb" name="project memo">'
             '<PlainTextContent>about the project</PlainTextContent></Note></Notes>')
    report = import_refi(session, name="Notes", filename="n.qdpx", user=user,
                         data=archive(**{"project.qde": qde(sources).replace("</Sources>", "</Sources>" + notes)}))
    [coding] = store.project_codings(session, project_id=report.project.id)
    assert coding.memo == "first thought\n\nsecond thought"
    assert [str(s) for s in report.skipped] == ["1 note: only notes on coded selections are imported (as memos)"]


def test_normalising_map_follows_normalise():
    for raw in ("\ufeffa\r\nb\rc\n", "cafe\u0301 ok\r\n\r\n  ", "plain", "e\u0301\u0301x\r\ny😊", ""):
        text, offsets = normalising_map(raw)
        mapping = offsets.tolist()
        assert text == normalise(raw)
        assert len(mapping) == len(raw) + 1 and mapping == sorted(mapping) and mapping[-1] == len(text)
    for raw, text, mapping in (("\ufeffa\r\nb😊\rc", "a\nb😊\nc", [0, 0, 1, 1, 2, 3, 4, 5, 6]),
                               ("cafe\u0301!  ", "café!", [0, 1, 2, 3, 4, 4, 5, 5, 5])):
        assert (normalising_map(raw)[0], normalising_map(raw)[1].tolist()) == (text, mapping)


# --- refusals -------------------------------------------------------------------------------------

MISSING_SOURCE = ('<TextSource guid="55555555-5555-5555-5555-555555555555" name="gone" '
                  'plainTextPath="internal://55555555-5555-5555-5555-555555555555.txt">'
                  f'{selection(0, 4)}{selection(6, 12)}</TextSource>')
PRESENT_SOURCE = ('<TextSource guid="66666666-6666-6666-6666-666666666666" name="here" '
                  f'plainTextPath="internal://66666666-6666-6666-6666-666666666666.txt">{selection(0, 4)}</TextSource>')


def test_a_source_missing_from_the_archive_is_reported_and_the_rest_imported(session, user):
    data = archive(**{"project.qde": qde(MISSING_SOURCE + PRESENT_SOURCE),
                      "sources__66666666-6666-6666-6666-666666666666.txt": "Safe here, really."})
    report = import_refi(session, name="Partly", filename="partly.qdpx", data=data, user=user)
    assert [d.name for d in store.list_documents(session, project_id=report.project.id)] == ["here"]
    assert [(c.start, c.end) for c in store.project_codings(session, project_id=report.project.id)] == [(0, 4)]
    assert [str(m) for m in report.missing] == [
        "source 'gone' is not in the archive (internal://55555555-5555-5555-5555-555555555555.txt); 2 codings "
        "could not be placed: Safe at 0–4, Safe at 6–12"]


def test_the_atlas_ti_8_project_without_sources_brings_its_codebook_and_names_what_is_missing(session, user):
    report = import_refi(session, name="Atlas 8", filename="atlas8.qdpx",
                         data=fixture("atlasti8.4-mac_standard-project_NO-SOURCES.qdpx"), user=user)
    assert (report.codes, report.documents, report.codings) == (14, 0, 0)
    assert len(store.project_codes(session, project_id=report.project.id)) == 14
    missing = {m.name: m.codings for m in report.missing}
    assert len(missing) == 6 and missing["Mabel.txt"] == ["bacon and eggs at 0–410", "cornflakes at 0–410",
                                                           "happiness at 0–410"]
    assert missing["1960s Coca Cola commercial - Audio.docx"] == []


@pytest.mark.parametrize("filename, data, message", [
    ("broken.qdpx", b"this is not a zip", "broken.qdpx: this is not a REFI-QDA project (.qdpx): it is not a ZIP"),
    ("noqde.qdpx", archive(**{"sources__a.txt": "text"}), "noqde.qdpx: the archive has no project.qde"),
    ("twoqde.qdpx", archive(**{"a.qde": "<Project/>", "b.qde": "<Project/>"}), "several .qde files (a.qde, b.qde)"),
    ("badxml.qdpx", archive(**{"project.qde": "<Project><Users>"}), "badxml.qdpx: project.qde: the file is not readable XML"),
    ("notrefi.qdpx", archive(**{"project.qde": "<html/>"}), "its root element is <html>, not <Project>"),
    ("book.qdc", b"<CodeBook><Codes>", "book.qdc: the file is not readable XML"),
    ("empty.qdc", b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
     "empty.qdc: the codebook has no codes"),
    ("nothing.qdc", b"", "nothing.qdc: the file is empty"),
])
def test_broken_files_are_refused_by_name_and_create_nothing(session, user, filename, data, message):
    before = (session.exec(select(Project)).all(), session.exec(select(User)).all())
    with pytest.raises(ImportRefused) as refused:
        import_refi(session, name="Broken", filename=filename, data=data, user=user)
    assert message in str(refused.value)
    assert (session.exec(select(Project)).all(), session.exec(select(User)).all()) == before


def test_a_failure_while_writing_rolls_everything_back(session, user, coded, monkeypatch):
    data = refi_export.project_qdpx(session, project=coded)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    real = store.add_coding
    monkeypatch.setattr(store, "add_coding", failing)
    users_before = len(session.exec(select(User)).all())
    with pytest.raises(RuntimeError):
        import_refi(session, name="Half", filename="x.qdpx", data=data, user=user)
    assert store.find_project(session, name="Half") is None
    assert len(session.exec(select(User)).all()) == users_before
    assert len(session.exec(select(Document)).all()) == 2
    session.add(Code(project_id=coded.id, key="still-works", name="Still works"))
    session.commit()


def test_an_existing_project_name_is_refused(session, user, project):
    with pytest.raises(store.Conflict, match="already exists"):
        import_refi(session, name=project.name, filename="b.qdc", data=fixture("REFI-QDA-1-5.qdc"), user=user)


def test_skipped_reads_plainly():
    assert str(Skipped("selection 1–2 in 'a'", "it covers only white space")) == \
        "selection 1–2 in 'a': it covers only white space"


# --- command line ---------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERFRAME_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def test_cli_exports_and_imports_refi_files(env):
    (env / "pv44.txt").write_text(FIRST, encoding="utf-8")
    assert runner.invoke(app, ["import", "--project", "Study", str(env / "pv44.txt")]).exit_code == 0
    project_file, book, framework_book = env / "study.qdpx", env / "study.qdc", env / "imroc.qdc"
    for args in (["project", "--project", "Study", "--format", "qdpx", "-o", str(project_file)],
                 ["codebook", "--project", "Study", "--format", "qdc", "-o", str(book)],
                 ["codebook", "--framework", "imroc", "--format", "qdc", "-o", str(framework_book)]):
        result = runner.invoke(app, ["export", *args])
        assert result.exit_code == 0, result.stderr
    assert schema("Project.xsd").validate(qde_of(project_file.read_bytes()))
    assert schema("Codebook.xsd").validate(etree.parse(str(framework_book)))

    result = runner.invoke(app, ["import", "--project", "Copy", str(project_file)])
    assert result.exit_code == 0, result.stderr
    assert "1 document," in result.stdout and "into project 'Copy'" in result.stdout
    again = runner.invoke(app, ["import", "--project", "Copy", str(project_file)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    result = runner.invoke(app, ["import", "--project", "Book", str(book)])
    assert result.exit_code == 0 and "0 documents" in result.stdout and "0 codings" in result.stdout

    nvivo = shared_file("fixtures", "refi", "nvivo-mac-oltas_teszt.qdpx")
    result = runner.invoke(app, ["import", "--project", "NVivo", str(nvivo)])
    assert result.exit_code == 0 and "330 codings" in result.stdout and "note: positions in" in result.stdout


def test_cli_refuses_broken_and_mixed_refi_imports(env):
    (env / "broken.qdpx").write_bytes(b"nope")
    result = runner.invoke(app, ["import", "--project", "X", str(env / "broken.qdpx")])
    assert result.exit_code == 1 and "broken.qdpx: this is not a REFI-QDA project" in result.stderr
    (env / "a.txt").write_text("PV1: hello", encoding="utf-8")
    mixed = runner.invoke(app, ["import", "--project", "X", str(env / "a.txt"), str(env / "broken.qdpx")])
    assert mixed.exit_code == 1 and "on its own" in mixed.stderr
    listed = runner.invoke(app, ["export", "codebook", "--project", "X", "--format", "qdc", "-o", str(env / "x")])
    assert listed.exit_code == 1 and "no project called 'X'" in listed.stderr
    wrong = runner.invoke(app, ["export", "project", "--project", "X", "--format", "zip", "-o", str(env / "x")])
    assert wrong.exit_code == 1 and "--format must be qdpx" in wrong.stderr


def test_cli_exports_positions_for_nvivo_and_names_sources_an_archive_lacks(env):
    (env / "pv44.txt").write_text(FIRST, encoding="utf-8")
    assert runner.invoke(app, ["import", "--project", "Study", str(env / "pv44.txt")]).exit_code == 0
    target = env / "study-nvivo.qdpx"
    result = runner.invoke(app, ["export", "project", "--project", "Study", "--positions", "utf16", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert "NVivo" in qde_of(target.read_bytes()).get("origin")
    wrong = runner.invoke(app, ["export", "project", "--project", "Study", "--positions", "bytes", "-o", str(target)])
    assert wrong.exit_code == 1 and "positions must be one of codepoints, utf16" in wrong.stderr
    told = runner.invoke(app, ["import", "--project", "Told", "--nvivo", str(target)])
    assert told.exit_code == 0 and "1 document," in told.stdout
    atlas = shared_file("fixtures", "refi", "atlasti8.4-mac_standard-project_NO-SOURCES.qdpx")
    result = runner.invoke(app, ["import", "--project", "Breakfast", str(atlas)])
    assert result.exit_code == 0 and "missing: source 'Mabel.txt' is not in the archive" in result.stdout


def test_a_big_project_is_exported_one_transcript_at_a_time(tmp_path):
    """The project file is written a transcript at a time, with each transcript's codings read as it is
    reached: memory stays flat however many codings there are (a study of 100,000 once took 430 MB more)."""
    root = str(Path(__file__).resolve().parent.parent)
    script = tmp_path / "export.py"
    script.write_text(f"""
import io, resource, sys, zipfile
from datetime import datetime
from types import SimpleNamespace
sys.path.insert(0, {root!r})
from coding.exchange import refi_export
from coding.models import Code, Project

def export(documents, per_document):
    project = Project(id=1, name="Big", framework_id="x", framework_version="1", created_at=datetime(2026, 1, 1))
    text = "Interviewer: Hello.\\nPV1: " + "words and more words " * 500
    def codings_of(document_id):
        return [SimpleNamespace(id=document_id * per_document + i, start=i, end=i + 40, code_id=1, layer_id=1,
                                created_by=1, memo="", created_at=datetime(2026, 1, 2)) for i in range(per_document)]
    data = refi_export.ProjectData(
        project=project, codes=[Code(id=1, project_id=1, key="safety", name="Safety", position=0)],
        documents=[SimpleNamespace(id=i, name=f"d{{i}}.txt", created_at=datetime(2026, 1, 1), participant_id=None)
                   for i in range(documents)], participants=[], coders=["ann"], coder_of=lambda coding: "ann",
        text_of=lambda document_id: text, codings_of=codings_of)
    out = io.BytesIO()
    refi_export.write_project(data, out)
    return zipfile.ZipFile(out).read("project.qde").count(b"<PlainTextSelection")

export(2, 10)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024 if export(400, 250) else -1,
      export(3, 7))
""")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    grew, few = map(int, done.stdout.split())
    assert few == 21
    assert 0 <= grew < 60, f"exporting 100,000 codings raised the peak memory by {grew} MB"
