"""A findings chapter drafted from the codes: writers select quotes, the team writes a code's memo, and the Word
draft gives each value its definition, sub-theme groups (challenges last) with the selected quotes, the memo as
final reflections and the definition again, values before decisions; it obeys consent like every export."""

import io
import shutil

import pytest
from docx import Document as WordDocument
from sqlmodel import func, select

from coding import erasure, store
from coding.demo import seed_demo
from coding.db import session_for
from coding.models import ChapterPick, Event
from coding.team import accounts
from tests.test_export_reports import soffice_convert
from tests.test_routes_team import PASSWORD, signed_in


@pytest.fixture
def demo(team_app):
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        accounts.create_user(session, name="viewer", password=PASSWORD)
        project = seed_demo(session, user=lead)
        viewer = accounts.find_user(session, name="viewer")
        accounts.set_member(session, project_id=project.id, user=viewer, role="viewer", by=lead)
        codes = store.project_codes(session, project_id=project.id)
        return {"project": project.id, "codes": {c.key: c for c in codes}}


def _outline(data: bytes) -> list[tuple[str, str]]:
    """(style, text) of each paragraph of a Word file."""
    return [(p.style.name, p.text) for p in WordDocument(io.BytesIO(data)).paragraphs if p.text.strip()]


def test_the_demo_chapter_gives_each_value_its_definition_sub_themes_selected_quotes_memo_in_codebook_order(team_app,
                                                                                                           demo):
    answer = signed_in(team_app, "lead").get(f"/projects/{demo['project']}/export/chapter.docx")
    assert answer.status_code == 200
    outline = _outline(answer.content)
    sections = [text for style, text in outline if style == "Heading 1"]
    assert sections[:6] == ["Experience in common", "Safety", "Choice and control", "Two-way interactions",
                            "Human connection", "Freedom to be oneself"]
    assert sections[6:] == ["Facilitation", "Type of leadership", "Focus of peer support", "Membership type",
                            "Organisational support"]
    texts = [text for _, text in outline]
    safety = texts[texts.index("Safety"):texts.index("Choice and control")]
    code = demo["codes"]["safety"]
    assert safety[1] == code.definition and safety[-1] == code.definition and safety[-2] == "Definition of safety"
    assert safety[2].startswith("Sub-themes: ")
    start = texts.index("Safety")
    groups = [text for style, text in outline[start:start + len(safety)] if style == "Heading 2"]
    children = [c.name for c in demo["codes"].values() if c.parent_key == "safety" and not c.retired]
    challenges = [n for n in children if n.lower().startswith("challenges")]
    assert groups[:-2] == [n for n in children if n not in challenges] + challenges  # challenges last
    assert groups[-2:] == ["Final reflections", "Definition of safety"]
    reflections = safety[safety.index("Final reflections") + 1]
    assert reflections.startswith("Safety came through rules that people knew and kept")
    quotes = [text for style, text in outline if style == "Quote"]
    assert any("what's said in the group stays in the group" in q and "(PV101, group)" in q for q in quotes)
    confidentiality = safety.index(demo["codes"]["safety/confidentiality"].name)
    assert "stays in the group" in safety[confidentiality + 1]  # the quote under its sub-theme


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_demo_chapter_opens_in_libreoffice(team_app, demo, tmp_path):
    answer = signed_in(team_app, "lead").get(f"/api/projects/{demo['project']}/exports/chapter-word")
    assert answer.status_code == 200
    (tmp_path / "chapter.docx").write_bytes(answer.content)
    soffice_convert(tmp_path, "txt:Text", tmp_path / "chapter.docx")
    text = (tmp_path / "chapter.txt").read_text(encoding="utf-8-sig")
    assert text.index("Experience in common") < text.index("Safety") < text.index("Organisational support")
    assert "Final reflections" in text and "Definition of safety" in text


def test_a_writer_selects_a_quote_and_takes_it_out_again_and_the_log_says_so(team_app, demo):
    viewer = signed_in(team_app, "viewer")
    with session_for(team_app.state.engine) as session:
        before = store.picked(session, project_id=demo["project"])
        coding = next(c for c in store.project_codings(session, project_id=demo["project"]) if c.id not in before)
    page = viewer.get(f"/projects/{demo['project']}/quotes").text
    assert f'id="pick-{coding.id}"' in page and "Select for the chapter" in page
    chosen = viewer.post(f"/codings/{coding.id}/chapter", data={"chosen": "true"})
    assert chosen.status_code == 200 and "✓ Selected for the chapter" in chosen.text
    assert viewer.post(f"/codings/{coding.id}/chapter", data={"chosen": "true"}).status_code == 200  # twice: once
    with session_for(team_app.state.engine) as session:
        assert store.picked(session, project_id=demo["project"]) == before | {coding.id}
    viewer.post(f"/codings/{coding.id}/chapter", data={"chosen": "false"})
    with session_for(team_app.state.engine) as session:
        assert store.picked(session, project_id=demo["project"]) == before
        kinds = [e.kind for e in session.exec(select(Event).where(Event.kind.in_(["quote.picked", "quote.unpicked"]))
                                              .order_by(Event.id))]
    assert kinds[-2:] == ["quote.picked", "quote.unpicked"] and kinds.count("quote.picked") == len(before) + 1
    activity = signed_in(team_app, "lead").get(f"/projects/{demo['project']}/activity").text
    assert "for the chapter" in activity and "out of the chapter" in activity


def test_a_code_memo_is_written_on_the_codebook_page_and_a_too_long_one_is_refused(team_app, demo):
    lead = signed_in(team_app, "lead")
    saved = lead.post(f"/projects/{demo['project']}/codes/choice-and-control", data={"memo": "People chose when to speak."})
    assert saved.status_code == 200
    outline = [text for _, text in _outline(lead.get(f"/projects/{demo['project']}/export/chapter.docx").content)]
    choice = outline[outline.index("Choice and control"):outline.index("Two-way interactions")]
    assert choice[choice.index("Final reflections") + 1] == "People chose when to speak."
    refused = lead.post(f"/projects/{demo['project']}/codes/choice-and-control", data={"memo": "x" * 20_001})
    assert refused.status_code == 422
    with session_for(team_app.state.engine) as session:
        assert store.get_code(session, project_id=demo["project"], key="choice-and-control").memo == \
            "People chose when to speak."


def test_nobody_outside_the_project_selects_its_quotes_or_reads_its_chapter(team_app, demo):
    with session_for(team_app.state.engine) as session:
        accounts.create_user(session, name="stranger", password=PASSWORD)
        coding = store.project_codings(session, project_id=demo["project"])[0]
        picks = session.exec(select(func.count()).select_from(ChapterPick)).one()
    stranger = signed_in(team_app, "stranger")
    assert stranger.post(f"/codings/{coding.id}/chapter", data={"chosen": "true"}).status_code == 404
    assert stranger.get(f"/projects/{demo['project']}/export/chapter.docx").status_code == 404
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(ChapterPick)).one() == picks


def test_erasing_a_transcript_takes_its_selected_quotes_with_it(team_app, demo, tmp_path):
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        document = next(d for d in store.list_documents(session, project_id=demo["project"])
                        if d.name == "pv101-group.txt")
        erasure.erase_document(session, document=document, user=lead, confirm=document.name, media=tmp_path)
        assert session.exec(select(func.count()).select_from(ChapterPick)
                            .where(ChapterPick.document_id == document.id)).one() == 0
    outline = _outline(signed_in(team_app, "lead").get(f"/projects/{demo['project']}/export/chapter.docx").content)
    assert not any("(PV101" in text for _, text in outline)
