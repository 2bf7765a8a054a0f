"""Taguette 1.5.2 beside Peerframe in bench/render_speed.py: install it in its own venv, seed, serve, time its calls."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".taguette-venv"
WHEEL = Path("/tmp/tg/taguette-1.5.2-py3-none-any.whl")
ACCESS = re.compile(r"(\d{3}) (GET|POST) (\S+) \([^)]*\) ([\d.]+)ms")


def venv_python() -> Path:
    """Taguette's own Python, installing taguette==1.5.2 into bench/.taguette-venv the first time."""
    python = VENV / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import taguette"], capture_output=True).returncode == 0:
        return python
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True, timeout=300)
    source = str(WHEEL) if WHEEL.exists() else "taguette==1.5.2"
    done = subprocess.run([python, "-m", "pip", "install", "-q", source], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"pip install {source} failed: {done.stderr.strip().splitlines()[-1:]}")
    return python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection to the Taguette server on 127.0.0.1, keeping its cookies."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";")[0].strip('"')
        return response.status, data


class Taguette:
    """A seeded Taguette server: start() it, time its calls, stop() it (always)."""

    def __init__(self, folder: Path, documents: list[dict], tags: list[str]):
        self.folder, self.documents, self.tags = folder, documents, tags
        self.process = None
        self.log_path = folder / "taguette.log"

    def start(self) -> None:
        python = venv_python()
        db, spec = self.folder / "taguette.sqlite3", self.folder / "spec.json"
        spec.write_text(json.dumps({"documents": self.documents, "tags": self.tags}), encoding="utf-8")
        seeded = subprocess.run([python, HERE / "taguette_side.py", "seed", db, spec], capture_output=True, text=True,
                                timeout=900)
        if seeded.returncode != 0:
            raise RuntimeError(f"seeding Taguette's database failed: {seeded.stderr.strip().splitlines()[-1:]}")
        self.made = json.loads(seeded.stdout.strip().splitlines()[-1])
        self.port = free_port()
        log = open(self.log_path, "w")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen([python, HERE / "taguette_side.py", "serve", db, str(self.port)],
                                        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.folder)
        log.close()
        token = None
        for _ in range(300):  # up to 30 s for the login link
            found = re.search(r"\?token=([0-9a-f]+)", self.log_path.read_text(errors="replace"))
            if found:
                token = found.group(1)
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        if token is None:
            raise RuntimeError("Taguette did not start: " + self.log_path.read_text(errors="replace")[-400:])
        self.client = Client(self.port)
        status, _ = self.client.request("GET", f"/?token={token}")
        if "user" not in self.client.cookies:
            raise RuntimeError(f"Taguette's single-user token did not sign in (status {status})")

    def server_ms(self, path: str, method: str = "GET") -> list[float]:
        """Taguette's own request times for a path, from its access log (tornado's request_time)."""
        times = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            found = ACCESS.search(line)
            if found and found.group(2) == method and found.group(3) == path:
                times.append(float(found.group(4)))
        return times

    def open_document(self, index: int, repeat: int) -> dict:
        """Time the three calls a browser makes to open document `index` (after one warm-up of each)."""
        project, document, _ = self.made[index]
        paths = {"page": f"/project/{project}/document/{document}",
                 "highlights": f"/api/project/{project}/document/{document}",
                 "contents": f"/api/project/{project}/document/{document}/contents"}
        result = {"paths": paths, "bytes": {}, "status": {}}
        for name, path in paths.items():
            for _ in range(repeat + 1):
                status, data = self.client.request("GET", path)
            result["status"][name], result["bytes"][name] = status, len(data)
        time.sleep(0.2)  # let the access log reach the file
        for name, path in paths.items():
            result[name] = self.server_ms(path)[1:]
        return result

    def add_highlights(self, index: int, spans: list[tuple[int, int, int]]) -> tuple[list[int], list[float]]:
        """POST one new highlight per (turn, offset, length), as Taguette's page does (JSON body, XSRF cookie
        echoed in a header); its offsets count UTF-8 bytes of the text."""
        project, document, tag = self.made[index]
        path = f"/api/project/{project}/document/{document}/highlight/new"
        turns = self.documents[index]["turns"]
        statuses = []
        for turn_index, offset, length in spans:
            before = sum(len(t.encode("utf-8")) for t in turns[:turn_index])
            text = turns[turn_index]
            start = before + len(text[:offset].encode("utf-8"))
            end = start + len(text[offset:offset + length].encode("utf-8"))
            body = json.dumps({"start_offset": start, "end_offset": end, "tags": [tag]}).encode()
            status, _ = self.client.request("POST", path, body, {
                "Content-Type": "application/json", "X-XSRFToken": self.client.cookies.get("_xsrf", "")})
            statuses.append(status)
        time.sleep(0.2)
        return statuses, self.server_ms(path, "POST")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
