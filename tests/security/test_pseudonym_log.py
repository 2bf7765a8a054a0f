"""A removed pseudonym can be recovered from the log: the removal event keeps the original and its replacement."""

from coding import store
from coding.analysis import queries


def test_removing_a_pseudonym_keeps_what_it_was_in_the_log(client, session, project, user):
    page = client.post(f"/projects/{project.id}/pseudonyms",
                       data={"original": "Sarah Thornton", "replacement": "Anna Turner", "kind": "name"})
    assert page.status_code == 200
    row = queries.pseudonyms(session, project_id=project.id)[0]
    removed = client.post(f"/projects/{project.id}/pseudonyms/{row.id}/delete")
    assert removed.status_code == 200 and "Sarah Thornton" not in removed.text
    session.expire_all()
    assert queries.pseudonyms(session, project_id=project.id) == []
    event = store.list_events(session, project_id=project.id, kind="pseudonym.removed")[0]
    assert event.payload == {"original": "Sarah Thornton", "kind": "name", "before": "Anna Turner", "after": None}
    activity = client.get(f"/projects/{project.id}/activity").text
    assert "removed the pseudonym &#39;Anna Turner&#39; for &#39;Sarah Thornton&#39;" in activity
    queries.set_pseudonym(session, project_id=project.id, user=user, original=event.payload["original"],
                          replacement=event.payload["before"], kind=event.payload["kind"])
    assert queries.pairs(session, project_id=project.id) == [("Sarah Thornton", "Anna Turner", "name")]


def test_setting_a_pseudonym_names_the_original_it_replaces(session, project, user):
    queries.set_pseudonym(session, project_id=project.id, user=user, original="Fetcham", replacement="Townsville",
                          kind="place")
    queries.set_pseudonym(session, project_id=project.id, user=user, original="Fetcham", replacement="Ashby",
                          kind="place")
    changed = store.list_events(session, project_id=project.id, kind="pseudonym.set")[0]
    assert changed.payload == {"original": "Fetcham", "kind": "place", "before": "Townsville", "after": "Ashby"}
