"""A blind coder's view of every page, partial, export and API route: nothing of another coder's layer,
and nothing of a transcript not assigned to them, appears anywhere (users called `all` and `consensus` included)."""

import io
import re
import zipfile

import fastapi.routing
import pytest

from coding import store
from coding.analysis import queries, retrieval
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.team import accounts
from coding.text.transcripts import read_transcript
from server.app import PROTECTED, create_app
from server.settings import Settings
from tests.builders import txt_bytes, word_text
from tests.test_routes_team import PASSWORD, signed_in

OTHER = "zebedee"
OTHER_DISPLAY = "Zebedee Quux"
MEMO = "MEMO-ZEBEDEE-7731"
HIDDEN_NAME = "hushhush-interview.txt"
HIDDEN_TEXT = "Hushhushword"
HIDDEN_PERSON = "PXHUSH"
OTHER_PASSAGE = "what is said in the room stays in the room"
HIDDEN_TURNS = [("Interviewer", "Tell me more."), (HIDDEN_PERSON, f"{HIDDEN_TEXT} is what I called the place.")]
SHARED_TURNS = [("Interviewer", "How did you first hear about the group?"),
                ("PV44", "A friend told me. I felt safe there because everyone had been through something similar."),
                ("PV44", "Nobody judges you, and what is said in the room stays in the room.")]


@pytest.fixture
def team_app(db_url, request):
    blind_name = getattr(request, "param", None) or request.node.callspec.params.get("blind_name")
    if db_url != "sqlite://" and blind_name not in (None, "blindy"):
        # which layer a name means is decided in Python, the same on both databases: PostgreSQL crawls once
        pytest.skip("coders called all or consensus are crawled on SQLite; PostgreSQL crawls as blindy")
    return create_app(Settings(database_url=db_url, secret_key="blind-test-secret", single_user=False))


def build(app, blind_name: str) -> dict:
    """A blind project: the blind coder and zebedee share one transcript; zebedee alone has another; coders
    called `all` and `consensus` (or `blindy`) code too."""
    with session_for(app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        names = {blind_name, OTHER, "all", "consensus", "blindy"}
        users = {n: accounts.create_user(session, name=n, password=PASSWORD,
                                         display_name=OTHER_DISPLAY if n == OTHER else n) for n in names}
        project = store.create_project(session, name="X", framework=get_framework("side-by-side"), user=lead)
        for user in users.values():
            accounts.set_member(session, project_id=project.id, user=user, role="coder", by=lead)
        shared = store.import_document(session, project_id=project.id, user=lead,
                                       transcript=read_transcript("pv44.txt", txt_bytes(SHARED_TURNS)))
        hidden = store.import_document(session, project_id=project.id, user=lead,
                                       transcript=read_transcript(HIDDEN_NAME, txt_bytes(HIDDEN_TURNS)))
        for user in users.values():
            accounts.assign(session, document=shared, coder=user, by=lead)
        accounts.assign(session, document=hidden, coder=users[OTHER], by=lead)
        code = lambda key: store.get_code(session, project_id=project.id, key=key)  # noqa: E731
        at = shared.text.index(OTHER_PASSAGE)
        others = []
        for name in names - {blind_name}:
            others.append(store.add_coding(session, document=shared, code=code("safety/confidentiality"),
                                           user=users[name], start=at, end=at + len(OTHER_PASSAGE), memo=MEMO).id)
        hidden_at = hidden.text.index(HIDDEN_TEXT)
        others.append(store.add_coding(session, document=hidden, code=code("safety/confidentiality"),
                                       user=users[OTHER], start=hidden_at, end=hidden_at + 30, memo=MEMO).id)
        queries.save_query(session, project_id=project.id, user=users[OTHER], name=f"{MEMO} query",
                           wanted=retrieval.QuoteFilter(text="room"))
        mine_at = shared.text.index("A friend told me")
        mine = store.add_coding(session, document=shared, code=code("experience-in-common"), user=users[blind_name],
                                start=mine_at, end=mine_at + 16, memo="my own memo")
        return {"project": project.id, "shared": shared.id, "hidden": hidden.id, "others": others, "mine": mine.id,
                "ids": {n: u.id for n, u in users.items()}}


def body_text(response) -> str:
    """What a person would read in a response: the page, or the text inside a Word, Excel or REFI-QDA file."""
    data = response.content
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                     if n.endswith((".xml", ".qde", ".txt", ".rels"))]
        return re.sub(r"<[^>]+>", " ", " ".join(parts))
    return data.decode("utf-8", "replace")


def get_urls(world: dict) -> list[str]:
    """Every GET route of the app, filled in with the project, both transcripts and the other coders' codings."""
    p, shared, hidden = world["project"], world["shared"], world["hidden"]
    other_ids = [str(i) for n, i in world["ids"].items()]
    layers = ["all", "consensus", "blindy", *[f"coder:{i}" for i in other_ids]]  # names would only echo back
    urls = []
    for router in PROTECTED:
        for route in fastapi.routing.iter_route_contexts(router.routes):  # routers included in routers unrolled
            if "GET" not in (route.methods or ()):
                continue
            path = route.path
            fills = [path]
            for key, values in (("{project_id}", [p]), ("{document_id}", [shared, hidden]),
                                ("{framework_id}", ["side-by-side"]), ("{name}", ["matrix", "pyramid", "frequencies"]),
                                ("{fmt}", ["svg", "docx", "xlsx"])):
                fills = [f.replace(key, str(v)) for f in fills for v in values] if key in path else fills
            for url in fills:
                urls.append(url)
                if "{" in url:
                    continue
                if url.endswith("codings-at"):
                    urls[-1] = url + "?start=0&end=400"
                for layer in layers:
                    urls.append(f"{url}?layer={layer}&document={hidden}&text=room&start=0&end=400")
    return [u for u in urls if "{" not in u]


@pytest.mark.parametrize("blind_name", ["blindy", "all", "consensus"])
def test_a_blind_coder_finds_nothing_of_other_coders_or_hidden_transcripts_anywhere(team_app, blind_name):
    world = build(team_app, blind_name)
    client = signed_in(team_app, blind_name)
    forbidden = [MEMO, OTHER, OTHER_DISPLAY, HIDDEN_NAME, HIDDEN_TEXT, HIDDEN_PERSON, "hushhush"]
    seen = 0
    for url in get_urls(world):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            text = body_text(response)
            for marker in forbidden:
                assert marker.lower() not in text.lower(), f"{url} ({response.status_code}) shows {marker!r}"
            if not url.startswith((f"/documents/{world['shared']}", f"/api/documents/{world['shared']}")):
                assert OTHER_PASSAGE not in text, f"{url} shows another coder's passage"
            seen += response.status_code == 200
    assert seen > 40  # the crawl did read real pages, not only refusals


def test_the_codebook_in_word_counts_and_quotes_only_the_coders_own_passages(team_app, tmp_path):
    build(team_app, "blindy")
    client = signed_in(team_app, "blindy")
    response = client.get("/projects/1/export/codebook.docx")
    assert response.status_code == 200
    path = tmp_path / "codebook.docx"
    path.write_bytes(response.content)
    lines = word_text(path).splitlines()
    confidentiality = lines[lines.index("■ Confidentiality") + 1]
    assert "0 passages" in confidentiality and OTHER_PASSAGE not in "\n".join(lines)
    common = lines[lines.index("■ Experience in common") + 1]
    assert "1 passage" in common and "A friend told me" in "\n".join(lines)


def test_counts_on_the_project_list_and_page_are_the_coders_own(team_app):
    world = build(team_app, "blindy")
    client = signed_in(team_app, "blindy")
    listing = client.get("/").text
    row = re.search(r"<td>(\d+)</td>\s*<td>(\d+)</td>\s*</tr>", listing)
    assert row and row.groups() == ("1", "1"), "one transcript and one coding of the coder's own"
    page = client.get(f"/projects/{world['project']}").text
    assert re.search(r"<td[^>]*>\d+</td>\s*<td[^>]*>1</td>", page) and HIDDEN_NAME not in page


@pytest.mark.parametrize("layer", ["all", "consensus", OTHER, "coder:{other}"])
def test_asking_for_another_layer_gives_only_the_coders_own(team_app, layer):
    world = build(team_app, "blindy")
    client = signed_in(team_app, "blindy")
    layer = layer.format(other=world["ids"][OTHER])
    for path in ("quotes", "export/quotes.csv"):
        response = client.get(f"/projects/{world['project']}/{path}", params={"layer": layer})
        assert response.status_code == 200
        assert "A friend told me" in response.text and MEMO not in response.text


def test_a_user_called_all_in_an_open_project_reads_only_their_own_layer_when_asked_for_it(team_app):
    world = build(team_app, "all")
    with session_for(team_app.state.engine) as session:
        store.set_blind(session, project=store.get_project(session, project_id=world["project"]),
                        user=store.get_user(session, user_id=1), blind=False)
    lead = signed_in(team_app, "lead")
    own = lead.get(f"/projects/{world['project']}/quotes", params={"layer": f"coder:{world['ids']['all']}"},
                   headers={"HX-Request": "true"}).text
    assert "A friend told me" in own and MEMO not in own
    everyone = lead.get(f"/projects/{world['project']}/quotes", params={"layer": "all"}).text
    assert MEMO in everyone and "A friend told me" in everyone
    choices = lead.get(f"/projects/{world['project']}/quotes").text
    assert f'value="coder:{world["ids"]["all"]}" >all&#39;s layer' in choices and 'value="all" >All coders' in choices


def test_another_coders_coding_answers_as_if_it_did_not_exist(team_app):
    world = build(team_app, "blindy")
    client = signed_in(team_app, "blindy")
    other = world["others"][0]
    for url in (f"/codings/{other}/memo", f"/codings/{other}/remove"):
        response = client.post(url, data={"memo": "overwritten"})
        assert response.status_code == 404 and f"no coding {other}" in response.text
        assert OTHER_DISPLAY not in response.text and OTHER not in response.text
    missing = client.post("/codings/99999/remove")
    assert missing.status_code == 404 and "no coding 99999" in missing.text
    with session_for(team_app.state.engine) as session:
        coding = store.get_coding(session, coding_id=other)
        assert coding.memo == MEMO and not coding.removed


def test_an_unassigned_transcript_answers_like_a_missing_one(team_app):
    world = build(team_app, "blindy")
    client = signed_in(team_app, "blindy")
    hidden, missing = client.get(f"/documents/{world['hidden']}"), client.get("/documents/99999")
    assert hidden.status_code == missing.status_code == 404
    main = lambda page: re.search(r"<main.*</main>", page, re.S).group(0)  # noqa: E731
    assert main(hidden.text).replace(str(world["hidden"]), "N") == main(missing.text).replace("99999", "N")
    assert HIDDEN_NAME not in hidden.text


def test_what_a_blind_coder_posts_answers_with_nothing_of_other_coders(team_app):
    world = build(team_app, "all")
    client = signed_in(team_app, "all")
    with session_for(team_app.state.engine) as session:
        text = store.get_document(session, document_id=world["shared"]).text
    at = text.index(OTHER_PASSAGE)
    answers = [
        client.post(f"/documents/{world['shared']}/codings",
                    data={"start": at, "end": at + len(OTHER_PASSAGE), "code": "safety"}),
        client.post(f"/projects/{world['project']}/undo", params={"document_id": world["shared"]}),
        client.post(f"/projects/{world['project']}/export/report.docx",
                    data={"layer": "all", "show_coder": "true", "show_document": "true", "document": world["hidden"]}),
        client.post(f"/projects/{world['project']}/queries", data={"name": "mine", "layer": "all"}),
    ]
    for response in answers:
        assert response.status_code in (200, 204), response.text
        text = body_text(response)
        assert MEMO not in text and OTHER_DISPLAY not in text and HIDDEN_TEXT not in text


def test_saved_queries_that_named_a_layer_by_user_name_read_that_coders_layer_after_the_upgrade(tmp_path):
    from alembic import command
    from sqlalchemy import text

    from coding.db import alembic_config, make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0006")
    with engine.begin() as db:
        db.execute(text("INSERT INTO project (name, description, framework_id, framework_version, created_at, blind) "
                        "VALUES ('Old', '', 'side-by-side', '1', '2026-01-01', 1)"))
        for name in ("lead", "all", "sam"):
            db.execute(text("INSERT INTO user (name, display_name, created_at, preferences, is_admin) "
                            "VALUES (:n, :n, '2026-01-01', '{}', 0)"), {"n": name})
        for number, layer in enumerate(["sam", "all", "consensus", None, "gone"]):
            params = '{"codes": [], "layer": %s}' % (f'"{layer}"' if layer else "null")
            db.execute(text("INSERT INTO savedquery (project_id, name, params, created_by, created_at) "
                            "VALUES (1, :name, :params, 1, '2026-01-01')"), {"name": f"q{number}", "params": params})
    migrate(engine)
    with session_for(engine) as session:
        layers = [queries.find_query(session, project_id=1, name=f"q{n}").params["layer"] for n in range(5)]
    assert layers == ["coder:3", "all", "consensus", None, "coder:0"]
