"""The analysis and export API: saved queries and quotes, matrices, pyramid, agreement, reconciliation,
pseudonyms and downloads, under the pages' own rules (roles, blind layers, 404 for non-members, 401)."""

import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from coding import store
from coding.analysis import page_data, retrieval
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Coding, Event, Pseudonym, Reconciliation, SavedQuery
from coding.team import accounts, agreement_report, visibility
from coding.team.measures import figure
from coding.text.transcripts import read_transcript
from tests.builders import mark_done, txt_bytes
from tests.test_export_reports import make_template
from tests.test_routes_team import PASSWORD, signed_in

TURNS = [("Interviewer", "How did you first hear about the group?"),
         ("PV44", "A friend told me. I felt safe there because everyone had been through something similar."),
         ("Interviewer", "What keeps you going back?"),
         ("PV44", "Nobody judges you, and what is said in the room stays in the room. It is run well by Sarah.")]
ANN_PASSAGE = "I felt safe there because"
BEN_PASSAGE = "what is said in the room stays in the room"
BEN_MEMO = "BEN-MEMO-5521"


@pytest.fixture
def world(team_app):
    """A blind project: ann and ben code one transcript (agreeing on safety in turn 2, disagreeing on
    human-connection in turn 4, only ann codes facilitation); a viewer; an outsider who leads another project."""
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        people = {n: store.ensure_user(session, name=n)  # token users: no password to hash
                  for n in ("ann", "ben", "viewer", "outsider")}
        project = store.create_project(session, name="Study X", framework=get_framework("side-by-side"), user=lead)
        store.create_project(session, name="Other", framework=get_framework("side-by-side"), user=people["outsider"])
        for name in ("ann", "ben"):
            accounts.set_member(session, project_id=project.id, user=people[name], role="coder", by=lead)
        accounts.set_member(session, project_id=project.id, user=people["viewer"], role="viewer", by=lead)
        document = store.import_document(session, project_id=project.id, user=lead, participant="PV44",
                                         attributes={"approach": "online"},
                                         transcript=read_transcript("pv44.txt", txt_bytes(TURNS)))
        for name in ("ann", "ben"):
            accounts.assign(session, document=document, coder=people[name], by=lead)

        def code(who, phrase, key, memo=""):
            start = document.text.index(phrase)
            return store.add_coding(session, document=document, user=people[who], start=start,
                                    end=start + len(phrase), memo=memo,
                                    code=store.get_code(session, project_id=project.id, key=key)).id
        ids = {"ann_safety": code("ann", ANN_PASSAGE, "safety"),
               "ann_facilitation": code("ann", "felt safe there", "facilitation"),
               "ben_safety": code("ben", "A friend told me. I felt safe", "safety"),
               "ben_connection": code("ben", BEN_PASSAGE, "human-connection", memo=BEN_MEMO)}
        mark_done(session, document, people["ann"], people["ben"])
        tokens = {n: accounts.create_token(session, user=u, name="t")[0]
                  for n, u in [("lead", lead), *people.items()]}
        return {"project": project.id, "document": document.id, "text": document.text, "tokens": tokens,
                "users": {n: u.id for n, u in [("lead", lead), *people.items()]}, **ids}


def api(app, world, who: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {world['tokens'][who]}"})


def counts(app) -> dict:
    """How many rows of each kind a refused request must leave as they were."""
    with session_for(app.state.engine) as session:
        return {model.__name__: session.exec(select(func.count()).select_from(model)).one()
                for model in (Event, SavedQuery, Reconciliation, Pseudonym, Coding)}


def routes(world) -> list[tuple[str, str, dict]]:
    p, d = world["project"], world["document"]
    return [
        ("GET", f"/api/projects/{p}/quotes", {}), ("GET", f"/api/projects/{p}/queries", {}),
        ("POST", f"/api/projects/{p}/queries", {"json": {"name": "mine"}}),
        ("GET", f"/api/projects/{p}/matrix", {}), ("GET", f"/api/projects/{p}/pyramid", {}),
        ("GET", f"/api/projects/{p}/frequencies", {}),
        ("GET", f"/api/projects/{p}/agreement", {}), ("GET", f"/api/documents/{d}/agreement", {}),
        ("GET", f"/api/documents/{d}/reconciliation", {}),
        ("POST", f"/api/documents/{d}/reconciliation/decisions",
         {"json": {"item": "turn:0:10:safety", "decision": "neither"}}),
        ("POST", f"/api/documents/{d}/reconciliation/agreed", {"json": {}}),
        ("GET", f"/api/projects/{p}/pseudonyms", {}),
        ("PUT", f"/api/projects/{p}/pseudonyms", {"json": {"original": "Sarah", "replacement": "S."}}),
        ("DELETE", f"/api/projects/{p}/pseudonyms/1", {}),
        *[("GET", f"/api/projects/{p}/exports/{f}", {}) for f in
          ("word-quotes", "excel", "csv", "report-word", "matrix-word", "matrix-excel", "codebook-word",
           "codebook-qdc", "memos-word", "refi-qdpx")],
    ]


def saved_query(app, world, who="ben", name="ben's room") -> int:
    answer = api(app, world, who).post(f"/api/projects/{world['project']}/queries",
                                       json={"name": name, "text": "room"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_anonymous_callers_get_401_and_outsiders_404_on_every_route_and_nothing_is_stored(team_app, world):
    qid = saved_query(team_app, world)
    before = counts(team_app)
    anonymous, outsider = TestClient(team_app), api(team_app, world, "outsider")
    query_routes = [("GET", f"/api/queries/{qid}", {}), ("GET", f"/api/queries/{qid}/results", {}),
                    ("DELETE", f"/api/queries/{qid}", {})]
    for method, path, extra in routes(world) + query_routes:
        assert anonymous.request(method, path, **extra).status_code == 401, path
        refused = outsider.request(method, path, **extra)
        assert refused.status_code == 404, (path, refused.status_code)
        assert "Study X" not in refused.text
    assert counts(team_app) == before


def test_coders_and_viewers_are_refused_what_their_page_refuses_them(team_app, world):
    before = counts(team_app)
    lead_only = {"agreement", "reconciliation", "pseudonyms", "refi-qdpx"}
    for who in ("ann", "viewer"):
        client = api(team_app, world, who)
        for method, path, extra in routes(world):
            if method != "GET" and "queries" in path:
                continue
            status = client.request(method, path, **extra).status_code
            wanted = 403 if any(part in path for part in lead_only) else 200
            assert status == wanted, (who, path, status)
    assert counts(team_app) == before


def test_a_saved_query_is_created_listed_read_and_its_quotes_carry_the_citation(team_app, world):
    lead = api(team_app, world, "lead")
    p = world["project"]
    made = lead.post(f"/api/projects/{p}/queries", json={"name": "Safety, all coders", "codes": ["safety"],
                                                         "layer": "all"})
    assert made.status_code == 201, made.text
    qid = made.json()["id"]
    assert made.json()["params"]["codes"] == ["safety"]
    assert [q["name"] for q in lead.get(f"/api/projects/{p}/queries").json()] == ["Safety, all coders"]
    assert lead.get(f"/api/queries/{qid}").json()["name"] == "Safety, all coders"
    results = lead.get(f"/api/queries/{qid}/results").json()
    assert {(q["coder"], q["code"], q["text"]) for q in results} == {
        ("ann", "safety", ANN_PASSAGE), ("ben", "safety", "A friend told me. I felt safe")}
    first = results[0]
    assert first["citation"] == "(PV44, online)" and first["participant"] == "PV44"
    assert first["document"] == "pv44.txt" and world["text"][first["start"]:first["end"]] == first["text"]
    assert lead.delete(f"/api/queries/{qid}").status_code == 204
    assert lead.get(f"/api/queries/{qid}").status_code == 404
    assert lead.get(f"/api/projects/{p}/queries").json() == []


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "  "}, {"name": "x", "layer": "ben"},
                                  {"name": "x", "match": "some"}, {"name": "x", "together": "page"},
                                  {"name": "x" * 201}, {"codes": ["safety"]}])
def test_a_bad_saved_query_is_refused_and_nothing_is_stored(team_app, world, body):
    before = counts(team_app)
    answer = api(team_app, world, "lead").post(f"/api/projects/{world['project']}/queries", json=body)
    assert answer.status_code == 422, answer.text
    assert counts(team_app) == before


def test_a_blind_coder_neither_reads_nor_forgets_another_coders_query_nor_takes_its_name(team_app, world):
    qid = saved_query(team_app, world)
    ann = api(team_app, world, "ann")
    assert ann.get(f"/api/projects/{world['project']}/queries").json() == []
    before = counts(team_app)
    for method in ("GET", "DELETE"):
        assert ann.request(method, f"/api/queries/{qid}").status_code == 404
    assert ann.get(f"/api/queries/{qid}/results").status_code == 404
    assert ann.get(f"/api/projects/{world['project']}/quotes?query={qid}").status_code == 404
    taken = ann.post(f"/api/projects/{world['project']}/queries", json={"name": "ben's room"})
    assert taken.status_code == 409
    assert counts(team_app) == before
    assert api(team_app, world, "lead").get(f"/api/queries/{qid}").status_code == 200


@pytest.mark.parametrize("layer", ["", "all", "consensus", "coder:{ben}"])
def test_a_blind_coder_reads_only_their_own_quotes_whatever_layer_they_ask_for(team_app, world, layer):
    layer = layer.format(ben=world["users"]["ben"])
    quotes = api(team_app, world, "ann").get(f"/api/projects/{world['project']}/quotes",
                                             params={"layer": layer} if layer else {})
    assert quotes.status_code == 200
    assert {q["id"] for q in quotes.json()} == {world["ann_safety"], world["ann_facilitation"]}
    assert BEN_MEMO not in quotes.text and BEN_PASSAGE not in quotes.text


def test_a_saved_query_of_the_lead_gives_a_blind_coder_only_their_own_quotes(team_app, world):
    qid = saved_query(team_app, world, "lead", "Everything")
    results = api(team_app, world, "ann").get(f"/api/queries/{qid}/results")
    assert results.status_code == 200 and results.json() == []  # "room" is only in ben's passage
    assert [q["id"] for q in api(team_app, world, "lead").get(f"/api/queries/{qid}/results").json()] == [
        world["ben_connection"]]


def _page_matrix(app, world, kind: str, attribute: str = "approach"):
    with session_for(app.state.engine) as session:
        data = page_data.inputs(session, project_id=world["project"], wanted=retrieval.QuoteFilter(layer="all"),
                                scope=visibility.EVERYTHING)
        return page_data.matrix(data, kind=kind, attribute=attribute)


def test_the_values_by_decisions_matrix_has_the_pages_counts_and_the_quotes_behind_each_cell(team_app, world):
    lead = api(team_app, world, "lead")
    answer = lead.get(f"/api/projects/{world['project']}/matrix", params={"layer": "all"}).json()
    table = _page_matrix(team_app, world, "values-decisions")
    assert answer["kind"] == "values-decisions"
    assert [r["key"] for r in answer["rows"]] == list(table.rows)
    assert [c["label"] for c in answer["columns"]] == list(table.column_labels)
    cell = next(c for c in answer["cells"] if (c["row"], c["column"]) == ("safety", "facilitation"))
    assert cell["count"] == 1 and set(cell["quotes"]) == {world["ann_safety"], world["ann_facilitation"],
                                                         world["ben_safety"]}
    assert {(c["row"], c["column"], c["count"]) for c in answer["cells"]} == {
        (r, c, table.cell(r, c).count) for r in table.rows for c in table.columns}
    opened = lead.get(cell["quotes_url"])
    assert opened.status_code == 200 and {q["id"] for q in opened.json()} <= set(cell["quotes"])


def test_the_code_by_attribute_matrix_counts_passages_and_participants(team_app, world):
    answer = api(team_app, world, "lead").get(f"/api/projects/{world['project']}/matrix", params={
        "rows": "codes", "columns": "attribute:approach", "layer": "all"}).json()
    assert answer["kind"] == "attribute" and [c["key"] for c in answer["columns"]] == ["online"]
    safety = next(c for c in answer["cells"] if c["row"] == "safety")
    assert (safety["count"], safety["participants"]) == (2, 1)
    assert set(safety["quotes"]) == {world["ann_safety"], world["ben_safety"]}


@pytest.mark.parametrize("params", [{"rows": "values", "columns": "codes"}, {"rows": "people"},
                                    {"rows": "codes", "columns": "attribute:"}, {"mode": "page"},
                                    {"layer": "nobody"}])
def test_a_matrix_nobody_can_draw_is_refused(team_app, world, params):
    answer = api(team_app, world, "lead").get(f"/api/projects/{world['project']}/matrix", params=params)
    assert answer.status_code == 422, answer.text


def test_a_blind_coders_matrix_pyramid_and_frequencies_count_only_their_own_codings(team_app, world):
    ann = api(team_app, world, "ann")
    p, ben = world["project"], world["users"]["ben"]
    for layer in ("all", f"coder:{ben}"):
        matrix = ann.get(f"/api/projects/{p}/matrix", params={"layer": layer}).json()
        quoted = {i for c in matrix["cells"] for i in c["quotes"]}
        assert quoted == {world["ann_safety"], world["ann_facilitation"]}
        pyramid = ann.get(f"/api/projects/{p}/pyramid", params={"layer": layer}).json()
        values = {v["key"]: v for v in pyramid["foundation"] + pyramid["dependent"]}
        assert values["safety"]["quotes"] == [world["ann_safety"]]
        assert values["human-connection"]["passages"] == 0
        frequencies = {f["key"]: f["passages"] for f in ann.get(f"/api/projects/{p}/frequencies",
                                                                params={"layer": layer}).json()}
        assert frequencies["human-connection"] == 0 and frequencies["safety"] == 1


def test_the_pyramid_shows_the_evidence_of_each_value_and_the_thin_foundation(team_app, world):
    pyramid = api(team_app, world, "lead").get(f"/api/projects/{world['project']}/pyramid",
                                               params={"layer": "all", "of": world["document"]}).json()
    values = {v["key"]: v for v in pyramid["foundation"] + pyramid["dependent"]}
    assert values["safety"]["passages"] == 2 and values["safety"]["tier"] == "foundation"
    assert values["human-connection"]["quotes"] == [world["ben_connection"]]
    assert pyramid["thin_foundation"] == ["experience-in-common", "choice-and-control"]


def test_agreement_has_the_numbers_of_the_agreement_page(team_app, world):
    answer = api(team_app, world, "lead").get(f"/api/projects/{world['project']}/agreement").json()
    with session_for(team_app.state.engine) as session:
        report = agreement_report.project_reliability(session, project_id=world["project"])
    assert answer["coders"] == ["ann", "ben"] and answer["unit"] == "turn"
    assert answer["pooled"]["alpha"] == pytest.approx(report.pooled.alpha)
    assert answer["pooled"]["mean_kappa"] == pytest.approx(report.pooled.mean_kappa)
    assert answer["pairs"][0]["kappa"] == pytest.approx(report.pairs[0].kappa)
    page = signed_in(team_app, "lead").get(f"/projects/{world['project']}/agreement").text
    assert f"Krippendorff's α = {figure(answer['pooled']['alpha'])}" in page
    codes = {c["code"]: c for c in answer["codes"]}
    assert codes["safety"]["used"] and not codes["focus"]["used"]
    assert answer["documents"] == [{"document_id": world["document"], "document": "pv44.txt",
                                    "coders": ["ann", "ben"], "disagreements": 2, "items": 3}]


def test_agreement_of_one_transcript_compares_its_done_coders_on_it_alone(team_app, world):
    lead = api(team_app, world, "lead")
    mine = lead.get(f"/api/documents/{world['document']}/agreement", params={"unit": "sentence"}).json()
    whole = lead.get(f"/api/projects/{world['project']}/agreement", params={"unit": "sentence"}).json()
    assert mine == whole  # one transcript in the project: the same figures
    assert lead.get(f"/api/documents/{world['document']}/agreement", params={"unit": "word"}).status_code == 422


def test_agreement_leaves_out_a_coder_who_is_not_done_and_says_why(team_app, world):
    with session_for(team_app.state.engine) as session:
        ben = store.get_user(session, user_id=world["users"]["ben"])
        store.set_status(session, document=store.get_document(session, document_id=world["document"]), user=ben,
                         state=store.IN_PROGRESS)
    answer = api(team_app, world, "lead").get(f"/api/documents/{world['document']}/agreement").json()
    assert answer["coders"] == [] and answer["pooled"] is None
    assert answer["left_out"][0]["coders"] == [{"user": "ben", "status": "in progress",
                                                "reason": "ben has not marked this transcript done (in progress)"}]


def _queue(app, world) -> dict:
    answer = api(app, world, "lead").get(f"/api/documents/{world['document']}/reconciliation")
    assert answer.status_code == 200
    return answer.json()


def test_the_queue_lists_each_disagreement_with_who_applied_the_code(team_app, world):
    queue = _queue(team_app, world)
    assert queue["coders"] == ["ann", "ben"]
    waiting = {(i["code"], tuple(i["applied"]), tuple(i["missing"])) for i in queue["waiting"]}
    assert waiting == {("facilitation", ("ann",), ("ben",)), ("human-connection", ("ben",), ("ann",))}
    assert [i["code"] for i in queue["agreed"]] == ["safety"]
    connection = next(i for i in queue["waiting"] if i["code"] == "human-connection")
    assert connection["applied"]["ben"][0]["text"] == BEN_PASSAGE and connection["item"].startswith("turn:")


def test_a_decision_writes_consensus_codings_and_the_same_event_as_the_page(team_app, world):
    lead = api(team_app, world, "lead")
    item = next(i for i in _queue(team_app, world)["waiting"] if i["code"] == "human-connection")
    answer = lead.post(f"/api/documents/{world['document']}/reconciliation/decisions",
                       json={"item": item["item"], "decision": "keep", "keep": "ben", "reason": "clearly connection"})
    assert answer.status_code == 201, answer.text
    decided = answer.json()
    assert decided["decision"] == "keep:ben" and decided["reason"] == "clearly connection"
    assert decided["decided_by"] == "lead" and len(decided["consensus"]) == 1
    with session_for(team_app.state.engine) as session:
        event = session.exec(select(Event).where(Event.kind == "reconcile.decided")).one()
        coding = session.get(Coding, decided["consensus"][0])
    assert event.payload["reason"] == "clearly connection" and event.payload["decision"] == "keep:ben"
    assert world["text"][coding.start:coding.end] == BEN_PASSAGE
    queue = _queue(team_app, world)
    assert [i["code"] for i in queue["waiting"]] == ["facilitation"]
    assert queue["decisions"][0]["message"].startswith("Decided Human connection")
    assert [c["text"] for c in queue["consensus"]] == [BEN_PASSAGE]


@pytest.mark.parametrize("change, status", [
    ({"decision": "keep", "keep": "ann"}, 422),   # ann did not apply it
    ({"decision": "keep"}, 422),
    ({"decision": "merge"}, 422),
    ({"decision": "adjust"}, 422),               # no span
    ({"decision": "adjust", "span_start": 5, "span_end": 99999}, 422),
    ({"item": "turn:0:1:human-connection"}, 404),  # no such unit
    ({"item": "page:0:1:safety"}, 422),
    ({"item": "human-connection"}, 422),
    ({"reason": "x" * 501}, 422),
])
def test_a_bad_decision_is_refused_and_nothing_is_stored(team_app, world, change, status):
    item = next(i for i in _queue(team_app, world)["waiting"] if i["code"] == "human-connection")
    before = counts(team_app)
    body = {"item": item["item"], "decision": "neither", **change}
    answer = api(team_app, world, "lead").post(f"/api/documents/{world['document']}/reconciliation/decisions",
                                               json=body)
    assert answer.status_code == status, answer.text
    assert counts(team_app) == before


def test_an_item_decided_twice_is_a_conflict_and_the_first_decision_stands(team_app, world):
    lead = api(team_app, world, "lead")
    item = next(i for i in _queue(team_app, world)["waiting"] if i["code"] == "facilitation")
    path = f"/api/documents/{world['document']}/reconciliation/decisions"
    assert lead.post(path, json={"item": item["item"], "decision": "neither", "reason": "no"}).status_code == 201
    before = counts(team_app)
    assert lead.post(path, json={"item": item["item"], "decision": "both"}).status_code == 409
    assert counts(team_app) == before


def test_agreed_items_are_written_to_the_consensus_layer_at_once(team_app, world):
    answer = api(team_app, world, "lead").post(f"/api/documents/{world['document']}/reconciliation/agreed",
                                               json={"unit": "turn"})
    assert answer.status_code == 200 and answer.json()["written"] == 1
    queue = _queue(team_app, world)
    assert queue["agreed"] == [] and queue["decisions"][0]["decision"] == "agreed"


def test_pseudonyms_are_listed_set_used_in_exports_and_removed(team_app, world):
    lead = api(team_app, world, "lead")
    p = world["project"]
    listed = lead.get(f"/api/projects/{p}/pseudonyms").json()
    assert "Sarah" in [c["text"] for c in listed["candidates"]]
    answer = lead.put(f"/api/projects/{p}/pseudonyms", json={"original": "Sarah", "replacement": "Facilitator A"})
    assert answer.status_code == 200
    rows = answer.json()["pseudonyms"]
    assert [(r["original"], r["replacement"], r["kind"]) for r in rows] == [("Sarah", "Facilitator A", "name")]
    assert "Sarah" not in [c["text"] for c in answer.json()["candidates"]]
    with session_for(team_app.state.engine) as session:
        ann = store.get_user(session, user_id=world["users"]["ann"])
        document = store.get_document(session, document_id=world["document"])
        start = document.text.index("run well by Sarah")
        store.add_coding(session, document=document, user=ann, start=start, end=start + 17,
                         code=store.get_code(session, project_id=p, key="facilitation"))
    quotes = lead.get(f"/api/projects/{p}/exports/csv", params={"layer": "all", "text": "run well"}).text
    assert "run well by Facilitator A" in quotes and "Sarah" not in quotes
    assert lead.delete(f"/api/projects/{p}/pseudonyms/{rows[0]['id']}").status_code == 204
    assert lead.get(f"/api/projects/{p}/pseudonyms").json()["pseudonyms"] == []
    assert lead.delete(f"/api/projects/{p}/pseudonyms/{rows[0]['id']}").status_code == 404


@pytest.mark.parametrize("body", [{"original": "", "replacement": "A"}, {"original": "Sarah", "replacement": " "},
                                  {"original": "Sarah"}, {"original": "x" * 201, "replacement": "A"}])
def test_a_bad_pseudonym_is_refused_and_nothing_is_stored(team_app, world, body):
    before = counts(team_app)
    answer = api(team_app, world, "lead").put(f"/api/projects/{world['project']}/pseudonyms", json=body)
    assert answer.status_code == 422
    assert counts(team_app) == before


PAGE_EXPORTS = [
    ("word-quotes", "", "/export/quotes.docx", "quotes.docx"),
    ("excel", "", "/export/quotes.xlsx", "quotes.xlsx"),
    ("csv", "", "/export/quotes.csv", "quotes.csv"),
    ("matrix-word", "", "/export/matrix.docx", "matrix.docx"),
    ("matrix-excel", "rows=codes&columns=attribute:approach", "/export/matrix.xlsx?kind=attribute&by=approach",
     "matrix.xlsx"),
    ("matrix-word", "rows=codes&columns=codes&mode=turn", "/export/matrix.docx?kind=codes&mode=turn", "matrix.docx"),
    ("codebook-word", "", "/export/codebook.docx", "codebook.docx"),
    ("codebook-qdc", "", "/export/codebook.qdc", "codebook.qdc"),
    ("memos-word", "", "/export/memos.docx", "memos.docx"),
    ("refi-qdpx", "", "/export/project.qdpx", ".qdpx"),
    ("sample-word", "", "/export/sample.docx", "sample.docx"),
    ("respondents-word", "", "/export/respondents.docx", "respondents.docx"),
]


def same_file(a: bytes, b: bytes) -> bool:
    """The same file: equal bytes, or for a Word or Excel archive the same members with the same bytes (the
    zip's own clock and the creation time in docProps/core.xml aside)."""
    if a == b:
        return True
    if a[:2] != b"PK" or b[:2] != b"PK":
        return False
    with zipfile.ZipFile(io.BytesIO(a)) as one, zipfile.ZipFile(io.BytesIO(b)) as other:
        if one.namelist() != other.namelist():
            return False
        clock = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
        return all(clock.sub(b"", one.read(n)) == clock.sub(b"", other.read(n)) for n in one.namelist())


@pytest.mark.parametrize("format, params, page, suffix", PAGE_EXPORTS)
@pytest.mark.parametrize("filters", ["", "code=safety&attr=approach:online&layer=all"])
def test_every_export_is_the_file_its_page_gives(team_app, world, format, params, page, suffix, filters):
    p = world["project"]
    query = "&".join(q for q in (params, filters) if q)
    ours = api(team_app, world, "lead").get(f"/api/projects/{p}/exports/{format}?{query}")
    joiner = "&" if "?" in page else "?"
    theirs = signed_in(team_app, "lead").get(f"/projects/{p}{page}{joiner + filters if filters else ''}")
    assert ours.status_code == theirs.status_code == 200, ours.text
    assert ours.headers["content-disposition"] == theirs.headers["content-disposition"]
    assert ours.headers["content-disposition"].endswith(f'{suffix}"')
    assert ours.headers["content-type"] == theirs.headers["content-type"]
    assert same_file(ours.content, theirs.content)


def test_the_report_export_takes_the_pages_options(team_app, world):
    p = world["project"]
    ours = api(team_app, world, "lead").get(f"/api/projects/{p}/exports/report-word",
                                            params={"tag": ["approach"], "show_coder": "true", "layer": "all"})
    theirs = signed_in(team_app, "lead").post(f"/projects/{p}/export/report.docx",
                                              data={"tag": "approach", "show_coder": "true", "layer": "all"})
    assert ours.status_code == theirs.status_code == 200
    assert ours.headers["content-disposition"] == theirs.headers["content-disposition"]
    assert same_file(ours.content, theirs.content)


def test_the_report_in_a_style_template_is_the_file_the_page_gives(team_app, world, tmp_path):
    data = make_template(tmp_path).read_bytes()
    p, form = world["project"], {"tag": "approach", "show_document": "true", "layer": "all"}
    ours = api(team_app, world, "lead").post(f"/api/projects/{p}/exports/report-word", data=form,
                                             files={"template": ("house.docx", data)})
    theirs = signed_in(team_app, "lead").post(f"/projects/{p}/export/report.docx", data=form,
                                              files={"template": ("house.docx", data)})
    assert ours.status_code == theirs.status_code == 200, ours.text
    assert same_file(ours.content, theirs.content) and b"Georgia" in zipfile.ZipFile(
        io.BytesIO(ours.content)).read("word/styles.xml")
    before = counts(team_app)
    refused = api(team_app, world, "lead").post(f"/api/projects/{p}/exports/report-word",
                                                files={"template": ("house.docx", b"not a Word file")})
    assert refused.status_code == 422 and "house.docx" in refused.json()["detail"]
    assert counts(team_app) == before
    assert api(team_app, world, "outsider").post(f"/api/projects/{p}/exports/report-word").status_code == 404
    assert TestClient(team_app).post(f"/api/projects/{p}/exports/report-word").status_code == 401


def readable(data: bytes) -> str:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b" ".join(archive.read(n) for n in archive.namelist() if n.endswith((".xml", ".qde", ".txt")))
    return re.sub(r"<[^>]+>", " ", data.decode("utf-8", "replace"))


@pytest.mark.parametrize("format", ["word-quotes", "excel", "csv", "report-word", "matrix-word", "matrix-excel",
                                    "codebook-word", "memos-word"])
def test_a_blind_coders_exports_hold_nothing_of_the_other_coder(team_app, world, format):
    ben = world["users"]["ben"]
    for layer in ("", "all", "consensus", f"coder:{ben}"):
        answer = api(team_app, world, "ann").get(f"/api/projects/{world['project']}/exports/{format}",
                                                 params={"layer": layer} if layer else {})
        assert answer.status_code == 200
        text = readable(answer.content)
        assert BEN_MEMO not in text and BEN_PASSAGE not in text and "A friend told me. I felt safe" not in text


@pytest.mark.parametrize("figure, params, page", [
    ("matrix", "", "matrix.svg"), ("matrix", "rows=codes&columns=attribute:approach&mode=turn&format=png",
                                   "matrix.png?kind=attribute&by=approach&mode=turn"),
    ("pyramid", "of={doc}&format=svg", "pyramid.svg?document={doc}"), ("frequencies", "format=png", "frequencies.png"),
])
@pytest.mark.parametrize("filters", ["", "code=safety&layer=all"])
def test_every_figure_is_the_picture_its_page_gives(team_app, world, figure, params, page, filters):
    p, page = world["project"], page.replace("{doc}", str(world["document"]))
    query = "&".join(q for q in (params, filters) if q).replace("{doc}", str(world["document"]))
    ours = api(team_app, world, "lead").get(f"/api/projects/{p}/figures/{figure}?{query}")
    joiner = "&" if "?" in page else "?"
    theirs = signed_in(team_app, "lead").get(f"/projects/{p}/figures/{page}{joiner + filters if filters else ''}")
    assert ours.status_code == theirs.status_code == 200, ours.text
    assert ours.headers["content-type"].split(";")[0] == theirs.headers["content-type"].split(";")[0]
    assert ours.headers["content-disposition"] == theirs.headers["content-disposition"]
    assert ours.content == theirs.content
    assert ours.content.startswith(b"\x89PNG" if page.split("?")[0].endswith(".png") else b"<svg")


@pytest.mark.parametrize("path, words", [
    ("figures/timeline", "figure"), ("figures/matrix?format=pdf", "format"),
    ("figures/matrix?rows=codes&columns=attribute:", "a matrix is"), ("figures/pyramid?of=0", "of"),
])
def test_a_figure_nobody_can_draw_is_refused(team_app, world, path, words):
    answer = api(team_app, world, "lead").get(f"/api/projects/{world['project']}/{path}")
    assert answer.status_code == 422 and words in answer.text


def test_an_unknown_export_format_is_refused(team_app, world):
    answer = api(team_app, world, "lead").get(f"/api/projects/{world['project']}/exports/pdf")
    assert answer.status_code == 422


def test_the_routes_are_documented_with_their_errors(team_app):
    paths = TestClient(team_app).get("/openapi.json").json()["paths"]
    for path in ("/api/projects/{project_id}/matrix", "/api/documents/{document_id}/reconciliation/decisions",
                 "/api/projects/{project_id}/exports/{format}", "/api/queries/{query_id}/results"):
        for operation in paths[path].values():
            assert {"401", "404", "422"} <= set(operation["responses"]), path
