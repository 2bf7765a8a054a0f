"""Peerframe against Taguette 1.5.2 on the operations both have, over HTTP on 127.0.0.1, back to back in one run.

Both real servers run in turn on SQLite files in one temporary folder: Peerframe as `peerframe serve --single-user`
(this checkout's code, with its one job worker), Taguette 1.5.2 as its single-user server (bench/taguette_bench.py
installs it into bench/.taguette-venv on first use and turns its message check off). Each gets the same generated
interviews (bench/render_speed.py's generator, fixed seed):

- a project seeded through the tool's own models with 10,000 codings (10 interviews of 10,000 words, 1,000 codings
  each, as highlights over the same tags in Taguette), for the exports and the memory "after 10k codings";
- an empty project into which .txt transcripts of 10,000 and 100,000 words are uploaded over HTTP (a different
  text each time, as Peerframe refuses a file it already has; one small warm-up upload first, not counted), and on
  the first of each size about 200 codings are created over HTTP at the same passages in both tools.

Timed over one keep-alive connection with cookies, as a browser does (Peerframe's session cookie and CSRF header,
Taguette's XSRF cookie echoed in a header): every request on the client, from sending it to the last byte of the
answer; Taguette's also from its access log (tornado's request time, "server"). Peerframe sends no server timing,
so its figures are client-side only, and the ratio (how many times faster Peerframe is) compares client with
client. Memory is the resident memory (VmRSS from /proc) of the server process and all its children, idle once it
has settled after start and again after the exports; start-up is from spawning the server to its first 200
(Peerframe GET /api/projects, Taguette GET /health). Figures are printed as measured; a Peerframe figure that
misses its target is marked ✗. The machine's load average is printed before and after: on a busy machine the
figures are noisy.

Taguette imports documents and writes Word files with calibre's ebook-convert: when it is missing, the bench
installs Debian's calibre with apt-get and says so. Servers are stopped and the temporary folder removed at the
end, also on failure or Ctrl+C. A full run takes about 7 minutes on two busy cores (Taguette's Word export of
10,000 highlights is about a minute of it each time); --quick uses smaller sizes and fewer repeats (about a minute).
Run: python bench/vs_taguette.py [--quick]
"""

import argparse
import csv
import io
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.render_speed import build_turns, code_names, plan_codings  # noqa: E402
from bench.taguette_bench import Client, Taguette, ensure_calibre, free_port, multipart, wait_for_200  # noqa: E402
from coding import store  # noqa: E402
from coding.codebook.frameworks import get_framework  # noqa: E402
from coding.db import make_engine, migrate, session_for  # noqa: E402
from coding.limits import Limits  # noqa: E402
from coding.text.transcripts import read_transcript  # noqa: E402

MB = 1024 * 1024


@dataclass(frozen=True)
class Plan:
    small: int  # words in the small transcript
    large: int
    imports: int  # uploads of each size
    codings: int  # codings created over HTTP on each size
    export_documents: int  # seeded interviews in the export project
    export_words: int
    export_codings: int  # per seeded interview
    exports: int  # repeats of each Peerframe export and of Taguette's CSV
    taguette_words: int  # repeats of Taguette's Word exports (calibre; slow)
    startups: int


FULL = Plan(small=10_000, large=100_000, imports=5, codings=200, export_documents=10, export_words=10_000,
            export_codings=1_000, exports=5, taguette_words=3, startups=3)
QUICK = Plan(small=2_000, large=20_000, imports=2, codings=30, export_documents=2, export_words=5_000,
             export_codings=500, exports=2, taguette_words=1, startups=1)

# the targets for Peerframe
TARGET_CODING_P95_MS = 2.0
TARGET_CODING_RATIO = 10.0
TARGET_IMPORT_LARGE_MS = 80.0
TARGET_CSV_S = 0.2
TARGET_WORD_S = 1.0
TARGET_CODEBOOK_S = 0.15
TARGET_IDLE_MB = 150.0
TARGET_AFTER_MB = 250.0
TARGET_STARTUP_S = 1.0


# --- the texts ------------------------------------------------------------------------------------

@dataclass
class Interview:
    turns: list[tuple[str, str]]  # (speaker, utterance)
    plan: list[tuple[int, int, int, int]]  # (turn, offset in utterance, length, code)

    def text(self) -> bytes:
        return ("\n\n".join(f"{speaker}: {utterance}" for speaker, utterance in self.turns) + "\n").encode("utf-8")


@dataclass
class World:
    tags: list[str]
    warm_up: Interview
    uploads: dict[int, list[Interview]]  # words -> the texts uploaded, the first one then coded
    exported: list[Interview]  # seeded with codings


def make_world(plan: Plan) -> World:
    rng = random.Random(11)
    tags = code_names(get_framework("side-by-side").codes)

    def interview(words: int, codings: int) -> Interview:
        turns = build_turns(words, rng)
        return Interview(turns, plan_codings(turns, codings, len(tags), rng))

    uploads = {words: [interview(words, plan.codings if n == 0 else 0) for n in range(plan.imports)]
               for words in (plan.small, plan.large)}
    exported = [interview(plan.export_words, plan.export_codings) for _ in range(plan.export_documents)]
    return World(tags, interview(500, 0), uploads, exported)


def turn_texts(interview: Interview) -> list[str]:
    return [f"{speaker}: {utterance}" for speaker, utterance in interview.turns]


# --- measuring ------------------------------------------------------------------------------------

def process_tree(pid: int) -> list[tuple[int, str, int]]:
    """(pid, command name, resident bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            status = (Path("/proc") / str(current) / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        resident = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
        try:
            words = (Path("/proc") / str(current) / "cmdline").read_bytes().decode(errors="replace").split("\0")
            shown = [Path(w).name for w in words[1:] if w and not w.startswith("-")][:2]
            name = " ".join(shown) or fields.get("Name", "?").strip()
        except OSError:
            name = fields.get("Name", "?").strip()
        found.append((current, name, resident))
        todo.extend(children.get(current, []))
    return found


def settled_memory(pid: int, least: float = 4.0, most: float = 30.0) -> tuple[int, float, list]:
    """The tree's resident bytes once they stop changing (within 2 MB over 2 s), at least `least` s from now."""
    began, samples = time.monotonic(), []
    while True:
        time.sleep(0.5)
        tree = process_tree(pid)
        samples.append(sum(r for _, _, r in tree))
        waited = time.monotonic() - began
        steady = len(samples) >= 5 and max(samples[-5:]) - min(samples[-5:]) < 2 * MB
        if (waited >= least and steady) or waited >= most:
            return samples[-1], waited, tree


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def csv_rows(data: bytes) -> int:
    text = data.decode("utf-8-sig", errors="replace")
    return max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)


class Steps:
    """Run the steps of one tool's measurement; a step that fails is noted with where, and the run goes on."""

    def __init__(self, tool: str):
        self.tool, self.errors = tool, []

    def __call__(self, name: str, fn) -> bool:
        try:
            fn()
            return True
        except Exception as error:  # a benchmark reports a failure and goes on
            frames = traceback.extract_tb(error.__traceback__)[-2:]
            where = "".join(f" ({Path(f.filename).name}:{f.lineno} {f.name})" for f in frames)
            self.errors.append(f"{self.tool} {name}: {type(error).__name__}: {str(error)[:300]}{where}")
            return False


def floor(call, client, path: str, repeat: int = 50) -> list[float]:
    """Client times of a cheap GET, for what HTTP itself costs on this machine now."""
    found = []
    for _ in range(repeat):
        call("GET", path)
        found.append(client().last_ms)
    return found


def expect(status: int, wanted: tuple[int, ...], data: bytes, what: str) -> None:
    if status not in wanted:
        raise RuntimeError(f"{what} answered {status}: {data[:200]!r}")


# --- Peerframe ------------------------------------------------------------------------------------

def seed_peerframe(url: str, world: World) -> dict:
    """The export project (interviews and codings, through the models) and an empty import project."""
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_for(engine) as session:
            user = store.ensure_user(session, name="local")
            framework = get_framework("side-by-side")
            exported = store.create_project(session, name="Bench export", user=user, framework=framework)
            imports = store.create_project(session, name="Bench import", user=user, framework=framework)
            codes = {c.name: c for c in store.project_codes(session, project_id=exported.id)}
            limits = Limits(upload_bytes=64 * MB)
            count = 0
            for number, interview in enumerate(world.exported):
                transcript = read_transcript(f"interview-{number + 1}.txt", interview.text(), limits=limits)
                document = store.import_document(session, project_id=exported.id, user=user, transcript=transcript)
                stored = store.document_turns(session, document_id=document.id)
                if len(stored) != len(interview.turns):
                    raise RuntimeError(f"Peerframe read {len(stored)} turns, the bench wrote {len(interview.turns)}")
                for turn, offset, length, code in interview.plan:
                    start = stored[turn].start + offset
                    store.add_coding(session, document=document, code=codes[world.tags[code]], user=user,
                                     start=start, end=start + length, commit=False)
                    count += 1
            session.commit()
            return {"export": exported.id, "import": imports.id, "seeded": count}
    finally:
        engine.dispose()


class Peerframe:
    """`peerframe serve --single-user` on an SQLite file, in its own process group; a browser-like client."""

    def __init__(self, folder: Path, url: str):
        self.folder, self.url, self.process, self.client, self.starts = folder, url, None, None, 0

    def serve(self) -> None:
        self.starts += 1
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEERFRAME_")}
        env.update(PEERFRAME_DATABASE_URL=self.url, PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
        self.log_path = self.folder / f"peerframe-{self.starts}.log"
        with open(self.log_path, "w") as log:
            began = time.perf_counter()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--single-user", "--port", str(self.port)],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        answered = wait_for_200(self.port, "/api/projects", self.process, timeout=120)
        self.startup_s = time.perf_counter() - began if answered else None
        if not answered:
            raise RuntimeError("Peerframe did not answer: " + self.log_path.read_text(errors="replace")[-400:])
        self.client = Client(self.port)
        status, page = self.client.request("GET", "/")
        marker = b'<meta name="csrf-token" content="'
        if status != 200 or marker not in page:
            raise RuntimeError(f"Peerframe's first page gave no CSRF token (status {status})")
        self.csrf = page.split(marker, 1)[1].split(b'"', 1)[0].decode()

    def call(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple[int, bytes]:
        headers = {"Content-Type": content_type} if content_type else {}
        if method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        return self.client.request(method, path, body, headers)

    def stop(self) -> None:
        """Terminate the server and its job worker (its whole process group)."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the job worker leaves with the server; make sure
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def run_peerframe(folder: Path, world: World, plan: Plan) -> dict:
    folder.mkdir()
    url = f"sqlite:///{folder / 'p.db'}"
    result = {"import": {}, "coding": {}, "export": {}, "startup_s": []}
    steps = Steps("Peerframe")
    result["errors"] = steps.errors
    made = {}
    if not steps("seeding", lambda: made.update(seed_peerframe(url, world))):
        return result
    result["seeded"] = made["seeded"]
    server = Peerframe(folder, url)
    try:
        if not steps("start", server.serve):
            return result
        result["startup_s"].append(server.startup_s)
        pid = server.process.pid
        result["idle"] = settled_memory(pid)
        project, exported = made["import"], made["export"]
        result["floor"] = ("GET /api/projects/{id}",
                           floor(server.call, lambda: server.client, f"/api/projects/{project}"))
        keys = {}

        def codebook() -> None:
            status, data = server.call("GET", f"/api/projects/{project}/codes")
            expect(status, (200,), data, "GET codes")
            keys.update({c["name"]: c["id"] for c in json.loads(data)})

        if not steps("reading the codebook", codebook):
            return result

        def upload(name: str, interview: Interview) -> dict:
            body, kind = multipart({}, {"file": (name, interview.text(), "text/plain")})
            status, data = server.call("POST", f"/api/projects/{project}/documents", body, kind)
            return {"status": status, "ms": server.client.last_ms, "answer": data}

        steps("warm-up upload", lambda: upload("warm-up.txt", world.warm_up))
        for words, interviews in world.uploads.items():
            row = result["import"][words] = {"client": [], "status": []}

            def imports(words=words, interviews=interviews, row=row) -> None:
                for number, interview in enumerate(interviews):
                    done = upload(f"interview-{words}-{number + 1}.txt", interview)
                    row["client"].append(done["ms"])
                    row["status"].append(done["status"])
                    if number == 0:
                        expect(done["status"], (201,), done["answer"], "the upload")
                        row["document"] = json.loads(done["answer"])

            steps(f"import {words:,} words", imports)
        for words, interviews in world.uploads.items():
            row = result["coding"][words] = {"client": [], "status": []}

            def codings(words=words, interview=interviews[0], row=row) -> None:
                document = result["import"][words]["document"]
                turns = document["turns"]
                if len(turns) != len(interview.turns):
                    raise RuntimeError(f"Peerframe found {len(turns)} turns, the bench wrote {len(interview.turns)}")
                for turn, offset, length, code in interview.plan:
                    start = turns[turn]["start"] + offset
                    body = json.dumps({"start": start, "end": start + length, "code_id": keys[world.tags[code]]})
                    status, data = server.call("POST", f"/api/documents/{document['id']}/codings", body.encode(),
                                               "application/json")
                    row["client"].append(server.client.last_ms)
                    row["status"].append(status)

            steps(f"codings on {words:,} words", codings)
        for name, format in (("csv", "csv"), ("word", "word-quotes"), ("codebook", "codebook-word")):
            row = result["export"][name] = {"client": [], "status": []}

            def export(format=format, row=row) -> None:
                for _ in range(plan.exports):
                    status, data = server.call("GET", f"/api/projects/{exported}/exports/{format}")
                    row["client"].append(server.client.last_ms)
                    row["status"].append(status)
                    row["bytes"] = len(data)
                    if format == "csv":
                        row["rows"] = csv_rows(data)
                    expect(status, (200,), data, f"export {format}")

            steps(f"export {format}", export)
        result["after"] = settled_memory(pid, least=1.0, most=10.0)
        for _ in range(plan.startups - 1):
            server.stop()
            if steps("restart", server.serve):
                result["startup_s"].append(server.startup_s)
    finally:
        server.stop()
    return result


# --- Taguette -------------------------------------------------------------------------------------

class TextNodes(HTMLParser):
    """The text of Taguette's stored HTML, as its highlight offsets count it (every text node, tags left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def misread(text: str) -> str:
    """UTF-8 text read as Windows-1252, as calibre reads some .txt files."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def taguette_spans(contents: str, interview: Interview) -> tuple[list[tuple[int, int, int]], dict]:
    """(start, end, code) in UTF-8 bytes of Taguette's text for each planned coding, at the same passage as in
    Peerframe: each turn is found in the text calibre stored, as sent or misread as Windows-1252 (calibre guesses
    the encoding of a .txt); and how many turns were found which way."""
    parser = TextNodes()
    parser.feed(contents)
    text = "".join(parser.parts)
    places, cursor, found = [], 0, {"as sent": 0, "misread as cp1252": 0, "not found": 0}
    for turn in turn_texts(interview):
        for how, variant in (("as sent", str), ("misread as cp1252", misread)):
            at = text.find(variant(turn), cursor)
            if at >= 0:
                found[how] += 1
                places.append((at, variant))
                cursor = at + len(variant(turn))
                break
        else:
            found["not found"] += 1
            places.append((0, str))
    spans = []
    for turn, offset, length, code in interview.plan:
        speaker, utterance = interview.turns[turn]
        at, variant = places[turn]
        start = at + len(variant(f"{speaker}: {utterance[:offset]}"))
        end = start + len(variant(utterance[offset:offset + length]))
        start_byte = len(text[:start].encode("utf-8"))
        spans.append((start_byte, start_byte + len(text[start:end].encode("utf-8")), code))
    return spans, found


def run_taguette(folder: Path, world: World, plan: Plan) -> dict:
    folder.mkdir()
    result = {"import": {}, "coding": {}, "export": {}, "startup_s": []}
    steps = Steps("Taguette")
    result["errors"] = steps.errors
    calibre = ensure_calibre()
    result["calibre"] = calibre
    documents = [{"turns": turn_texts(interview),
                  "highlights": [(t, offset + len(interview.turns[t][0]) + 2, length, code)
                                 for t, offset, length, code in interview.plan]}
                 for interview in world.exported]
    taguette = Taguette(folder, documents, world.tags)
    try:
        if not steps("seeding and start",
                     lambda: taguette.start(projects=[list(range(len(documents))), []])):
            return result
        result["seeded"] = sum(len(d["highlights"]) for d in documents)
        result["startup_s"].append(taguette.startup_s)
        pid = taguette.process.pid
        result["idle"] = settled_memory(pid)
        (exported, _), (project, tag_ids) = taguette.projects
        new_document = f"/api/project/{project}/document/new"
        result["floor"] = ("GET /health", floor(taguette.call, lambda: taguette.client, "/health"))

        def upload(name: str, interview: Interview) -> dict:
            body, kind = multipart({"name": name, "description": ""},
                                   {"file": (name, interview.text(), "text/plain")})
            status, data = taguette.call("POST", new_document, body, kind)
            return {"status": status, "ms": taguette.client.last_ms, "answer": data}

        steps("warm-up upload", lambda: upload("warm-up.txt", world.warm_up))
        for words, interviews in world.uploads.items():
            row = result["import"][words] = {"client": [], "status": []}

            def imports(words=words, interviews=interviews, row=row) -> None:
                before = len(taguette.server_ms(new_document, "POST"))
                for number, interview in enumerate(interviews):
                    done = upload(f"interview-{words}-{number + 1}.txt", interview)
                    row["client"].append(done["ms"])
                    row["status"].append(done["status"])
                    if number == 0:
                        expect(done["status"], (200,), done["answer"], "the upload")
                        row["document"] = json.loads(done["answer"])["created"]
                time.sleep(0.3)  # the access log reaches its file
                row["server"] = taguette.server_ms(new_document, "POST")[before:]

            steps(f"import {words:,} words", imports)
        for words, interviews in world.uploads.items():
            row = result["coding"][words] = {"client": [], "status": []}

            def codings(words=words, interview=interviews[0], row=row) -> None:
                document = result["import"][words]["document"]
                status, data = taguette.call("GET", f"/api/project/{project}/document/{document}/contents")
                expect(status, (200,), data, "GET contents")
                contents = "".join(part["contents"] for part in json.loads(data)["contents"])
                spans, row["turns found"] = taguette_spans(contents, interview)
                path = f"/api/project/{project}/document/{document}/highlight/new"
                for start, end, code in spans:
                    body = json.dumps({"start_offset": start, "end_offset": end, "tags": [tag_ids[code]]})
                    status, _ = taguette.call("POST", path, body.encode(), "application/json")
                    row["client"].append(taguette.client.last_ms)
                    row["status"].append(status)
                time.sleep(0.3)
                row["server"] = taguette.server_ms(path, "POST")

            steps(f"codings on {words:,} words", codings)
        for name, path, repeat in (("csv", f"/project/{exported}/export/highlights/.csv", plan.exports),
                                   ("word", f"/project/{exported}/export/highlights/.docx", plan.taguette_words),
                                   ("codebook", f"/project/{exported}/export/codebook.docx", plan.exports)):
            row = result["export"][name] = {"client": [], "status": []}

            def export(name=name, path=path, repeat=repeat, row=row) -> None:
                before = len(taguette.server_ms(path))
                for _ in range(repeat):
                    status, data = taguette.call("GET", path)
                    row["client"].append(taguette.client.last_ms)
                    row["status"].append(status)
                    row["bytes"] = len(data)
                    if name == "csv":
                        row["rows"] = csv_rows(data)
                    expect(status, (200,), data, f"GET {path}")
                time.sleep(0.3)
                row["server"] = taguette.server_ms(path)[before:]

            steps(f"export {name}", export)
        result["after"] = settled_memory(pid, least=1.0, most=10.0)
        for _ in range(plan.startups - 1):
            taguette.stop()
            if steps("restart", taguette.serve):
                result["startup_s"].append(taguette.startup_s)
    finally:
        taguette.stop()
    return result


# --- the report -----------------------------------------------------------------------------------

def number(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def times(row: dict | None, key: str = "client", scale: float = 1.0) -> list[float]:
    return [v * scale for v in (row or {}).get(key, [])]


def ratio(taguette: float, peerframe: float) -> str:
    if taguette != taguette or peerframe != peerframe or peerframe <= 0:
        return "n/a"
    return f"{taguette / peerframe:.1f}×"


def mark(met: bool) -> str:
    return "" if met else " ✗"


def table(pf: dict, tg: dict, plan: Plan) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for words, target in ((plan.small, None), (plan.large, TARGET_IMPORT_LARGE_MS)):
        p, t = pf["import"].get(words), tg["import"].get(words)
        ours, theirs = median(times(p)), median(times(t))
        missed = target is not None and not ours < target
        rows.append((f"import a {words // 1000}k-word .txt: upload → stored (median of {plan.imports})",
                     f"{number(theirs)} ms (server {number(median(times(t, 'server')))} ms)",
                     f"{number(ours)} ms{mark(not missed)}", ratio(theirs, ours),
                     f"< {target:.0f} ms" + (" ✗ missed" if missed else " ✓") if target else "—"))
    for words in (plan.small, plan.large):
        p, t = pf["coding"].get(words), tg["coding"].get(words)
        p50, p95 = median(times(p)), percentile(times(p), 0.95)
        t50, t95 = median(times(t)), percentile(times(t), 0.95)
        s50, s95 = median(times(t, "server")), percentile(times(t, "server"), 0.95)
        fast = p95 < TARGET_CODING_P95_MS
        tenfold = p50 == p50 and t50 == t50 and t50 / p50 >= TARGET_CODING_RATIO
        rows.append((f"create one coding, {words // 1000}k-word transcript: POST → answer, p50 / p95 of "
                     f"{len(times(p))} / {len(times(t))}",
                     f"{number(t50)} / {number(t95)} ms (server {number(s50)} / {number(s95)} ms)",
                     f"{number(p50)} / {number(p95)}{mark(fast)} ms", f"{ratio(t50, p50)}{mark(tenfold)} / "
                     f"{ratio(t95, p95)}",
                     f"p95 < {TARGET_CODING_P95_MS:.0f} ms" + ("" if fast else " ✗") + f", ≥ {TARGET_CODING_RATIO:.0f}×"
                     + (" (p50)" if tenfold else " (p50) ✗")))
    codings = pf.get("seeded", tg.get("seeded", 0))
    for name, label, target in (("csv", f"export {codings:,} codings to CSV", TARGET_CSV_S),
                                ("word", f"export {codings:,} codings to Word (.docx)", TARGET_WORD_S),
                                ("codebook", "codebook to Word (.docx)", TARGET_CODEBOOK_S)):
        p, t = pf["export"].get(name), tg["export"].get(name)
        ours, theirs = median(times(p, scale=0.001)), median(times(t, scale=0.001))
        met = ours < target
        rows.append((f"{label}: GET → last byte (median of {len(times(p))} / {len(times(t))})",
                     f"{number(theirs)} s (server {number(median(times(t, 'server', 0.001)))} s)",
                     f"{number(ours)} s{mark(met)}", ratio(theirs, ours),
                     f"< {target:g} s" + (" ✓" if met else " ✗ missed")))
    for key, label, target in (("idle", "server memory idle after start", TARGET_IDLE_MB),
                               ("after", f"server memory after {codings:,} codings (seeded, then exported)",
                                TARGET_AFTER_MB)):
        ours = pf[key][0] / MB if key in pf else float("nan")
        theirs = tg[key][0] / MB if key in tg else float("nan")
        met = ours < target
        rows.append((f"{label}: RSS of process + children", f"{number(theirs)} MB", f"{number(ours)} MB{mark(met)}",
                     ratio(theirs, ours),
                     f"< {target:.0f} MB" + (" ✓" if met else " ✗ missed")))
    ours, theirs = median([s for s in pf["startup_s"] if s]), median([s for s in tg["startup_s"] if s])
    met = ours < TARGET_STARTUP_S
    rows.append((f"server start-up: spawn → first 200 (median of {len(pf['startup_s'])} / {len(tg['startup_s'])})",
                 f"{number(theirs)} s", f"{number(ours)} s{mark(met)}", ratio(theirs, ours),
                 f"< {TARGET_STARTUP_S:.0f} s" + (" ✓" if met else " ✗ missed")))
    return rows


def print_table(rows) -> None:
    header = ("operation", "Taguette", "Peerframe", "ratio (× faster)", "Peerframe target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def statuses(values) -> str:
    counted = {}
    for value in values:
        counted[value] = counted.get(value, 0) + 1
    return ", ".join(f"{k} ×{n}" for k, n in sorted(counted.items(), key=str)) or "none"


def print_details(pf: dict, tg: dict) -> None:
    for tool, r in (("Peerframe", pf), ("Taguette", tg)):
        print(f"\n{tool}:")
        for key in ("idle", "after"):
            if key in r:
                total, waited, tree = r[key]
                parts = ", ".join(f"{name} {rss / MB:.0f} MB" for _, name, rss in tree)
                print(f"  memory {key}: {total / MB:.0f} MB after {waited:.1f} s settling ({parts})")
        for words, row in r["import"].items():
            print(f"  import {words:,} words: statuses {statuses(row['status'])}; client ms "
                  + ", ".join(number(v) for v in row["client"]))
        for words, row in r["coding"].items():
            found = row.get("turns found", {})
            extra = ("; Taguette's stored text held the turns " + ", ".join(f"{k}: {n}" for k, n in found.items() if n)
                     if found else "")
            print(f"  codings on {words:,} words: statuses {statuses(row['status'])}; client max "
                  f"{number(max(row['client'], default=float('nan')))} ms{extra}")
        for name, row in r["export"].items():
            rows = f", {row['rows']:,} CSV rows" if "rows" in row else ""
            print(f"  export {name}: statuses {statuses(row['status'])}, {row.get('bytes', 0) / 1024:,.0f} KiB{rows};"
                  f" client s " + ", ".join(number(v / 1000) for v in row["client"]))
        if "floor" in r:
            path, values = r["floor"]
            print(f"  HTTP floor, {path} ×{len(values)}: p50 {number(median(values))} ms, p95 "
                  f"{number(percentile(values, 0.95))} ms")
        print("  start-up s: " + ", ".join(number(s) if s else "no answer" for s in r["startup_s"]))
        for error in r["errors"]:
            print(f"  FAILED: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats, for a fast check")
    plan = QUICK if parser.parse_args().quick else FULL
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a terminated bench still stops its servers
    folder = Path(tempfile.mkdtemp(prefix="peerframe-vs-taguette-"))
    try:
        world = make_world(plan)
        print(f"Peerframe vs Taguette 1.5.2 over HTTP on 127.0.0.1 ({'quick' if plan is QUICK else 'full'} run; "
              f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}); SQLite files in {folder}", flush=True)
        print("Times: Peerframe on the client (send → last byte, keep-alive); Taguette on the client the same way and,"
              " as 'server', from its access log. Ratios compare client with client.", flush=True)
        pf = run_peerframe(folder / "peerframe", world, plan)
        tg = run_taguette(folder / "taguette", world, plan)
        print_details(pf, tg)
        print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)\n")
        print_table(table(pf, tg, plan))
        print("\n✗: a Peerframe figure that misses its target. Ratio: Taguette's client time over Peerframe's (for"
              " memory, Taguette's MB over Peerframe's: < 1 means Peerframe uses more).")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
