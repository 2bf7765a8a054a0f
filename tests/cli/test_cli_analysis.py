"""`peerframe agreement`, `reconcile`, `query` and `log`: the lead's pages from the command line."""

import json

from coding import store
from coding.analysis import queries, retrieval
from coding.models import Reconciliation, SavedQuery
from tests.cli_world import cli, count, opened, stored


def test_agreement_for_the_project_and_one_transcript(team):
    report = json.loads(cli("agreement", "Study", "--json").stdout)
    assert report["coders"] == ["kim", "sam"] and report["unit"] == "turn"
    safety = next(c for c in report["codes"] if c["code"] == "safety")
    assert safety["percent"] == 1.0 and safety["used"] is True
    assert [d["document"] for d in report["documents"]] == ["pv44.txt"] and report["documents"][0]["disagreements"] == 1
    one = json.loads(cli("agreement", str(team["project"]), "--document", "pv44.txt", "--json").stdout)
    assert one == {"project": "Study", "unit": "turn", "document": "pv44.txt", "document_id": team["document"],
                   "coders": ["kim", "sam"], "disagreements": 1, "items": 2, "left_out": []}
    text = cli("agreement", "Study").stdout
    assert "coders compared: kim, sam (by turn)" in text and "pv44.txt\t1 of 2 items disagree" in text


def test_agreement_refusals(team):
    for args, code, message in (
        (("agreement", "Nope"), 2, "no project called 'Nope'"),
        (("agreement", "Study", "--document", "pv9.txt"), 2, "'Study' has no transcript called 'pv9.txt'"),
        (("agreement", "Study", "--as", "sam"), 1, "needs the lead role in 'Study'; sam is a coder there"),
        (("agreement", "Study", "--as", "out"), 2, "no project called 'Study'"),
        (("agreement", "Study", "--unit", "page"), 1, "the unit must be one of"),
    ):
        result = cli(*args)
        assert result.exit_code == code and message in result.stderr, (args, result.stderr)


def test_reconcile_lists_the_queue_and_records_a_decision_once(team, cli_url):
    queue = json.loads(cli("reconcile", "Study", "pv44.txt", "--list", "--json").stdout)
    assert queue["coders"] == ["kim", "sam"] and len(queue["waiting"]) == 1
    waiting = queue["waiting"][0]
    assert waiting["code"] == "focus" and waiting["applied_by"] == ["sam"] and waiting["not_by"] == ["kim"]
    assert [a["code"] for a in queue["agreed"]] == ["safety"]
    assert f"1\t{waiting['item']}\tapplied by sam; not by kim" in cli("reconcile", "Study", "pv44.txt").stdout
    decided = cli("reconcile", "Study", "pv44.txt", "--accept", waiting["item"], "--keep", "sam", "--reason", "clear")
    assert decided.exit_code == 0 and "Decided" in decided.stdout, decided.stderr
    after = json.loads(cli("reconcile", "Study", "pv44.txt", "--json").stdout)
    assert after["waiting"] == [] and after["decisions"][0] == {
        "code": "focus", "start": waiting["start"], "end": waiting["end"], "decision": "keep:sam", "reason": "clear",
        "decided_by": "local"}
    before = stored(cli_url)
    again = cli("reconcile", "Study", "pv44.txt", "--accept", waiting["item"])
    assert again.exit_code == 2 and f"no item '{waiting['item']}' waits on 'pv44.txt'" in again.stderr
    assert stored(cli_url) == before
    agreed = cli("reconcile", "Study", "pv44.txt", "--accept-agreed")
    assert agreed.exit_code == 0 and "1 agreed coding(s) written" in agreed.stdout
    assert count(cli_url, Reconciliation) == 2


def test_reconcile_refusals_store_nothing(team, cli_url):
    before = stored(cli_url)
    for args, code, message in (
        (("reconcile", "Study", "pv44.txt", "--reject", "7"), 2, "no item '7' waits on 'pv44.txt'"),
        (("reconcile", "Study", "pv44.txt", "--accept", "1", "--keep", "kim"), 1, "did not apply"),
        (("reconcile", "Study", "pv44.txt", "--accept", "1", "--reject", "1"), 1, "give one of --accept"),
        (("reconcile", "Study", "pv44.txt", "--keep", "sam"), 1, "--keep CODER goes with --accept"),
        (("reconcile", "Study", "pv44.txt", "--reject", "1", "--as", "sam"), 1, "needs the lead role"),
        (("reconcile", "Study", "pv45.txt", "--as", "out"), 2, "no project called 'Study'"),
        (("reconcile", "Study", "nope.txt"), 2, "'Study' has no transcript called 'nope.txt'"),
    ):
        result = cli(*args)
        assert result.exit_code == code and message in result.stderr, (args, result.stderr)
    assert stored(cli_url) == before
    rejected = cli("reconcile", "Study", "pv44.txt", "--reject", "1")
    assert rejected.exit_code == 0 and count(cli_url, Reconciliation) == 1


def test_query_lists_and_runs_what_the_reader_may_see(team, cli_url):
    with opened(cli_url) as session:
        local = store.ensure_user(session, name="local")
        sam = store.ensure_user(session, name="sam")
        queries.save_query(session, project_id=team["project"], user=local, name="safe",
                           wanted=retrieval.QuoteFilter(codes=["safety"], layer="all"))
        queries.save_query(session, project_id=team["project"], user=sam, name="sam's",
                           wanted=retrieval.QuoteFilter(codes=["focus"]))
    listed = json.loads(cli("query", "Study", "--json").stdout)
    assert [q["name"] for q in listed] == ["safe", "sam's"]
    found = json.loads(cli("query", "Study", "safe", "--json").stdout)
    assert sorted(q["coder"] for q in found) == ["kim", "sam"] and {q["text"] for q in found} == {"Nobody judges you"}
    assert cli("query", "Study", "safe").stdout.count("pv44.txt\tsafety\tNobody judges you") == 2
    with opened(cli_url) as session:
        store.set_blind(session, project=store.get_project(session, project_id=team["project"]),
                        user=store.ensure_user(session, name="local"), blind=True)
    blind = json.loads(cli("query", "Study", "safe", "--json", "--as", "kim").stdout)
    assert [q["coder"] for q in blind] == ["kim"]  # a blind coder reads only their own layer
    assert [q["name"] for q in json.loads(cli("query", "Study", "--json", "--as", "kim").stdout)] == ["safe"]
    hidden = cli("query", "Study", "sam's", "--as", "kim")
    assert hidden.exit_code == 2 and "no saved query called 'sam's' (it has: safe)" in hidden.stderr
    assert cli("query", "Study", "--as", "out").exit_code == 2
    assert count(cli_url, SavedQuery) == 2


def test_log_filters_by_kind_user_document_and_time(team, cli_url):
    everything = json.loads(cli("log", "Study", "--json", "--limit", "1000").stdout)
    assert {"member.set", "document.assigned", "coding.added", "document.status"} <= {e["kind"] for e in everything}
    assert list(everything[0]) == ["id", "at", "user", "kind", "document_id", "undoes", "description", "payload"]
    codings = json.loads(cli("log", "Study", "--kind", "coding", "--user", "sam", "--json").stdout)
    assert [e["kind"] for e in codings] == ["coding.added", "coding.added"] and {e["user"] for e in codings} == {"sam"}
    on = json.loads(cli("log", "Study", "--document", "pv45.txt", "--json").stdout)
    assert [e["kind"] for e in on] == ["document.imported"]
    assert len(json.loads(cli("log", "Study", "--limit", "2", "--json").stdout)) == 2
    today = everything[0]["at"][:10]
    assert len(json.loads(cli("log", "Study", "--since", today, "--until", today, "--json",
                              "--limit", "1000").stdout)) == len(everything)
    assert json.loads(cli("log", "Study", "--until", "2000-01-01", "--json").stdout) == []
    assert json.loads(cli("log", "Study", "--since", "2999-01-01", "--json").stdout) == []
    assert "\tsam\tcoding.added\t" in cli("log", "Study", "--kind", "coding.added").stdout


def test_log_refusals(team):
    for args, code, message in (
        (("log", "Study", "--as", "vic"), 1, "needs the lead role in 'Study'; vic is a viewer there"),
        (("log", "Nope"), 2, "no project called 'Nope'"),
        (("log", "Study", "--user", "ghost"), 2, "no user called 'ghost'"),
        (("log", "Study", "--since", "yesterday"), 2, "Invalid value for '--since'"),
        (("log", "Study", "--since", "2026-02-02", "--until", "2026-01-01"), 1, "--since must come before --until"),
    ):
        result = cli(*args)
        assert result.exit_code == code and message in result.stderr, (args, result.stderr)
