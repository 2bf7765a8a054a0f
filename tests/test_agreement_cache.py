"""Agreement figures kept until the project changes: worked out while the page answers on a small project, by a
job on a big one (the page shows older figures, or the progress, meanwhile), never shown once a transcript they
name is erased."""

import pytest
from sqlmodel import func, select

from coding import erasure, jobs, store
from coding.db import session_for
from coding.models import AgreementFigures, Job
from coding.team import accounts, agreement_cache, agreement_report
from coding.text.transcripts import read_transcript
from server.routes.api_analysis import _agreement
from tests import test_api_analysis
from tests.builders import mark_done
from tests.test_api_analysis import ANN_PASSAGE, api
from tests.test_routes_team import signed_in

world = test_api_analysis.world  # ann and ben coded one transcript and marked it done


def _rows(app) -> list[AgreementFigures]:
    with session_for(app.state.engine) as session:
        return list(session.exec(select(AgreementFigures)))


def _words(html: str) -> str:
    return " ".join(html.split())


def _jobs(app) -> list[Job]:
    with session_for(app.state.engine) as session:
        return list(session.exec(select(Job).where(Job.kind == "agreement")))


@pytest.fixture
def counted(monkeypatch):
    """How many times agreement is worked out from the codings."""
    calls = []
    real = agreement_report.project_reliability

    def counting(*args, **kwargs):
        calls.append(kwargs.get("unit"))
        return real(*args, **kwargs)
    monkeypatch.setattr(agreement_cache, "project_reliability", counting)
    return calls


@pytest.fixture
def big(team_app, monkeypatch):
    """Every project counts as big (figures by a job), and jobs wait in the queue until `run_jobs` is called."""
    monkeypatch.setattr(agreement_cache, "INLINE_CODINGS", 0)
    team_app.state.jobs.local = team_app.state.jobs.inline = False


def run_jobs(app) -> None:
    jobs.work_through(app.state.engine, app.state.jobs.folder, until_empty=True)


def _code_more(app, world, who="ben"):
    with session_for(app.state.engine) as session:
        document = store.get_document(session, document_id=world["document"])
        user = store.get_user(session, user_id=world["users"][who])
        start = document.text.index("It is run well")
        store.add_coding(session, document=document, user=user, start=start, end=start + 14,
                         code=store.get_code(session, project_id=world["project"], key="facilitation"))


def test_kept_figures_are_what_working_them_out_gives(team_app, world):
    with session_for(team_app.state.engine) as session:
        for unit in agreement_report.UNITS:
            worked = agreement_cache.work_out(session, project_id=world["project"], unit=unit)
            kept = agreement_cache.kept(session, project_id=world["project"], unit=unit)
            assert kept.current and kept.changes_since == 0
            assert _agreement(kept.report).model_dump() == _agreement(worked).model_dump()
    assert len(_rows(team_app)) == 3  # one row per unit


def test_a_small_project_works_agreement_out_once_until_it_changes(team_app, world, counted):
    lead = signed_in(team_app, "lead")
    first = lead.get(f"/projects/{world['project']}/agreement")
    assert first.status_code == 200 and "Krippendorff's α" in first.text and "Working out agreement" not in first.text
    assert lead.get(f"/projects/{world['project']}/agreement").text == first.text
    assert counted == ["turn"]  # the second view read the kept figures
    _code_more(team_app, world)
    changed = lead.get(f"/projects/{world['project']}/agreement").text
    assert counted == ["turn", "turn"] and changed != first.text
    assert _jobs(team_app) == []  # small: nothing was left to a job


def test_a_big_project_has_a_job_work_agreement_out_and_shows_progress_meanwhile(team_app, world, big):
    lead = signed_in(team_app, "lead")
    page = lead.get(f"/projects/{world['project']}/agreement")
    assert page.status_code == 200 and "Working out agreement" in page.text
    assert "Krippendorff's α" not in page.text and 'id="agreement-working"' in page.text
    assert 'hx-select="#agreement-figures"' in page.text  # the page fills itself in
    lead.get(f"/projects/{world['project']}/agreement")
    assert len(_jobs(team_app)) == 1  # a second view while it waits starts no second job
    run_jobs(team_app)
    done = lead.get(f"/projects/{world['project']}/agreement").text
    assert "Krippendorff's α" in done and 'id="agreement-working"' not in done and "hx-select" not in done
    assert [job.status for job in _jobs(team_app)] == ["done"]


def test_after_a_change_a_big_project_shows_the_older_figures_marked_as_older(team_app, world, big):
    lead = signed_in(team_app, "lead")
    lead.get(f"/projects/{world['project']}/agreement")
    run_jobs(team_app)
    before = api(team_app, world, "lead").get(f"/api/projects/{world['project']}/agreement").json()
    _code_more(team_app, world)
    page = _words(lead.get(f"/projects/{world['project']}/agreement").text)
    assert "before the latest 1 change to the project" in page and "Krippendorff's α" in page
    assert sum(job.status == "queued" for job in _jobs(team_app)) == 1
    run_jobs(team_app)
    after = lead.get(f"/projects/{world['project']}/agreement").text
    assert "before the latest" not in after
    fresh = api(team_app, world, "lead").get(f"/api/projects/{world['project']}/agreement").json()
    assert fresh != before  # ben's new coding is counted


def test_figures_naming_an_erased_transcript_are_never_kept_or_shown(team_app, world, big, tmp_path, monkeypatch):
    lead = signed_in(team_app, "lead")
    lead.get(f"/projects/{world['project']}/agreement")
    run_jobs(team_app)
    with session_for(team_app.state.engine) as session:
        document = store.get_document(session, document_id=world["document"])
        user = store.get_user(session, user_id=world["users"]["lead"])
        second = store.import_document(session, project_id=world["project"], user=user, participant="PV45",
                                       transcript=document_copy(document))
        erasure.erase_document(session, document=document, user=user, confirm=document.name, media=tmp_path)
        assert session.exec(select(func.count()).select_from(AgreementFigures)).one() == 0
        # figures being worked out while a transcript is erased are not kept either
        real = agreement_report.project_reliability

        def erasing_midway(*args, **kwargs):
            report = real(*args, **kwargs)
            erasure.erase_document(session, document=second, user=user, confirm=second.name, media=tmp_path)
            return report
        monkeypatch.setattr(agreement_cache, "project_reliability", erasing_midway)
        agreement_cache.work_out(session, project_id=world["project"], unit="turn")
        assert agreement_cache.kept(session, project_id=world["project"], unit="turn") is None
    assert _rows(team_app) == []
    assert "pv44.txt" not in lead.get(f"/projects/{world['project']}/agreement").text


def document_copy(document):
    return read_transcript("pv45.txt", (document.text + "\nPV45: And one more thing.").encode())


def test_a_bad_unit_is_refused_and_starts_nothing(team_app, world, big):
    answer = signed_in(team_app, "lead").get(f"/projects/{world['project']}/agreement", params={"unit": "word"})
    assert answer.status_code in (400, 422) and "the unit must be one of" in answer.text
    assert _jobs(team_app) == [] and _rows(team_app) == []


def test_only_a_lead_sees_agreement_or_starts_working_it_out(team_app, world, big):
    for who in ("ann", "viewer", "outsider"):
        answer = api(team_app, world, who).get(f"/projects/{world['project']}/agreement")
        assert answer.status_code in (403, 404)
    assert _jobs(team_app) == []


def test_a_job_started_by_someone_no_longer_lead_keeps_nothing(team_app, world, big):
    signed_in(team_app, "lead").get(f"/projects/{world['project']}/agreement")
    with session_for(team_app.state.engine) as session:
        lead = store.get_user(session, user_id=world["users"]["lead"])
        lead.is_admin = False
        session.add(lead)
        accounts.set_member(session, project_id=world["project"], user=lead, role="viewer",
                            by=store.get_user(session, user_id=world["users"]["ann"]))
    run_jobs(team_app)
    job, = _jobs(team_app)
    assert job.status == "failed" and "no longer a lead" in job.message
    assert _rows(team_app) == []


def test_coders_marking_done_later_changes_the_kept_figures(team_app, world, counted):
    lead = api(team_app, world, "lead")
    lead.get(f"/api/projects/{world['project']}/agreement")
    with session_for(team_app.state.engine) as session:
        document = store.get_document(session, document_id=world["document"])
        store.set_status(session, document=document, user=store.get_user(session, user_id=world["users"]["ben"]),
                         state=store.IN_PROGRESS)
    assert lead.get(f"/api/projects/{world['project']}/agreement").json()["coders"] == []
    with session_for(team_app.state.engine) as session:
        document = store.get_document(session, document_id=world["document"])
        mark_done(session, document, store.get_user(session, user_id=world["users"]["ben"]))
    assert lead.get(f"/api/projects/{world['project']}/agreement").json()["coders"] == ["ann", "ben"]
    assert len(counted) == 3
    assert ANN_PASSAGE not in str(_rows(team_app)[0].figures)  # names and numbers, never the text
