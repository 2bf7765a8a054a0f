"""Every route under /api, found in the OpenAPI document (so routes added later are walked too): without a
token it answers 401; to a signed-in user who is no member of the project it names, 404 whatever the method;
and neither stores anything."""

import re
import secrets

import fastapi.routing
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import SQLModel

from coding import models, store
from coding.analysis import queries, retrieval
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.team import accounts
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes

PASSWORD = "a long enough password"

# What to put in each path parameter: something of the owner's project that the stranger may not see.
# A route with a parameter not named here fails the walk until it is added.
PLACEHOLDERS = {
    "project_id": lambda world: world["project"],
    "document_id": lambda world: world["document"],
    "coding_id": lambda world: world["coding"],
    "query_id": lambda world: world["query"],
    "memo_id": lambda world: world["memo"],
    "pseudonym_id": lambda world: world["pseudonym"],
    "job_id": lambda world: world["job"],
    "site_id": lambda world: world["site"],
    "key": lambda world: "safety",
    "username": lambda world: "owner",
    "user_name": lambda world: "owner",  # an account, not a project's: the routes that take it are the admin's
    "label": lambda world: "PV44",
    "format": lambda world: "csv",
    "figure": lambda world: "matrix",
    "framework_id": lambda world: "side-by-side",
}
# Parameters that name nothing of a project: a route with only these is not per project.
PUBLIC_PARAMETERS = {"framework_id", "user_name"}
# What a signed-in user who belongs to no project of interest gets from the routes that are not per project.
NOT_PER_PROJECT = {
    ("get", "/api/frameworks"): 200,
    ("get", "/api/frameworks/{framework_id}"): 200,
    ("get", "/api/projects"): 200,
    ("post", "/api/users"): 403,  # administrators only
    ("get", "/api/users"): 403,
    ("put", "/api/users/{user_name}/password"): 403,
    ("post", "/api/users/{user_name}/sessions/end"): 403,
}
# Routes a stranger may use to make something of their own (walked apart: they change the database).
MAKES_THEIR_OWN = {("post", "/api/projects"), ("post", "/api/projects/import")}


def _owners_job(session, owner, project_id: int) -> str:
    """A finished job of the owner's."""
    job = models.Job(id=secrets.token_urlsafe(18), project_id=project_id, user_id=owner.id, kind="export",
                     status="done")
    session.add(job)
    session.commit()
    return job.id


@pytest.fixture
def world(team_app):
    """The owner's project Y with a transcript, a coding, memos and a saved query; and a stranger (no admin)
    who leads a project X of their own and holds a valid token."""
    with session_for(team_app.state.engine) as session:
        owner = accounts.create_user(session, name="owner", password=PASSWORD, admin=True)
        stranger = accounts.create_user(session, name="stranger", password=PASSWORD)
        framework = get_framework("side-by-side")
        y = store.create_project(session, name="Y", framework=framework, user=owner)
        store.create_project(session, name="X", framework=framework, user=stranger)
        document = store.import_document(session, project_id=y.id, user=owner,
                                         transcript=read_transcript("pv44.txt", txt_bytes()))
        store.set_document_participant(session, document=document, user=owner, label="PV44")
        coding = store.add_coding(session, document=document, code=store.get_code(session, project_id=y.id,
                                  key="safety"), user=owner, start=20, end=30)
        store.write_document_memo(session, document=document, user=owner, text="the owner's thoughts")
        memo = store.add_project_memo(session, project_id=y.id, user=owner, title="Themes", text="private")
        query = queries.save_query(session, project_id=y.id, user=owner, name="safety",
                                   wanted=retrieval.QuoteFilter(codes=["safety"]))
        pseudonym = queries.set_pseudonym(session, project_id=y.id, user=owner, original="Sam", replacement="Alex")
        token = accounts.create_token(session, user=stranger, name="script")[0]
        site = store.save_site(session, project_id=y.id, user=owner, kind="hub", label="Leeds")
        return {"site": site.id, "project": y.id, "document": document.id, "coding": coding.id, "memo": memo.id, "query": query.id,
                "pseudonym": pseudonym.id, "job": _owners_job(session, owner, y.id), "token": token}


def api_operations(app) -> list[tuple[str, str, dict]]:
    """(method, path template, operation) for every operation under /api in the OpenAPI document."""
    paths = app.openapi()["paths"]
    return [(method, path, operation) for path, methods in paths.items() if path.startswith("/api/")
            for method, operation in methods.items()]


def _schema(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for choice in schema.get("anyOf", ()):
        if choice.get("type") != "null":
            return _schema(choice, components)
    return schema


def _value(schema: dict, components: dict):
    schema = _schema(schema, components)
    if schema.get("examples"):
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: _value(schema["properties"][name], components) for name in schema.get("required", ())}
    return {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": []}.get(kind, "x")


def request_body(operation: dict, components: dict) -> dict:
    """Keyword arguments for a request with a plausible body: what the route would accept from a member."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return {"json": _value(content["application/json"]["schema"], components)}
    for form in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if form in content:
            schema = _schema(content[form]["schema"], components)
            files, data = {}, {}
            for name in schema.get("required", ()):
                field = _schema(schema["properties"][name], components)
                if field.get("format") == "binary" or field.get("contentMediaType"):
                    files[name] = ("pv44.txt", txt_bytes())
                else:
                    data[name] = str(_value(field, components))
            return {"files": files or None, "data": data or None}
    return {}


def filled(path: str, world: dict) -> str:
    """The path with each parameter replaced by its placeholder; a parameter without one fails loudly."""
    def fill(found: re.Match) -> str:
        name = found.group(1)
        if name not in PLACEHOLDERS:
            pytest.fail(f"{path} has the path parameter '{name}', which has no placeholder: add one to "
                        f"PLACEHOLDERS in {__file__} naming a thing of the owner's project")
        return str(PLACEHOLDERS[name](world))
    return re.sub(r"\{(\w+)\}", fill, path)


def expected_for_stranger(method: str, path: str) -> int:
    """404 for anything that names a project's thing; the declared answer for the routes that do not."""
    parameters = set(re.findall(r"\{(\w+)\}", path))
    if parameters - PUBLIC_PARAMETERS:
        return 404
    if (method, path) not in NOT_PER_PROJECT:
        pytest.fail(f"{method.upper()} {path} names no project: say in NOT_PER_PROJECT ({__file__}) what a "
                    "signed-in user who is not a member gets from it")
    return NOT_PER_PROJECT[(method, path)]


def stored(app) -> dict[str, int]:
    """How many rows each table holds, and the last event id."""
    with session_for(app.state.engine) as session:
        counts = {table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
                  for table in SQLModel.metadata.sorted_tables}
        counts["last event"] = session.execute(select(func.max(models.Event.id))).scalar_one()
    return counts


def walk(app, client: TestClient, world: dict, expected) -> list[str]:
    """Send every /api operation; the answers that were not as expected, or that stored something."""
    components = app.openapi().get("components", {}).get("schemas", {})
    wrong = []
    for method, path, operation in api_operations(app):
        if (method, path) in MAKES_THEIR_OWN:
            continue
        want = expected(method, path)
        before = stored(app)
        answer = client.request(method.upper(), filled(path, world), **request_body(operation, components))
        if answer.status_code != want:
            wrong.append(f"{method.upper()} {path}: {answer.status_code}, not {want}: {answer.text[:200]}")
        if stored(app) != before:
            wrong.append(f"{method.upper()} {path} stored something")
    return wrong


def test_the_walk_reaches_the_routes_of_every_part_of_the_api(team_app):
    walked = {(method, path) for method, path, _ in api_operations(team_app)}
    assert {("get", "/api/projects/{project_id}"), ("put", "/api/projects/{project_id}/members/{username}"),
            ("patch", "/api/codings/{coding_id}"), ("get", "/api/projects/{project_id}/events"),
            ("put", "/api/documents/{document_id}/status")} <= walked
    assert len(walked) > 40


def app_routes(app) -> list:
    """Every route of the app with its full path, routers included in routers unrolled."""
    unroll = getattr(fastapi.routing, "iter_route_contexts", None)  # FastAPI keeps included routers whole
    return list(unroll(app.routes)) if unroll else list(app.routes)


def test_every_api_route_is_in_the_openapi_document(team_app):
    documented = {(method.upper(), path) for method, path, _ in api_operations(team_app)}
    routes = [r for r in app_routes(team_app) if isinstance(getattr(r, "route", r), APIRoute)
              and r.path.startswith("/api/")]
    missing = [f"{m} {r.path}" for r in routes for m in r.methods - {"HEAD"} if (m, r.path_format) not in documented]
    assert routes and missing == [], "routes left out of /openapi.json (include_in_schema=False?)"
    served = TestClient(team_app).get("/openapi.json").json()["paths"]
    assert set(served) == set(team_app.openapi()["paths"])


def test_without_a_token_every_api_route_answers_401_and_stores_nothing(team_app, world):
    assert walk(team_app, TestClient(team_app), world, lambda method, path: 401) == []


def test_a_signed_in_stranger_gets_404_from_every_route_of_a_project_and_stores_nothing(team_app, world):
    stranger = TestClient(team_app, headers={"Authorization": f"Bearer {world['token']}"})
    assert walk(team_app, stranger, world, expected_for_stranger) == []
    assert [p["name"] for p in stranger.get("/api/projects").json()] == ["X"]


def test_a_project_a_stranger_makes_is_theirs_alone(team_app, world):
    stranger = TestClient(team_app, headers={"Authorization": f"Bearer {world['token']}"})
    made = stranger.post("/api/projects", json={"name": "Z"})
    assert made.status_code == 201
    with session_for(team_app.state.engine) as session:
        owner = accounts.find_user(session, name="owner")
        token = accounts.create_token(session, user=owner, name="t")[0]
    owner_client = TestClient(team_app, headers={"Authorization": f"Bearer {token}"})
    assert owner_client.get(f"/api/projects/{made.json()['id']}").status_code == 404
    assert "Z" not in [p["name"] for p in owner_client.get("/api/projects").json()]


def test_a_signed_in_stranger_with_a_browser_session_gets_the_same_404s(team_app, world):
    from tests.conftest import csrf_token

    browser = TestClient(team_app)
    page = browser.post("/login", data={"name": "stranger", "password": PASSWORD}, follow_redirects=True)
    browser.headers["X-CSRF-Token"] = csrf_token(page.text)
    sessions_before = stored(team_app)["usersession"]
    wrong = walk(team_app, browser, world, expected_for_stranger)
    assert wrong == [] and stored(team_app)["usersession"] == sessions_before
