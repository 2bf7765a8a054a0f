"""The server's memory while it imports the largest accepted transcript, and how fast each bomb is refused.

Starts the real server (`python3 -m uvicorn`, single-user, SQLite in a temporary folder) on a free port, waits
for it to settle and measures its idle resident memory, then imports, one at a time, the largest transcripts
it accepts (plain text and Word, just under the text limit) while sampling its memory every 10 ms, and prints
the peak as a ratio to idle (the target is under 2x). Then it posts each archive and text bomb and prints the
status, the seconds to the answer and the message, and the server's peak over idle once more.

Run: python3 bench/import_memory.py
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from coding.limits import Limits  # noqa: E402
from tests.builders import docx_bytes  # noqa: E402
from tests.conftest import csrf_token  # noqa: E402
from tests.security.bombs import docx_bomb, odt_spaces, qdpx_bomb, zip_with  # noqa: E402
from tests.security.test_large_transcripts import million_words  # noqa: E402


def rss(pid: int) -> int:
    """Resident memory of a process in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Sampler:
    """The highest resident memory of a process while a block runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0, False

    def __enter__(self) -> "Sampler":
        self.running, self.peak = True, rss(self.pid)
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def _watch(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss(self.pid))
            time.sleep(0.01)

    def __exit__(self, *_) -> None:
        self.running = False
        self.thread.join()


def largest_txt() -> bytes:
    """A plain-text transcript just under the text limit (speaker turns of about 50 words)."""
    one = million_words()
    copies, rest = divmod(Limits.text_chars - 1000, len(one) + 2)
    text = b"\n\n".join([one] * copies + [one[:rest].rsplit(b"\n\n", 1)[0]])
    return text.replace(b"PV44:", b"PV45:", 1)


def largest_docx() -> bytes:
    """A Word transcript of about a million words, one paragraph per turn."""
    return docx_bytes([turn.split(": ", 1) for turn in million_words(seed=7).decode().split("\n\n")])


def bombs() -> list[tuple[str, str, bytes]]:
    """(route, file name, bytes) of each bomb."""
    many = zip_with({**{f"word/media/{n}.bin": b"" for n in range(Limits.members + 1)}, "word/document.xml": "<x/>"})
    return [("api", "zip-bomb.docx", docx_bomb(2000)), ("api", "long.docx", docx_bomb(60)),
            ("api", "spaces.odt", odt_spaces(300_000_000)),
            ("api", "unlabelled.txt", b"words without a speaker label, line after line\n" * 400_000),
            ("api", "many-members.docx", many), ("api", "too-big.txt", b"PV1: hello\n" * 2_000_000),
            ("refi", "source-bomb.qdpx", qdpx_bomb(1000)), ("refi", "sources.qdpx", qdpx_bomb(7, sources=16)),
            ("report", "template.docx", zip_with({"[Content_Types].xml": "<Types/>"},
                                                 ("word/media/pad.bin", b"", b"\0" * 1024, 300, b"")))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(client: httpx.Client, route: str, name: str, data: bytes) -> httpx.Response:
    if route == "api":
        return client.post("/api/projects/1/documents", files={"file": (name, data)})
    if route == "refi":
        return client.post("/projects/import", data={"name": name}, files={"file": (name, data)},
                           headers={"HX-Request": "true"})
    return client.post("/projects/1/export/report.docx", files={"template": (name, data)},
                       headers={"HX-Request": "true"})


def responsiveness(client: httpx.Client, data: bytes) -> None:
    """While a large import runs, how long a page, a coding and a document page take for someone else."""
    other = httpx.Client(base_url=client.base_url, headers=client.headers, cookies=client.cookies, timeout=60)
    small = other.post("/api/projects/1/documents", files={"file": ("small.txt", b"PV1: a short answer.\n\nI: Thanks.")})
    document = small.json()["id"]
    importing = threading.Thread(target=post, args=(client, "api", "during.txt", data))
    importing.start()
    time.sleep(1.0)  # the upload is in and the import under way
    figures = []
    for label, request in (("project page", lambda: other.get("/projects/1")),
                           ("add a coding", lambda: other.post(f"/api/documents/{document}/codings",
                                                               json={"start": 0, "end": 10, "code_id": "safety"})),
                           ("document page", lambda: other.get(f"/documents/{document}"))):
        started = time.monotonic()
        status = request().status_code
        figures.append(f"{label} {status} in {time.monotonic() - started:.2f} s")
    busy = importing.is_alive()
    importing.join()
    print(f"during a {len(data) / 2**20:.1f} MB import{'' if busy else ' (it ended before the last request)'}: "
          + "; ".join(figures) + " (target < 1 s each)")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="peerframe-bench-"))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PEERFRAME_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
           "PEERFRAME_SINGLE_USER": "true"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--port",
                               str(port), "--log-level", "warning"], cwd=ROOT, env=env)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300)
    try:
        for _ in range(300):
            try:
                client.headers["X-CSRF-Token"] = csrf_token(client.get("/").text)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        client.post("/projects", data={"name": "Bench"})
        transcripts = [("largest.txt", largest_txt()), ("largest.docx", largest_docx())]
        time.sleep(5)  # the warm-up thread loads spaCy's tables
        client.get("/projects/1")
        idle = rss(server.pid)
        print(f"idle server: {idle / 2**20:.0f} MB resident")
        for route, name, data in [("api", *t) for t in transcripts] + [("refi", "within.qdpx", qdpx_bomb(7, sources=8))]:
            with Sampler(server.pid) as sampler:
                started = time.monotonic()
                answer = post(client, route, name, data)
                seconds = time.monotonic() - started
            print(f"{name}: {len(data) / 2**20:.1f} MB, {answer.status_code} in {seconds:.1f} s; peak "
                  f"{sampler.peak / 2**20:.0f} MB = {sampler.peak / idle:.2f}x idle (target < 2x)")
        responsiveness(client, largest_txt().replace(b"PV45:", b"PV46:", 1))
        print()
        with Sampler(server.pid) as sampler:
            for route, name, data in bombs():
                started = time.monotonic()
                answer = post(client, route, name, data)
                seconds = time.monotonic() - started
                print(f"{name} ({len(data) / 1024:.0f} KB): {answer.status_code} in {seconds:.2f} s: "
                      f"{answer.text[:160]}")
        print(f"peak while refusing the bombs: {sampler.peak / 2**20:.0f} MB = {sampler.peak / idle:.2f}x idle")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
