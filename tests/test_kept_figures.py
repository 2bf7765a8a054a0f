"""The analysis page's figures are kept until the project's log moves on: a second view makes none, a change of
any kind shows at once, each reader keeps their own, and an erasure leaves nothing of the project kept."""

import pytest
from sqlmodel import select

from coding import erasure, store
from coding.analysis import page_data
from coding.db import session_for
from coding.models import Event
from tests import test_api_analysis
from tests.test_api_analysis import BEN_PASSAGE, api

world = test_api_analysis.world  # a blind project: ann and ben coded one transcript


@pytest.fixture
def made(monkeypatch):
    """The figures made from the passages (not taken from those kept), by name."""
    calls = []
    real = page_data.figure

    def counting(data, *, name, **choices):
        calls.append(name)
        return real(data, name=name, **choices)
    monkeypatch.setattr(page_data, "figure", counting)
    return calls


def _code(app, world, who, phrase, key):
    with session_for(app.state.engine) as session:
        document = store.get_document(session, document_id=world["document"])
        start = document.text.index(phrase)
        return store.add_coding(session, document=document, user=store.get_user(session, user_id=world["users"][who]),
                                start=start, end=start + len(phrase),
                                code=store.get_code(session, project_id=world["project"], key=key)).id


def test_a_second_view_makes_no_figure_and_a_change_shows_at_once(team_app, world, made):
    lead = api(team_app, world, "lead")
    page = f"/projects/{world['project']}/analysis?layer=all"
    first = lead.get(page).text
    assert sorted(made) == ["frequencies", "matrix", "presence", "pyramid", "subgroups"]
    assert lead.get(page).text == first and len(made) == 5
    assert lead.get(f"/projects/{world['project']}/figures/pyramid.svg?layer=all").status_code == 200
    assert len(made) == 5  # the file is the kept figure too
    _code(team_app, world, "ann", BEN_PASSAGE, "choice-and-control")
    changed = lead.get(page).text
    assert len(made) == 10 and changed != first
    assert "Choice and control" in changed


def test_other_choices_and_other_readers_get_their_own_figures(team_app, world, made):
    lead, ann = api(team_app, world, "lead"), api(team_app, world, "ann")
    lead.get(f"/projects/{world['project']}/analysis?layer=all")
    lead.get(f"/projects/{world['project']}/analysis?layer=all&kind=codes&mode=turn")
    assert len(made) == 10
    mine = ann.get(f"/projects/{world['project']}/figures/frequencies.svg?layer=all")
    everyone = lead.get(f"/projects/{world['project']}/figures/frequencies.svg?layer=all")
    assert len(made) == 11 and mine.text != everyone.text  # ann codes blind: only her own passages count


def test_an_erasure_keeps_nothing_of_the_project(team_app, world, made, tmp_path):
    lead = api(team_app, world, "lead")
    lead.get(f"/projects/{world['project']}/figures/pyramid.svg?layer=all")
    with session_for(team_app.state.engine) as session:
        document = store.get_document(session, document_id=world["document"])
        erasure.erase_document(session, document=document, user=store.get_user(session, user_id=world["users"]["lead"]),
                               confirm=document.name, media=tmp_path)
    assert not any(key[0] == world["project"] for key in page_data._KEPT._values)
    after = lead.get(f"/projects/{world['project']}/figures/pyramid.svg?layer=all").text
    assert len(made) == 2 and "2 passages" not in after


def test_an_unknown_figure_is_refused_before_anything_is_read(team_app, world, made):
    answer = api(team_app, world, "lead").get(f"/projects/{world['project']}/figures/nothing.svg")
    assert answer.status_code == 404 and made == []


def test_the_log_mark_moves_when_an_earlier_numbered_event_commits_late(session, user, project):
    """A transaction that took an earlier event number and commits after a later one changes the mark, though
    the newest event stays the same."""
    newest = store.log_mark(session, project_id=project.id).partition(":")[0]
    for offset in (10, 30):
        session.add(Event(id=int(newest) + offset, project_id=project.id, user_id=user.id, kind="test.late"))
    session.commit()
    before = store.log_mark(session, project_id=project.id)
    session.add(Event(id=int(newest) + 20, project_id=project.id, user_id=user.id, kind="test.late"))
    session.commit()
    after = store.log_mark(session, project_id=project.id)
    assert before.partition(":")[0] == after.partition(":")[0] == str(int(newest) + 30) and before != after
    assert len(session.exec(select(Event).where(Event.kind == "test.late")).all()) == 3
