"""A long transcript opens a chunk at a time: the first response holds only the first chunk, the turns
endpoint gives any other chunk (as the page draws it, in the reader's layers), and the header counts the whole."""

import re

import pytest

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.team import accounts
from coding.text.transcripts import read_transcript
from coding.workspace import chunks
from server.app import create_app
from server.settings import Settings
from tests.builders import txt_bytes
from tests.test_routes_team import PASSWORD, signed_in

TURNS = [("Interviewer" if i % 2 == 0 else "PV7", f"Turn {i} says café 😊 and a little more about the group, "
          f"week {i}, " + "peer support felt safe " * 12) for i in range(300)]


def turn_numbers(html: str) -> list[int]:
    """The turn numbers ("Turn 12 says") of the turns a response draws, in order."""
    return [int(n) for n in re.findall(r"data-e=\"\d+\"[^>]*>Turn (\d+) says", html)]


@pytest.fixture
def long_document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("long.txt", txt_bytes(TURNS)))


def offset_of(document, text: str) -> int:
    return document.text.index(text)


def test_the_first_response_holds_only_the_first_chunk_and_whole_document_counts(client, session, project, user,
                                                                                 long_document):
    code = store.get_code(session, project_id=project.id, key="safety")
    far = offset_of(long_document, "Turn 290 says")
    store.add_coding(session, document=long_document, code=code, user=user, start=far, end=far + 13)
    page = client.get(f"/documents/{long_document.id}").text
    shown = turn_numbers(page)
    assert shown == list(range(len(shown))) and 5 < len(shown) < 60
    assert page.count('class="turn') == len(shown)
    assert "300 turns" in page and '<span id="coding-count">1</span>' in page
    assert f'href="/documents/{long_document.id}?from={len(shown)}">Show more turns</a>' in page
    assert "Show earlier turns" not in page


def test_the_turns_endpoint_answers_the_next_the_previous_and_an_exact_chunk(client, long_document):
    url = f"/documents/{long_document.id}/turns"
    following = client.get(url, params={"from": 40})
    numbers = turn_numbers(following.text)
    assert following.status_code == 200 and numbers[0] == 40 and numbers == list(range(40, 40 + len(numbers)))
    assert 'data-to="40"' in following.text and f'data-from="{numbers[-1] + 1}"' in following.text
    earlier = turn_numbers(client.get(url, params={"to": 40}).text)
    assert earlier[-1] == 39 and earlier == list(range(earlier[0], 40))
    assert turn_numbers(client.get(url, params={"from": 10, "to": 13}).text) == [10, 11, 12]
    assert len(turn_numbers(client.get(url, params={"from": 0, "to": 300}).text)) == chunks.CHUNK_TURNS
    last = client.get(url, params={"from": 295}).text
    assert turn_numbers(last) == [295, 296, 297, 298, 299] and "Show more turns" not in last
    assert turn_numbers(client.get(url, params={"from": 999}).text) == []


def test_a_far_offset_opens_the_chunk_that_holds_it(client, long_document):
    at = offset_of(long_document, "Turn 250 says") + 5
    assert turn_numbers(client.get(f"/documents/{long_document.id}/turns", params={"at": at}).text)[0] == 250
    page = client.get(f"/documents/{long_document.id}", params={"at": at}).text
    assert turn_numbers(page)[0] == 250
    assert re.search(r'data-s="%d"' % offset_of(long_document, "Turn 250 says"), page)
    assert "Show earlier turns" in page and "300 turns" in page


@pytest.mark.parametrize("params", [{"from": -1}, {"to": "x"}, {"at": "1e3"}, {"from": 2**31}, {"ms": -5}])
def test_malformed_positions_are_refused_in_words(client, long_document, params):
    response = client.get(f"/documents/{long_document.id}/turns", params=params)
    assert response.status_code == 422


def test_a_chunk_shows_only_the_chosen_layers(client, session, project, user, long_document):
    code = store.get_code(session, project_id=project.id, key="safety")
    at = offset_of(long_document, "Turn 60 says")
    mine = store.add_coding(session, document=long_document, code=code, user=user, start=at, end=at + 7)
    consensus = store.consensus_layer(session, project_id=project.id)
    agreed = store.add_coding(session, document=long_document, code=code, user=user, start=at + 8, end=at + 13,
                              layer=consensus)
    url = f"/documents/{long_document.id}/turns?from=60&to=61"
    both = client.get(url).text
    assert f'data-codings="{mine.id}"' in both and f'data-codings="{agreed.id}"' in both
    only_mine = client.get(url + f"&layers=coder:{user.id}").text
    assert f'data-codings="{mine.id}"' in only_mine and f'data-codings="{agreed.id}"' not in only_mine
    # the "more" links keep the reader's choice of layers
    chunk = client.get(f"/documents/{long_document.id}/turns?from=60&layers=consensus").text
    assert "?layers=consensus&amp;from=" in chunk and f'data-codings="{mine.id}"' not in chunk


def test_coding_a_far_turn_answers_with_that_turn(client, long_document):
    at = offset_of(long_document, "Turn 280 says")
    response = client.post(f"/documents/{long_document.id}/codings", headers={"HX-Request": "true"},
                           data={"start": at, "end": at + 13, "code": "safety"})
    assert response.status_code == 200 and turn_numbers(response.text) == [280]


@pytest.fixture
def team(db_url):
    app = create_app(Settings(database_url=db_url, secret_key="lazy-test-secret", single_user=False))
    with session_for(app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        coders = {n: accounts.create_user(session, name=n, password=PASSWORD) for n in ("ann", "bob")}
        project = store.create_project(session, name="Blind", framework=get_framework("side-by-side"), user=lead)
        other = store.create_project(session, name="Other", framework=get_framework("side-by-side"), user=lead)
        document = store.import_document(session, project_id=project.id, user=lead,
                                         transcript=read_transcript("long.txt", txt_bytes(TURNS)))
        elsewhere = store.import_document(session, project_id=other.id, user=lead,
                                          transcript=read_transcript("other.txt", txt_bytes(TURNS[:4])))
        for coder in coders.values():
            accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
            accounts.assign(session, document=document, coder=coder, by=lead)
        code = store.get_code(session, project_id=project.id, key="safety")
        at = document.text.index("Turn 101 says")
        bobs = store.add_coding(session, document=document, code=code, user=coders["bob"], start=at, end=at + 13)
        return {"app": app, "document": document.id, "elsewhere": elsewhere.id, "bobs": bobs.id}


def test_a_blind_coder_sees_no_other_coders_codings_in_a_chunk_or_the_outline(team):
    ann = signed_in(team["app"], "ann")
    document = team["document"]
    chunk = ann.get(f"/documents/{document}/turns", params={"from": 100, "to": 102})
    assert chunk.status_code == 200 and turn_numbers(chunk.text) == [100, 101]
    assert "data-codings" not in chunk.text
    outline = ann.get(f"/documents/{document}/outline", params={"from": 100}).text
    assert "coded" not in re.sub(r"Turn \d+", "", outline.split("</li>")[1])
    lead = signed_in(team["app"], "lead")
    assert f'data-codings="{team["bobs"]}"' in lead.get(f"/documents/{document}/turns?from=101&to=102").text
    assert 'class="badge coded-mark"' in lead.get(f"/documents/{document}/outline?from=101").text.split("</li>")[0]


def test_another_projects_transcript_is_not_found_through_any_reading_route(team):
    ann = signed_in(team["app"], "ann")
    for path in ("turns", "outline", "find?q=turn"):
        assert ann.get(f"/documents/{team['elsewhere']}/{path}").status_code == 404
        assert ann.get(f"/documents/99999/{path}").status_code == 404


def test_the_outline_lists_turns_a_page_at_a_time_with_their_first_words(client, long_document):
    first = client.get(f"/documents/{long_document.id}/outline").text
    assert first.count('<li><a href=') == 200 and "Show turns 201–300 of 300" in first
    assert re.search(r'data-at="13" data-turn="\d+">\s*<span class="outline-speaker"><bdi>Interviewer</bdi></span>'
                     r'\s*<span class="outline-words" dir="auto">Turn 0 says café 😊 and a little…</span>', first)
    rest = client.get(f"/documents/{long_document.id}/outline", params={"from": 200}).text
    assert rest.count('<li><a href=') == 100 and "Show turns" not in rest
    at = offset_of(long_document, "Turn 299 says")
    assert f'?at={at}" data-at="{at}"' in rest
