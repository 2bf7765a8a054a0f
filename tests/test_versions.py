"""Codebook versions: merge two codes and split one in a draft, publish, and every old coding is either mapped to
the merged code or queued in the recode pass, with its code as of the old version kept; the version's diff names
each change and its reason; refusals say why and store nothing."""

import html
import io
import re

import pytest
from docx import Document as WordDocument
from sqlmodel import func, select

from coding import erasure, store
from coding.db import session_for
from coding.demo import seed_demo
from coding.models import CodebookChange, CodebookVersion, Coding, CodingAsOf, RecodeMark
from coding.team import accounts, agreement_report
from tests.test_routes_team import PASSWORD, bearer, signed_in

MERGED = ["safety/confidentiality", "safety/ground-rules"]
SPLIT = "human-connection/friendship"


@pytest.fixture
def demo(team_app):
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        coder = accounts.create_user(session, name="coder", password=PASSWORD)
        accounts.create_user(session, name="stranger", password=PASSWORD)
        project = seed_demo(session, user=lead)
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
        return {"project": project.id}


def _codings(app, project_id: int) -> dict[int, tuple[str, bool]]:
    """Every coding of the project: its code's key and whether it was removed."""
    with session_for(app.state.engine) as session:
        keys = {c.id: c.key for c in store.project_codes(session, project_id=project_id)}
        return {c.id: (keys[c.code_id], c.removed) for c in session.exec(select(Coding))}


def _stage(client, pid: int, **form):
    return client.post(f"/projects/{pid}/versions/changes", data=form)


def test_a_merge_and_a_split_published_map_or_queue_every_old_coding_and_the_diff_names_each_with_its_reason(
        team_app, demo):
    pid = demo["project"]
    lead = signed_in(team_app, "lead")
    before = _codings(team_app, pid)
    assert _stage(lead, pid, kind="merge", codes=MERGED, name="Confidentiality and ground rules",
                  reason="Peers spoke of the two in the same breath").status_code == 200
    assert _stage(lead, pid, kind="split", code=SPLIT, names="Friendship in person\nFriendship online",
                  reason="Online friendships were described differently").status_code == 200
    draft = html.unescape(lead.get(f"/projects/{pid}/versions").text)
    assert "Draft of version 2" in draft and "Peers spoke of the two in the same breath" in draft
    assert _codings(team_app, pid) == before  # staged, nothing changed yet
    assert lead.post(f"/projects/{pid}/versions/publish").status_code == 200
    after = _codings(team_app, pid)
    with session_for(team_app.state.engine) as session:
        codes = {c.key: c for c in store.project_codes(session, project_id=pid)}
        kept = {row.coding_id: row.code_id for row in session.exec(select(CodingAsOf))}
        keys = {c.id: c.key for c in codes.values()}
        project = store.get_project(session, project_id=pid)
        assert project.framework_version == "2"
    merged_key = next(k for k, c in codes.items() if c.name == "Confidentiality and ground rules")
    assert all(codes[k].retired for k in MERGED) and not codes[SPLIT].retired
    assert {"Friendship in person", "Friendship online"} <= {c.name for c in codes.values()}
    for coding_id, (key, removed) in before.items():
        if removed:
            continue
        assert keys[kept[coding_id]] == key  # its code as of version 1 is kept
        if key in MERGED:
            assert after[coding_id][0] == merged_key or after[coding_id][1]  # mapped (or a double, removed)
        elif key == SPLIT:
            assert after[coding_id] == (SPLIT, False)  # queued for the recode pass
        else:
            assert after[coding_id] == (key, False)
    assert len(after) == len(before)  # no coding row is ever deleted
    page = re.sub(r"<[^>]+>", "", html.unescape(lead.get(f"/projects/{pid}/versions").text))
    assert "Merged Confidentiality and Ground rules into a new code, Confidentiality and ground rules (lead): " \
           "Peers spoke of the two in the same breath" in page
    assert "Split Friendship in peer support into Friendship in person, Friendship online (lead): " \
           "Online friendships were described differently" in page
    friends = [c for c, (k, removed) in before.items() if k == SPLIT and not removed]
    assert f"0 of {len(friends)} codings of split codes" in page
    activity = html.unescape(lead.get(f"/projects/{pid}/activity").text)
    assert "published codebook version 2 (2 changes)" in activity


def test_the_recode_pass_counts_what_coders_have_revisited(team_app, demo):
    pid = demo["project"]
    lead = signed_in(team_app, "lead")
    _stage(lead, pid, kind="split", code=SPLIT, names="In person\nOnline", reason="two kinds")
    lead.post(f"/projects/{pid}/versions/publish")
    with session_for(team_app.state.engine) as session:
        codes = {c.key: c for c in store.project_codes(session, project_id=pid)}
        queued = [c for c in session.exec(select(Coding).where(Coding.code_id == codes[SPLIT].id))]
        online = next(c for c in codes.values() if c.name == "Online")
        store.recode_coding(session, coding=queued[0], user=store.get_user(session, user_id=queued[0].created_by),
                            code=online)
    page = html.unescape(lead.get(f"/projects/{pid}/versions").text)
    assert f"1 of {len(queued)} codings of split codes" in page and f"{len(queued) - 1} left" in page
    assert "Demo coder 1 to revisit" in page  # per transcript, each coder's share


@pytest.mark.parametrize("form, says", [
    ({"kind": "merge", "codes": MERGED, "name": "X", "reason": "  "}, "say why"),
    ({"kind": "merge", "codes": ["safety/confidentiality"], "name": "X", "reason": "r"}, "two or more codes"),
    ({"kind": "merge", "codes": ["safety", "choice-and-control"], "name": "X", "reason": "r"}, "has sub-codes"),
    ({"kind": "merge", "codes": MERGED, "into": "safety", "reason": "r"}, "one of the merged codes"),
    ({"kind": "split", "code": SPLIT, "names": "Only one", "reason": "r"}, "two or more new codes"),
    ({"kind": "split", "code": SPLIT, "names": "Same\nSame", "reason": "r"}, "two or more new codes"),
    ({"kind": "rename", "code": "no/such", "name": "X", "reason": "r"}, "has no code"),
    ({"kind": "recolour", "code": SPLIT, "reason": "r"}, "a change is one of"),
])
def test_a_refused_change_says_why_and_stages_nothing(team_app, demo, form, says):
    lead = signed_in(team_app, "lead")
    answer = _stage(lead, demo["project"], **form)
    assert answer.status_code in (404, 422) and says in html.unescape(answer.text)
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(CodebookChange)).one() == 0


def test_one_code_is_changed_once_a_draft_and_an_empty_draft_is_not_published(team_app, demo):
    pid = demo["project"]
    lead = signed_in(team_app, "lead")
    assert lead.post(f"/projects/{pid}/versions/publish").status_code == 422
    _stage(lead, pid, kind="rename", code=SPLIT, name="Friends", reason="shorter")
    twice = _stage(lead, pid, kind="split", code=SPLIT, names="A\nB", reason="r")
    assert twice.status_code == 422 and "already changed in this draft" in html.unescape(twice.text)
    with session_for(team_app.state.engine) as session:
        change = session.exec(select(CodebookChange)).one()
    lead.post(f"/projects/{pid}/versions/changes/{change.id}/delete")
    assert lead.post(f"/projects/{pid}/versions/publish").status_code == 422
    assert _codings(team_app, pid)  # the codings are untouched


def test_only_the_lead_changes_the_codebook_version(team_app, demo):
    pid = demo["project"]
    coder, stranger = signed_in(team_app, "coder"), signed_in(team_app, "stranger")
    assert coder.get(f"/projects/{pid}/versions").status_code == 403
    assert _stage(coder, pid, kind="retire", code=SPLIT, reason="r").status_code == 403
    assert stranger.post(f"/projects/{pid}/versions/publish").status_code == 404
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(CodebookVersion)).one() == 0


def test_erasure_takes_the_kept_codes_of_a_transcript_and_a_projects_versions(team_app, demo, tmp_path):
    pid = demo["project"]
    lead = signed_in(team_app, "lead")
    _stage(lead, pid, kind="retire", code=SPLIT, reason="not used")
    lead.post(f"/projects/{pid}/versions/publish")
    with session_for(team_app.state.engine) as session:
        user = accounts.find_user(session, name="lead")
        document = store.list_documents(session, project_id=pid)[0]
        erasure.erase_document(session, document=document, user=user, confirm=document.name, media=tmp_path)
        assert session.exec(select(func.count()).select_from(CodingAsOf)
                            .where(CodingAsOf.document_id == document.id)).one() == 0
        erasure.erase_project(session, project=store.get_project(session, project_id=pid), user=user,
                              confirm=store.get_project(session, project_id=pid).name, media=tmp_path)
        assert session.exec(select(func.count()).select_from(CodebookVersion)).one() == 0
        assert session.exec(select(func.count()).select_from(CodingAsOf)).one() == 0


def test_agreement_and_the_quote_report_come_as_of_the_previous_version_and_of_the_new_one(team_app, demo):
    pid = demo["project"]
    lead = signed_in(team_app, "lead")
    with session_for(team_app.state.engine) as session:
        owner = accounts.find_user(session, name="lead")
        token, _ = accounts.create_token(session, user=owner, name="t")
    api = bearer(team_app, token)
    _stage(lead, pid, kind="merge", codes=MERGED, name="Confidentiality and ground rules", reason="together")
    lead.post(f"/projects/{pid}/versions/publish")
    then = {q["id"]: q["code"] for q in api.get(f"/api/projects/{pid}/quotes", params={"as_of": 1}).json()}
    now = {q["id"]: q["code"] for q in api.get(f"/api/projects/{pid}/quotes", params={"as_of": 2}).json()}
    assert {k for k in then.values()} >= set(MERGED) and not set(MERGED) & set(now.values())
    merged = [i for i, key in then.items() if key in MERGED]
    assert all(now.get(i, "").startswith("safety/") for i in merged if i in now)
    report_then = lead.post(f"/projects/{pid}/export/report.docx", data={"as_of": "1", "code": MERGED[0]})
    report_now = lead.post(f"/projects/{pid}/export/report.docx", data={"as_of": "2", "code": MERGED[0]})

    def text(report) -> str:
        return "\n".join(p.text for p in WordDocument(io.BytesIO(report.content)).paragraphs)

    assert "as of codebook version 1" in text(report_then) and "Confidentiality" in text(report_then)
    assert "as of codebook version 2" in text(report_now)
    for number in (1, 2):
        figures = api.get(f"/api/projects/{pid}/agreement", params={"as_of": number})
        assert figures.status_code == 200, figures.text
    assert api.get(f"/api/projects/{pid}/agreement", params={"as_of": 9}).status_code == 404


def test_the_quotes_and_agreement_pages_offer_the_earlier_versions(team_app, demo):
    pid = demo["project"]
    lead = signed_in(team_app, "lead")
    assert 'id="as-of"' not in lead.get(f"/projects/{pid}/quotes").text  # one version: nothing to choose
    _stage(lead, pid, kind="merge", codes=MERGED, name="Confidentiality and ground rules", reason="together")
    lead.post(f"/projects/{pid}/versions/publish")
    quotes = lead.get(f"/projects/{pid}/quotes", params={"as_of": 1, "code": MERGED[0]}).text
    assert '<option value="1" selected>as of version 1</option>' in quotes
    assert "stays in the group" in html.unescape(quotes)  # a confidentiality quote, as it was coded then
    assert "stays in the group" not in html.unescape(lead.get(f"/projects/{pid}/quotes",
                                                              params={"code": MERGED[0]}).text)
    agreement = lead.get(f"/projects/{pid}/agreement", params={"as_of": 1})
    assert agreement.status_code == 200 and "As of codebook version 1" in agreement.text


def test_each_coder_sees_on_a_transcript_what_to_revisit_and_marks_it_once_the_split_codings_have_new_codes(
        team_app, demo):
    pid = demo["project"]
    with session_for(team_app.state.engine) as session:
        lead_user = accounts.find_user(session, name="lead")
        coder = accounts.find_user(session, name="demo-coder")
        accounts.set_password(session, user=coder, password=PASSWORD)
        accounts.set_member(session, project_id=pid, user=coder, role="coder", by=lead_user)
        documents = store.list_documents(session, project_id=pid)
        for document in documents:
            accounts.assign(session, document=document, coder=coder, by=lead_user)
        online = next(d for d in documents if d.name == "pv103-online.txt")
        group = next(d for d in documents if d.name == "pv101-group.txt")
    lead, mine = signed_in(team_app, "lead"), signed_in(team_app, "demo-coder")
    assert "Recode pass" not in mine.get(f"/documents/{group.id}").text  # one version: nothing to revisit
    _stage(lead, pid, kind="split", code=SPLIT, names="In person\nOnline", reason="two kinds")
    lead.post(f"/projects/{pid}/versions/publish")
    page = re.sub(r"\s+", " ", html.unescape(mine.get(f"/documents/{online.id}").text))
    assert "Recode pass for codebook version 2" in page and "is still on a split code" in page
    refused = mine.post(f"/documents/{online.id}/revisited")
    assert refused.status_code == 422 and "still on a split code" in refused.text
    assert mine.post(f"/documents/{group.id}/revisited").status_code == 204
    assert mine.post(f"/documents/{group.id}/revisited").status_code == 204  # twice: one mark
    assert "You marked your" in mine.get(f"/documents/{group.id}").text
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(RecodeMark)).one() == 1
    summary = re.sub(r"<[^>]+>", "", html.unescape(lead.get(f"/projects/{pid}/versions").text))
    assert "1 of 3 transcripts revisited by their coders" in " ".join(summary.split())
    assert signed_in(team_app, "lead").post(f"/documents/{group.id}/revisited").status_code == 422  # none of theirs


def test_the_analysis_figures_come_as_of_an_earlier_version(team_app, demo):
    pid = demo["project"]
    lead = signed_in(team_app, "lead")
    for name in ("Tea", "Biscuits"):
        _stage(lead, pid, kind="add", name=name, reason="talk of refreshments")
    lead.post(f"/projects/{pid}/versions/publish")
    with session_for(team_app.state.engine) as session:
        user = accounts.find_user(session, name="lead")
        document = store.list_documents(session, project_id=pid)[0]
        codes = {c.name: c for c in store.project_codes(session, project_id=pid)}
        for name, at in (("Tea", 0), ("Biscuits", 40)):
            store.add_coding(session, document=document, user=user, start=at, end=at + 20, code=codes[name])
        tea, biscuits = codes["Tea"].key, codes["Biscuits"].key
    _stage(lead, pid, kind="merge", codes=[tea, biscuits], name="Refreshments", reason="one topic")
    lead.post(f"/projects/{pid}/versions/publish")
    then = html.unescape(lead.get(f"/projects/{pid}/analysis", params={"as_of": 2}).text)
    now = html.unescape(lead.get(f"/projects/{pid}/analysis").text)
    assert '<option value="2" selected>as of version 2</option>' in then

    def presence(page: str) -> str:
        return re.sub(r"<[^>]+>", " ", page[page.index('id="presence"'):page.index('id="pyramid"')])

    assert "Tea" in presence(then) and "Biscuits" in presence(then) and "Refreshments" not in presence(then)
    assert "Refreshments" in presence(now) and "Biscuits" not in presence(now)


def test_agreement_as_of_the_previous_version_has_a_row_for_a_top_level_code_retired_since(team_app, demo):
    pid = demo["project"]
    with session_for(team_app.state.engine) as session:
        lead, coder = accounts.find_user(session, name="lead"), accounts.find_user(session, name="coder")
        document = store.list_documents(session, project_id=pid)[0]
        code = store.get_code(session, project_id=pid, key="freedom-to-be-oneself")
        end = document.text.index("\n\n", 40)
        for user in (lead, coder):
            store.add_coding(session, document=document, code=code, user=user, start=0, end=end)
            store.set_status(session, document=document, user=user, state="done")
    lead_client = signed_in(team_app, "lead")
    assert _stage(lead_client, pid, kind="retire", code="freedom-to-be-oneself", reason="folded in").status_code == 200
    assert lead_client.post(f"/projects/{pid}/versions/publish").status_code == 200
    with session_for(team_app.state.engine) as session:
        then = agreement_report.project_reliability(session, project_id=pid, as_of=1)
        now = agreement_report.project_reliability(session, project_id=pid, as_of=2)
    assert "freedom-to-be-oneself" in [row.code.key for row in then.codes]
    assert "freedom-to-be-oneself" not in [row.code.key for row in now.codes]
    row = next(r for r in then.codes if r.code.key == "freedom-to-be-oneself")
    assert row.percent == 1.0, "both coders coded it on the same turns"
