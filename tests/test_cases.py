"""Hubs and peer support projects as cases above participants: a participant inherits their project's key
decisions and their hub, the values × decision matrix counts passages and participants by the decision their
project made, and each cell opens exactly the quotes it counted; every refusal stores nothing."""

import html
import io

import pytest
from docx import Document as WordDocument
from sqlmodel import func, select

from coding import erasure, store
from coding.analysis.counts import CodeInfo, Coded, Shares, shares
from coding.codebook.frameworks import FrameworkError, get_framework, parse_framework
from coding.db import session_for
from coding.models import Event, Participant, Site
from coding.team import accounts, consent
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes
from tests.test_routes_team import PASSWORD, bearer, signed_in

SAID = {
    "PV1": ["Nobody there judged me at all", "We all knew what a bad week feels like"],
    "PV2": ["It felt safe to say how I was"],
    "PV3": ["I could speak without being judged"],
}
CODED = {"Nobody there judged me at all": "safety", "We all knew what a bad week feels like": "experience-in-common",
         "It felt safe to say how I was": "safety", "I could speak without being judged": "safety"}


@pytest.fixture
def study(team_app):
    """PV1 is in the Walk and talk project (named facilitator) of the Leeds hub, PV2 in Sisters' circle (no
    facilitator, no hub), PV3 in no project; each passage is coded by the lead."""
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        coder = accounts.create_user(session, name="coder", password=PASSWORD)
        accounts.create_user(session, name="stranger", password=PASSWORD)
        project = store.create_project(session, name="Cases study", framework=get_framework("side-by-side"),
                                       user=lead)
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
        for label, said in SAID.items():
            turns = [("Interviewer", "How was it?")] + [(label, words + ".") for words in said]
            document = store.import_document(session, project_id=project.id, user=lead, participant=label,
                                             attributes={"approach": "group"},
                                             transcript=read_transcript(f"{label.lower()}.txt", txt_bytes(turns)))
            for words in said:
                start = document.text.index(words)
                store.add_coding(session, document=document, user=lead, start=start, end=start + len(words),
                                 code=store.get_code(session, project_id=project.id, key=CODED[words]))
        hub = store.save_site(session, project_id=project.id, user=lead, kind="hub", label="Leeds",
                              attributes={"delivery area": "West Yorkshire"})
        walk = store.save_site(session, project_id=project.id, user=lead, kind="project", label="Walk and talk",
                               hub_id=hub.id, attributes={"facilitation": "named facilitator", "focus": "activity"})
        circle = store.save_site(session, project_id=project.id, user=lead, kind="project", label="Sisters' circle",
                                 attributes={"facilitation": "no facilitator", "approach": "online"})
        store.place_participants(session, project_id=project.id, user=lead, labels=["PV1"], site_id=walk.id)
        store.place_participants(session, project_id=project.id, user=lead, labels=["PV2"], site_id=circle.id)
        token, _ = accounts.create_token(session, user=lead, name="t")
        return {"project": project.id, "hub": hub.id, "walk": walk.id, "circle": circle.id, "token": token}


def _api(team_app, study):
    return bearer(team_app, study["token"])


def _sites(team_app) -> list[tuple]:
    with session_for(team_app.state.engine) as session:
        return [(s.kind, s.label, s.hub_id, dict(s.attributes)) for s in session.exec(select(Site).order_by(Site.id))]


def _placed(team_app) -> dict[str, int]:
    with session_for(team_app.state.engine) as session:
        return {p.label: p.site_id for p in session.exec(select(Participant))}


def test_a_participant_inherits_hub_project_and_decisions_under_their_own_attributes(team_app, study):
    quotes = _api(team_app, study).get(f"/api/projects/{study['project']}/quotes").json()
    by_text = {q["text"]: q for q in quotes}
    first = by_text["Nobody there judged me at all"]["attributes"]
    assert first == {"approach": "group", "hub": "Leeds", "project": "Walk and talk", "delivery area": "West Yorkshire",
                     "facilitation": "named facilitator", "focus": "activity"}
    # PV2's own approach wins over the project's; PV3 has only their own
    assert by_text["It felt safe to say how I was"]["attributes"] == {
        "approach": "group", "project": "Sisters' circle", "facilitation": "no facilitator"}
    assert by_text["I could speak without being judged"]["attributes"] == {"approach": "group"}


def test_the_values_by_decision_matrix_counts_passages_and_participants_and_its_cells_open_their_quotes(team_app,
                                                                                                    study):
    client = _api(team_app, study)
    matrix = client.get(f"/api/projects/{study['project']}/matrix",
                        params={"rows": "values", "columns": "decision:facilitation"}).json()
    assert matrix["kind"] == "decision" and matrix["attribute"] == "facilitation"
    assert [r["key"] for r in matrix["rows"]] == ["experience-in-common", "safety", "choice-and-control",
                                                   "two-way-interactions", "human-connection", "freedom-to-be-oneself"]
    assert [c["label"] for c in matrix["columns"]] == ["named facilitator", "no facilitator", "online moderators",
                                                       "not recorded"]
    cells = {(c["row"], c["column"]): c for c in matrix["cells"]}
    assert (cells[("safety", "named facilitator")]["count"], cells[("safety", "named facilitator")]["participants"]) == (1, 1)
    assert cells[("safety", "no facilitator")]["count"] == 1
    assert cells[("safety", "")]["count"] == 1  # PV3, in no project
    assert cells[("experience-in-common", "named facilitator")]["count"] == 1
    assert cells[("experience-in-common", "no facilitator")]["count"] == 0
    texts = {}
    for key in [("safety", "named facilitator"), ("safety", "no facilitator"), ("experience-in-common", "named facilitator")]:
        cell = cells[key]
        opened = client.get(cell["quotes_url"]).json()
        assert sorted(q["id"] for q in opened) == sorted(cell["quotes"]), key
        texts[key] = [q["text"] for q in opened]
    assert texts[("safety", "named facilitator")] == ["Nobody there judged me at all"]
    assert texts[("safety", "no facilitator")] == ["It felt safe to say how I was"]


def test_the_analysis_page_reads_values_by_a_decision_and_a_cell_opens_its_quotes(team_app, study):
    client = signed_in(team_app, "lead")
    page = client.get(f"/projects/{study['project']}/analysis", params={"kind": "decision", "by": "facilitation"})
    assert page.status_code == 200
    assert "<h2>Core values by the projects' facilitation</h2>" in html.unescape(page.text)
    link = f"/projects/{study['project']}/quotes?code=safety&amp;attr=facilitation%3Ano+facilitator"
    assert link in page.text
    quotes = client.get(link.replace("&amp;", "&")).text
    assert "It felt safe to say how I was" in quotes and "Nobody there judged me" not in quotes
    # a participant attribute asked of this matrix falls back to the first decision rather than failing
    assert "projects' facilitation" in html.unescape(client.get(f"/projects/{study['project']}/analysis",
                                                   params={"kind": "decision", "by": "approach"}).text)
    word = client.get(f"/projects/{study['project']}/export/matrix.docx", params={"kind": "decision", "by": "focus"})
    assert word.status_code == 200
    table = WordDocument(io.BytesIO(word.content)).tables[0]
    assert [c.text for c in table.rows[0].cells][1:] == ["social", "activity", "sharing experiences", "educational",
                                                         "mixed", "not recorded"]


def test_the_cases_page_shows_hubs_projects_and_their_decisions_and_adds_and_places(team_app, study):
    client = signed_in(team_app, "lead")
    page = client.get(f"/projects/{study['project']}/cases")
    assert page.status_code == 200
    assert "Hub: Leeds" in page.text and "Walk and talk" in page.text and "named facilitator" in page.text
    added = client.post(f"/projects/{study['project']}/cases", data={
        "kind": "project", "label": "Online circle", "hub": str(study["hub"]), "decision:facilitation": "online moderators",
        "decision:organisational support": "affiliated", "attr_name": ["lead organisation", ""],
        "attr_value": ["Mind", ""]}, follow_redirects=True)
    assert added.status_code == 200 and "Saved Online circle" in added.text
    assert ("project", "Online circle", study["hub"], {"facilitation": "online moderators",
                                                       "organisational support": "affiliated",
                                                       "lead organisation": "Mind"}) in _sites(team_app)
    new_id = next(s.id for s in store.list_sites(session_for(team_app.state.engine), project_id=study["project"])
                  if s.label == "Online circle")
    placed = client.post(f"/projects/{study['project']}/cases/place",
                         data={"participant": ["PV3", "PV2"], "site": str(new_id)}, follow_redirects=True)
    assert "Moved 2 participants" in placed.text
    assert _placed(team_app) == {"PV1": study["walk"], "PV2": new_id, "PV3": new_id}
    project_page = client.get(f"/projects/{study['project']}").text
    assert 'title="from their hub or project">online moderators' in project_page


@pytest.mark.parametrize("form, status, says", [
    ({"kind": "project", "label": "Bad choice", "decision:facilitation": "a rota"}, 422, "not a choice for facilitation"),
    ({"kind": "project", "label": "Walk and talk"}, 409, "already a peer support project called"),
    ({"kind": "hub", "label": "Inner hub", "hub": "HUB"}, 422, "a hub is not inside another hub"),
    ({"kind": "project", "label": "Under a project", "hub": "WALK"}, 422, "is a project, not a hub"),
    ({"kind": "project", "label": "   "}, 422, "needs a name"),
    ({"kind": "project", "label": "x" * 121}, 422, "the limit is 120"),
    ({"kind": "project", "label": "Bell\x07name"}, 422, "control characters"),
    ({"kind": "region", "label": "North"}, 422, "a hub or a project"),
    ({"kind": "project", "label": "Named hub", "attr_name": "hub", "attr_value": "York"}, 422, "name of the case"),
    ({"kind": "project", "label": "Far hub", "hub": "999999"}, 404, "no hub or peer support project"),
    ({"kind": "project", "label": "Many", "attr_name": [f"a{i}" for i in range(51)],
      "attr_value": ["v"] * 51}, 422, "at most 50 attributes"),
])
def test_a_refused_case_says_why_and_stores_nothing(team_app, study, form, status, says):
    ids = {"HUB": str(study["hub"]), "WALK": str(study["walk"])}
    form = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in form.items()}
    before, placed = _sites(team_app), _placed(team_app)
    with session_for(team_app.state.engine) as session:
        events = session.exec(select(func.count()).select_from(Event)).one()
    answer = signed_in(team_app, "lead").post(f"/projects/{study['project']}/cases", data=form)
    assert answer.status_code == status, answer.text
    assert says in answer.text
    assert _sites(team_app) == before and _placed(team_app) == placed
    with session_for(team_app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(Event)).one() == events


def test_placing_is_all_or_none_and_a_case_with_members_is_not_removed(team_app, study):
    client = signed_in(team_app, "lead")
    before = _placed(team_app)
    refused = client.post(f"/projects/{study['project']}/cases/place",
                          data={"participant": ["PV3", "PV99"], "site": str(study["circle"])})
    assert refused.status_code == 404 and "no participant PV99" in refused.text
    assert _placed(team_app) == before
    assert client.post(f"/projects/{study['project']}/cases/place", data={"site": str(study["circle"])}).status_code == 422
    kept = client.post(f"/projects/{study['project']}/cases/{study['walk']}/remove")
    assert kept.status_code == 409 and "participants belong to" in kept.text
    hub = client.post(f"/projects/{study['project']}/cases/{study['hub']}/remove")
    assert hub.status_code == 409 and "projects belong to the hub" in hub.text
    assert len(_sites(team_app)) == 3
    # emptied, it can go, and the log keeps what it was
    client.post(f"/projects/{study['project']}/cases/place", data={"participant": "PV2", "site": ""})
    assert client.post(f"/projects/{study['project']}/cases/{study['circle']}/remove",
                       follow_redirects=False).status_code == 303
    assert [s[1] for s in _sites(team_app)] == ["Leeds", "Walk and talk"]
    with session_for(team_app.state.engine) as session:
        removed = session.exec(select(Event).where(Event.kind == "site.removed")).one()
        assert removed.payload["label"] == "Sisters' circle"
        assert removed.payload["attributes"] == {"facilitation": "no facilitator", "approach": "online"}
        placed = [e.payload for e in session.exec(select(Event).where(Event.kind == "participant.placed")
                                                  .order_by(Event.id))]
    assert placed[-1] == {"participant": "PV2", "before": "Sisters' circle", "after": None}
    activity = client.get(f"/projects/{study['project']}/activity").text
    assert "removed the peer support project Sisters&#39; circle" in activity
    assert "took PV2 out of Sisters&#39; circle" in activity


def test_only_a_lead_of_the_project_sees_or_changes_its_cases(team_app, study):
    before = _sites(team_app)
    coder, stranger = signed_in(team_app, "coder"), signed_in(team_app, "stranger")
    pid = study["project"]
    assert coder.get(f"/projects/{pid}/cases").status_code == 403
    assert coder.post(f"/projects/{pid}/cases", data={"kind": "hub", "label": "Mine"}).status_code == 403
    assert stranger.get(f"/projects/{pid}/cases").status_code == 404
    assert stranger.post(f"/projects/{pid}/cases/place", data={"participant": "PV1", "site": ""}).status_code == 404
    assert stranger.get(f"/api/projects/{pid}/cases").status_code == 404
    assert _sites(team_app) == before
    # another project's case cannot be reached through this one
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        other = store.create_project(session, name="Other", framework=get_framework("side-by-side"), user=lead)
        elsewhere = store.save_site(session, project_id=other.id, user=lead, kind="hub", label="Elsewhere").id
    lead_client = signed_in(team_app, "lead")
    assert lead_client.get(f"/projects/{pid}/cases", params={"edit": elsewhere}).status_code == 404
    assert lead_client.post(f"/projects/{pid}/cases/place", data={"participant": "PV3", "site": str(elsewhere)}
                            ).status_code == 404
    assert _placed(team_app)["PV3"] is None


def test_the_api_adds_changes_places_and_refuses_cases(team_app, study):
    client, pid = _api(team_app, study), study["project"]
    listed = client.get(f"/api/projects/{pid}/cases").json()
    assert [d["name"] for d in listed["decisions"]][:2] == ["facilitation", "leadership"]
    assert {c["name"]: c["participants"] for c in listed["cases"]} == {
        "Leeds": [], "Walk and talk": ["PV1"], "Sisters' circle": ["PV2"]}
    made = client.post(f"/api/projects/{pid}/cases", json={"kind": "project", "name": "Peer mentors",
                                                           "attributes": {"leadership positions": "paid"}})
    assert made.status_code == 201 and made.json()["attributes"] == {"leadership positions": "paid"}
    changed = client.put(f"/api/projects/{pid}/cases/{made.json()['id']}", json={
        "kind": "project", "name": "Peer mentors", "hub": study["hub"], "attributes": {"leadership positions": "",
                                                                                       "leadership": "peer-led"}})
    assert changed.json()["attributes"] == {"leadership": "peer-led"} and changed.json()["hub"] == study["hub"]
    assert client.post(f"/api/projects/{pid}/cases/place",
                       json={"participants": ["PV3"], "case": made.json()["id"]}).json() == ["PV3"]
    before = _sites(team_app)
    assert client.post(f"/api/projects/{pid}/cases", json={"kind": "project", "name": "P",
                                                           "attributes": {"focus": "gardening"}}).status_code == 422
    assert client.post(f"/api/projects/{pid}/cases", json={"kind": "project", "name": "P",
                                                           "attributes": {"k" * 81: "v"}}).status_code == 422
    assert client.get(f"/api/projects/{pid}/matrix", params={"rows": "values", "columns": "decision:approach"}
                      ).status_code == 422
    assert client.delete(f"/api/projects/{pid}/cases/{study['walk']}").status_code == 409
    assert _sites(team_app) == before


def test_erasing_a_transcript_forgets_its_participant_placement_and_erasing_the_project_its_cases(team_app, study,
                                                                                                  tmp_path):
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        document = next(d for d in store.list_documents(session, project_id=study["project"]) if d.name == "pv2.txt")
        erasure.erase_document(session, document=document, user=lead, confirm="pv2.txt", media=tmp_path)
        kinds = [e.payload.get("participant") for e in session.exec(
            select(Event).where(Event.kind == "participant.placed"))]
        assert "PV2" not in kinds and "PV1" in kinds
        project = store.get_project(session, project_id=study["project"])
        erasure.erase_project(session, project=project, user=lead, confirm="Cases study",
                              media=tmp_path)
        assert session.exec(select(func.count()).select_from(Site)).one() == 0


def _framework(case_attributes) -> dict:
    return {"id": "tiny", "name": "Tiny", "version": "1", "case_attributes": case_attributes,
            "codes": [{"id": "safety", "name": "Safety", "kind": "value", "definition": "Feeling safe.",
                       "colour": "#123456"},
                      {"id": "focus", "name": "Focus", "kind": "decision", "definition": "What a project does.",
                       "colour": "#654321"}]}


@pytest.mark.parametrize("attributes, says", [
    ([{"name": "focus", "decision": "safety", "options": ["social"]}], "not a top-level decision"),
    ([{"name": "focus", "options": ["social", "social"]}], "an option is listed twice"),
    ([{"name": "focus", "options": []}], "options must be a non-empty list"),
    ([{"name": "focus", "options": ["a"]}, {"name": "focus", "options": ["b"]}], "the name is used twice"),
    ([{"name": "focus", "options": ["a"], "colour": "#fff"}], "unknown key(s) colour"),
    ({"focus": ["a"]}, "case_attributes must be a list"),
])
def test_a_framework_with_bad_case_attributes_is_refused_with_what_and_where(attributes, says):
    with pytest.raises(FrameworkError) as refused:
        parse_framework(_framework(attributes), "tiny.yaml")
    assert says in str(refused.value) and "tiny.yaml" in str(refused.value)
    assert parse_framework(_framework([{"name": "focus", "decision": "focus", "options": ["social"]}]),
                           "tiny.yaml").case_attributes[0].options == ("social",)


def test_shares_say_how_much_of_each_codes_evidence_comes_from_each_subgroup():
    codes = [CodeInfo("safety", "Safety", kind="value"), CodeInfo("safety/rules", "Ground rules", "safety", "value"),
             CodeInfo("focus", "Focus", kind="decision")]
    said = [("PV1", "group", "safety"), ("PV1", "group", "safety/rules"), ("PV2", "group", "safety"),
            ("PV3", "online", "safety"), ("PV4", None, "focus")]
    codings = [Coded(i, i, 0, 5, key, person, {"approach": value} if value else {})
               for i, (person, value, key) in enumerate(said, 1)]
    table = shares(codings, codes, "approach")
    assert table.labels == ("group", "online", "not recorded")
    assert table.people == (2, 1, 1)
    (safety, total, cells), (focus, focus_total, focus_cells) = table.rows
    assert (safety.key, total) == ("safety", 4)  # a sub-code's passage counts for its parent
    assert [(c.count, c.participants) for c in cells] == [(3, 2), (1, 1), (0, 0)]
    assert [Shares.percent(c.count, total) for c in cells] == [75, 25, 0]
    assert (focus.key, focus_total, [c.count for c in focus_cells]) == ("focus", 1, [0, 0, 1])
    assert Shares.percent(1, 0) == 0


def test_the_analysis_page_splits_each_codes_evidence_by_the_chosen_attribute(team_app, study):
    page = signed_in(team_app, "lead").get(f"/projects/{study['project']}/analysis", params={"by": "project"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Where each code's evidence comes from, by project" in text
    section = text[text.index('id="subgroups"'):text.index('id="pyramid"')]
    assert "<th scope=\"col\">Sisters' circle</th>" in section and '<th scope="col">not recorded</th>' in section
    safety = section[section.index('<th scope="row">Safety</th>'):]
    safety = safety[:safety.index("</tr>")]
    assert safety.count(">1 (33%)<") == 3 and "<td>3</td>" in safety


def test_evidence_by_data_source_marks_which_types_of_document_hold_each_code(team_app, study):
    with session_for(team_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        document = next(d for d in store.list_documents(session, project_id=study["project"]) if d.name == "pv2.txt")
        consent.set_document_consent(session, document=document, user=lead, kind="focus-group",
                                     consent=consent.Consent(how="verbal"))
    client = signed_in(team_app, "lead")
    page = html.unescape(client.get(f"/projects/{study['project']}/analysis").text)
    section = page[page.index('id="presence"'):page.index('id="pyramid"')]
    assert '<th scope="col">interview transcript</th><th scope="col">focus group</th>' in section
    word = client.get(f"/projects/{study['project']}/export/presence.docx")
    table = WordDocument(io.BytesIO(word.content)).tables[0]
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in table.rows}
    assert rows["Safety"] == ["✓", "✓"] and rows["Experience in common"] == ["✓", "✗"]
    assert rows["Choice and control"] == ["✗", "✗"]
    excel = _api(team_app, study).get(f"/api/projects/{study['project']}/exports/presence-excel")
    assert excel.status_code == 200 and excel.content[:2] == b"PK"
