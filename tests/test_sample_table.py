"""The sample table (Table 6.1 style): participants by attribute, n and %, with Missing and what was recorded
as it stands, in Word that LibreOffice opens."""

import io
import shutil
import subprocess

from docx import Document as WordDocument

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.team import accounts
from tests.test_consent import _word
from tests.test_routes_team import PASSWORD, signed_in


SAMPLE = {"PV1": {"age": "25-34", "gender": "Female"}, "PV2": {"age": "18-24", "gender": "Male"},
          "PV3": {"age": "25-34", "gender": "Prefer not to say"}, "PV4": {"gender": "Female"},
          "PV5": {"age": "65+", "gender": "Female"}}


def test_the_sample_table_counts_participants_by_attribute_as_counted_by_hand(team_app, tmp_path):
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        project = store.create_project(session, name="Sample", framework=get_framework("side-by-side"), user=lead)
        store.set_attributes(session, project_id=project.id, user=lead, rows=list(SAMPLE.items()))
    client = signed_in(team_app, "lead")
    answer = client.get(f"/projects/{project.id}/export/sample.docx", params={"tag": ["age", "gender"]})
    assert answer.status_code == 200
    rows = [[c.text for c in r.cells] for t in WordDocument(io.BytesIO(answer.content)).tables for r in t.rows]
    assert rows == [["Characteristic", "n", "%"], ["age", "", ""], ["    18-24", "1", "20%"], ["    25-34", "2", "40%"],
                    ["    65+", "1", "20%"], ["    Missing", "1", "20%"], ["gender", "", ""],
                    ["    Female", "3", "60%"], ["    Male", "1", "20%"], ["    Prefer not to say", "1", "20%"]]
    assert "the sample (N = 5)" in _word(answer.content)
    assert 'id="sample-docx"' in client.get(f"/projects/{project.id}").text
    path = tmp_path / "sample.docx"
    path.write_bytes(answer.content)
    if shutil.which("soffice"):
        done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                               "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(path)],
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        assert "Prefer not to say" in (tmp_path / "sample.txt").read_text(encoding="utf-8-sig")
