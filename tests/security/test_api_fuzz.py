"""A property-based fuzz of the JSON API from its own OpenAPI schema finds no server error (500).

Authenticated as a lead with a bearer token on a seeded project; bounded (few examples per operation,
derandomized: 30 examples an operation, some 4,500 requests a database) so that the whole fuzz
stays well under three minutes on both databases.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.team import accounts
from coding.text.transcripts import read_transcript
from server.app import create_app
from server.settings import Settings
from tests.builders import txt_bytes


@pytest.fixture
def fuzzed(db_url):
    """The app with a lead, a seeded project with a coded transcript, and the lead's API token."""
    app = create_app(Settings(database_url=db_url, secret_key="fuzz-test-secret", single_user=False))
    with session_for(app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password="a long enough password", admin=True)
        project = store.create_project(session, name="Fuzzed", framework=get_framework("side-by-side"), user=lead)
        document = store.import_document(session, project_id=project.id, user=lead,
                                         transcript=read_transcript("pv44.txt", txt_bytes()))
        store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id,
                         key="safety"), user=lead, start=20, end=40)
        token = accounts.create_token(session, user=lead, name="fuzz")[0]
    app.state.fuzz_token = token
    return app


@pytest.fixture
def api_schema(fuzzed):
    fuzzed.openapi()  # built once here: the loader's request for it has a 10-second timeout on a busy machine
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_with_a_server_error(case, fuzzed):
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzzed.state.fuzz_token}"},
                           checks=[not_a_server_error])
