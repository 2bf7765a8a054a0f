"""Taguette 1.5.2 beside Peerframe in bench/render_speed.py and bench/vs_taguette.py: install it in its own venv,
seed, serve, time its calls (on the client, and from its own access log)."""

import http.client
import json
import os
import re
import shutil
import signal
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


def ensure_calibre() -> str:
    """Where calibre's `ebook-convert` is (Taguette imports documents and writes Word files with it), installing
    Debian's calibre with apt-get when it is missing; "" if it could not be installed."""
    found = shutil.which("ebook-convert")
    if found:
        return found
    command = ["apt-get", "install", "-y", "--no-install-recommends", "calibre"]
    if os.geteuid() != 0:
        command = ["sudo", "-n", *command]
    print(f"Taguette needs calibre's ebook-convert, which is missing: running {' '.join(command)}", flush=True)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"  could not install calibre: {error}")
        return ""
    if done.returncode != 0:
        print(f"  could not install calibre (exit {done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return shutil.which("ebook-convert") or ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection to a server on 127.0.0.1 (Taguette's, or Peerframe's in vs_taguette.py),
    keeping its cookies."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookies: dict[str, str] = {}
        self.last_ms = 0.0  # the last request, from sending it to the last byte of the answer
        self.last_headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            began = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the server closed the idle keep-alive connection (uvicorn after 5 s): open another, as a browser does
                self.connection.close()
                if attempt == 2:
                    raise
        self.last_ms = (time.perf_counter() - began) * 1000
        self.last_headers = {k.lower(): v for k, v in response.getheaders()}
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";")[0].strip('"')
        return response.status, data

    def close(self) -> None:
        self.connection.close()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser sends a form with a file, and its Content-Type."""
    boundary = "----bench" + os.urandom(12).hex()
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, content_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_for_200(port: int, path: str, process: subprocess.Popen, timeout: float = 60.0) -> bool:
    """Poll GET path on 127.0.0.1:port every 10 ms (a fresh connection each time) until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return True
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.01)
    return False


class Taguette:
    """A seeded Taguette server: start() it, time its calls, stop() it (always)."""

    def __init__(self, folder: Path, documents: list[dict], tags: list[str]):
        self.folder, self.documents, self.tags = folder, documents, tags
        self.process = None
        self.log_path = folder / "taguette.log"
        self.starts = 0
        self.projects: list = []

    def start(self, projects: list[list[int]] | None = None) -> None:
        """Seed its database (the documents in a project each, or grouped as `projects` lists of document
        indices), then serve it."""
        python = venv_python()
        self.db, spec = self.folder / "taguette.sqlite3", self.folder / "spec.json"
        content = {"documents": self.documents, "tags": self.tags}
        if projects is not None:
            content["projects"] = projects
        spec.write_text(json.dumps(content), encoding="utf-8")
        seeded = subprocess.run([python, HERE / "taguette_side.py", "seed", self.db, spec], capture_output=True,
                                text=True, timeout=900)
        if seeded.returncode != 0:
            raise RuntimeError(f"seeding Taguette's database failed: {seeded.stderr.strip().splitlines()[-1:]}")
        made = json.loads(seeded.stdout.strip().splitlines()[-1])
        self.made = made["documents"] if isinstance(made, dict) else made
        self.projects = made["projects"] if isinstance(made, dict) else [[p, [t]] for p, _, t in made]
        self.serve()

    def serve(self) -> None:
        """Start its server on the seeded database; `startup_s` is from spawning it to its first 200 (/health)."""
        python = venv_python()
        self.port = free_port()
        self.starts += 1
        self.log_path = self.folder / ("taguette.log" if self.starts == 1 else f"taguette-{self.starts}.log")
        log = open(self.log_path, "w")
        scratch = self.folder / "tmp"  # calibre's folders, removed with ours
        scratch.mkdir(exist_ok=True)
        env = dict(os.environ, PYTHONUNBUFFERED="1", TMPDIR=str(scratch))
        began = time.perf_counter()
        # in a process group of its own, so that stop() also ends a calibre it is running
        self.process = subprocess.Popen([python, HERE / "taguette_side.py", "serve", self.db, str(self.port)],
                                        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.folder,
                                        start_new_session=True)
        log.close()
        answered = wait_for_200(self.port, "/health", self.process)
        self.startup_s = time.perf_counter() - began if answered else None
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
        if self.projects:  # a project page sets the XSRF cookie that every POST must echo
            self.client.request("GET", f"/project/{self.projects[0][0]}")

    def call(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple[int, bytes]:
        """One request as Taguette's page sends it (a POST echoes the XSRF cookie in a header); its time on the
        client is then in self.client.last_ms, and on the server in its access log (server_ms)."""
        headers = {"Content-Type": content_type} if content_type else {}
        if method != "GET":
            headers["X-XSRFToken"] = self.client.cookies.get("_xsrf", "")
        return self.client.request(method, path, body, headers)

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
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.process is None:
            return
        for sent, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):  # Taguette leaves 1 s after SIGTERM
            try:
                os.killpg(self.process.pid, sent)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            try:  # anything left in its group (a calibre it had started)
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break
