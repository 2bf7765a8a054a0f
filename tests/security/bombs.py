"""Small code that builds archive and text bombs, and runs one upload in a child server under an address-space limit."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ADDRESS_SPACE = 1_800_000_000  # about twice what an idle server maps; a regression fails here, not the machine
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
ODT = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def zip_with(members: dict, big: tuple = ()) -> bytes:
    """A zip of small members plus, optionally, (name, head, unit, megabytes, tail): a member of `unit` repeated,
    written in blocks so the bomb is never whole in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if big:
            name, head, unit, megabytes, tail = big
            block = unit * (1024 * 1024 // len(unit))
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(megabytes):
                    member.write(block)
                member.write(tail)
    return out.getvalue()


def docx_bomb(megabytes: int) -> bytes:
    """A Word file whose document.xml unpacks to `megabytes` of paragraphs."""
    return zip_with({"[Content_Types].xml": "<Types/>"}, ("word/document.xml", f"<w:document {W}><w:body>".encode(),
                    b"<w:p><w:r><w:t>words words</w:t></w:r></w:p>", megabytes, b"</w:body></w:document>"))


def odt_spaces(count: int) -> bytes:
    """A few hundred bytes of OpenDocument that ask for `count` spaces."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODT}><office:body><office:text>'
               f'<text:p>PV1: hello<text:s text:c="{count}"/>there</text:p></office:text></office:body>'
               "</office:document-content>")
    return zip_with({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content})


def qde(sources: str) -> str:
    """A REFI-QDA project.qde with one code and the given sources."""
    return ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="Test">'
            '<CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="Safe" isCodable="true"/>'
            f"</Codes></CodeBook><Sources>{sources}</Sources></Project>")


def text_source(number: int, path: str) -> str:
    """A TextSource whose plain text is the archive member `path`."""
    return (f'<TextSource guid="55555555-5555-5555-5555-{number:012d}" name="s{number}" '
            f'plainTextPath="internal://{path}"/>')


def qdpx_bomb(megabytes: int, sources: int = 1) -> bytes:
    """A .qdpx whose sources each unpack to `megabytes` of text."""
    out = io.BytesIO()
    block = b"PV1: the same words again and again " * (1024 * 1024 // 36)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde("".join(text_source(n, f"s{n}.txt") for n in range(sources))))
        for n in range(sources):
            with archive.open(f"sources/s{n}.txt", "w", force_zip64=True) as member:
                for _ in range(megabytes):
                    member.write(block)
    return out.getvalue()


CHILD = r"""
import json, sys, time
from fastapi.testclient import TestClient
from sqlmodel import select
from coding.models import Document, Project
from server.app import create_app
from server.settings import Settings
from tests.conftest import csrf_token, local_client

job = json.loads(sys.argv[1])
settings = Settings(database_url="sqlite:///" + job["db"], secret_key="test-secret-key-not-for-production",
                    single_user=True, **job["settings"])
app = create_app(settings)
with local_client(app) as client:
    client.headers["X-CSRF-Token"] = csrf_token(client.get("/").text)
    client.post("/projects", data={"name": "Study"})
    data = open(job["file"], "rb").read()
    started = time.monotonic()
    if job["route"] == "api":
        response = client.post("/api/projects/1/documents", files={"file": (job["name"], data)})
    elif job["route"] == "refi":
        response = client.post("/projects/import", data={"name": "Imported"}, files={"file": (job["name"], data)},
                               headers={"HX-Request": "true"})
    elif job["route"] == "report":
        response = client.post("/projects/1/export/report.docx", files={"template": (job["name"], data)},
                               headers={"HX-Request": "true"})
    else:
        response = client.post("/projects/1/import", files=[("files", (n, data if n == job["name"] else
                               open(job["others"][n], "rb").read())) for n in job["order"]])
    text = response.text
    if response.status_code == 202:  # a big upload is imported as a job: follow it to its end
        url = response.json()["status_url"]
        while (state := client.get(url).json())["status"] in ("queued", "running"):
            time.sleep(0.05)
        text = json.dumps(state)
    elapsed = time.monotonic() - started
    with app.state.engine.connect() as connection:
        documents = [row.name for row in connection.execute(select(Document.name))]
        projects = [row.name for row in connection.execute(select(Project.name))]
print(json.dumps({"status": response.status_code, "text": text, "seconds": elapsed,
                  "documents": documents, "projects": projects}))
"""


def upload_in_child(tmp_path: Path, route: str, name: str, data: bytes, settings: dict = None, **extra) -> dict:
    """Post one file to a fresh server in a child process limited to ADDRESS_SPACE; what it answered and stored."""
    upload = tmp_path / "upload.bin"
    upload.write_bytes(data)
    job = {"db": str(tmp_path / "child.db"), "file": str(upload), "name": name, "route": route,
           "settings": settings or {}, **extra}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MALLOC_ARENA_MAX": "2", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    run = subprocess.run(["prlimit", f"--as={ADDRESS_SPACE}", sys.executable, "-c", CHILD, json.dumps(job)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"the server died or failed (exit {run.returncode}): {run.stderr[-3000:]}"
    return json.loads(run.stdout.strip().splitlines()[-1])
