"""Many coders coding one transcript at once, through the API of the real server on PostgreSQL.

The acceptance check of team coding: 20 coders each add 200 codings at the same time through
`POST /api/documents/{id}/codings` against `peerframe serve --workers 2` on PostgreSQL; every coding
is stored, in its coder's layer, and the event log holds one matching `coding.added` entry for each.
Prints the throughput, the latency (p50, p95, max) and each worker's share of the server's CPU, then a
PASS or FAIL line per check (including that both workers took part); exits non-zero on any FAIL.

Each request opens a new connection, as a person coding does (they pause longer between codings than
uvicorn keeps an idle connection open); --keep-alive sends each coder's requests over one connection, and
then which worker serves a coder is settled once, when its connection is accepted.

Run: python bench/concurrent_coders.py [--database-url postgresql://postgres@127.0.0.1:5432/peerframe_bench]

The benchmark database is created if missing and emptied (DROP SCHEMA public CASCADE) on every run,
so it refuses a database whose name does not contain "bench". Everything runs on 127.0.0.1.
"""

import argparse
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from coding import store
from coding.codebook.frameworks import get_framework  # noqa: E402
from coding.db import make_engine, migrate, session_for  # noqa: E402
from coding.models import Coding, Event, Layer  # noqa: E402
from coding.team import accounts  # noqa: E402
from coding.text.transcripts import read_transcript  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/peerframe_bench"
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}
PASSWORD = "bench-password-not-secret"
READY_TIMEOUT = 90.0
REQUEST_TIMEOUT = 60.0
SETTLE_SECONDS = 3.0  # each worker loads its spaCy pipeline in a background thread after start-up

# --- a fictional interview ------------------------------------------------------------------------

QUESTIONS = [
    "How did you first hear about the group?",
    "What was the first meeting like for you?",
    "Can you tell me a bit more about that?",
    "What does a usual session look like?",
    "Who decides what you talk about?",
    "How does it compare with other help you have had?",
    "Was there a time when it did not feel right?",
    "What would you say to someone thinking of going?",
    "How do the facilitators keep things on track?",
    "What difference has it made to your week?",
]
SENTENCES = [
    "I found out about it from a leaflet in the library, of all places.",
    "The first time I sat near the door in case I wanted to leave early.",
    "Nobody made me talk, they just said I could listen until I was ready.",
    "Everyone there has been through something like what I went through.",
    "We start with a round where you say how your week has been.",
    "What gets said in the room stays in the room, that was agreed at the start.",
    "The facilitator is one of us, she just has a bit of training on top.",
    "Some weeks we go for a walk along the canal instead of sitting inside.",
    "It is different from seeing the doctor, nobody is writing notes about you.",
    "I have made two proper friends there and we meet up outside the group now.",
    "Once somebody new took over the whole evening and it was hard going.",
    "We voted on whether to move the meeting to Thursdays and most people said yes.",
    "The charity pays for the room and the tea, and they check in with us each month.",
    "You can bring your own ideas, last month we did a session on sleep.",
    "I used to dread Tuesdays and now it is the day I look forward to.",
    "I would tell them to give it three goes before deciding anything.",
    "My sister noticed I was laughing more, she said it before I did.",
    "There is no pressure to be cheerful, you can turn up having a bad day.",
    "When I was unwell for a month they sent me a card, which meant a lot.",
    "It took me a while to trust that nobody would judge me for it.",
]
FILLERS = [
    "I moved to the town about six years ago, after my dad passed away.",
    "The bus takes twenty minutes if the traffic on the ring road is kind.",
    "I was working at the garden centre then, part time, mostly weekends.",
    "It was a wet autumn, I remember, the leaves were everywhere.",
    "My neighbour has a dog that barks at the postman every single morning.",
    "I do not remember the exact date, it was a long while back now.",
]


def interview_text(words: int, seed: int) -> str:
    """Fictional interview of about `words` words, in Interviewer: / PV1: turns."""
    rng = random.Random(seed)
    turns, count, n = [], 0, 0
    while count < words:
        if n % 2 == 0:
            body = rng.choice(QUESTIONS)
            turns.append(f"Interviewer: {body}")
        else:
            sentences = [rng.choice(SENTENCES if rng.random() < 0.7 else FILLERS) for _ in range(rng.randint(3, 9))]
            body = " ".join(sentences)
            turns.append(f"PV1: {body}")
        count += len(body.split())
        n += 1
    return "\n\n".join(turns) + "\n"


# --- the database ---------------------------------------------------------------------------------

def plain_url(url: str, database: Optional[str] = None) -> str:
    """A libpq URL (no SQLAlchemy driver suffix), optionally for another database on the same server."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def reset_database(url: str) -> None:
    """Create the benchmark database if missing, then empty it: every run starts clean."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("error: this benchmark runs on PostgreSQL; give a postgresql:// URL")
    name = parsed.database or ""
    if name in PROTECTED_DATABASES or "bench" not in name:
        raise SystemExit(f"error: the benchmark drops every table of its database, so it only uses a database "
                         f"whose name contains 'bench' (and never {', '.join(sorted(PROTECTED_DATABASES))}); "
                         f"not '{name}'")
    admin_error = None
    for maintenance in ("postgres", "test"):  # only to run CREATE DATABASE; nothing inside them is touched
        try:
            with psycopg.connect(plain_url(url, maintenance), autocommit=True, connect_timeout=10) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{name}"')
                    print(f"created database {name}")
            admin_error = None
            break
        except psycopg.OperationalError as exc:
            admin_error = exc
    if admin_error is not None:
        raise SystemExit(f"error: cannot reach the PostgreSQL server to create '{name}': {admin_error}")
    with psycopg.connect(plain_url(url), autocommit=True, connect_timeout=10) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@dataclass
class Coder:
    index: int
    user_id: int
    name: str
    token: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, code key) to send


@dataclass
class World:
    project_id: int
    document_id: int
    lead_token: str
    coders: list[Coder]
    words: int


def set_up(url: str, coders: int, seed: int) -> World:
    """Schema, a lead, coders with tokens, a project, one transcript assigned to every coder."""
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_for(engine) as session:
            lead = accounts.create_user(session, name="bench-lead", password=PASSWORD, display_name="Bench Lead",
                                        admin=True)
            lead_token, _ = accounts.create_token(session, user=lead, name="bench")
            project = store.create_project(session, name="Concurrent coders bench",
                                           framework=get_framework("side-by-side"), user=lead)
            data = interview_text(3000, seed).encode("utf-8")
            document = store.import_document(session, project_id=project.id, user=lead,
                                             transcript=read_transcript("PV1-bench-interview.txt", data))
            team = []
            for i in range(1, coders + 1):
                user = accounts.create_user(session, name=f"bench-coder-{i:02d}", password=PASSWORD,
                                            display_name=f"Bench Coder {i:02d}")
                token, _ = accounts.create_token(session, user=user, name="bench")
                accounts.set_member(session, project_id=project.id, user=user, role="coder", by=lead)
                accounts.assign(session, document=document, coder=user, by=lead)
                team.append(Coder(index=i, user_id=user.id, name=user.name, token=token))
            return World(project_id=project.id, document_id=document.id, lead_token=lead_token, coders=team,
                         words=document.word_count)
    finally:
        engine.dispose()


# --- the server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`peerframe serve --workers N` in its own process group, its output in a temporary file."""

    def __init__(self, url: str, port: int, workers: int):
        self.port, self.workers = port, workers
        self.base = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix="peerframe-bench-server-", suffix=".log", delete=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEERFRAME_")}
        env.update(PEERFRAME_DATABASE_URL=url, PEERFRAME_SECRET_KEY="bench-secret-" + secrets.token_hex(24),
                   PEERFRAME_SINGLE_USER="false", PYTHONUNBUFFERED="1")
        # this checkout's code, whatever copy of peerframe happens to be installed
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
        self.command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                        "--workers", str(workers)]
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, token: str, timeout: float) -> None:
        """Until every worker has started and GET /api/projects answers 200 with the token."""
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        with httpx.Client(base_url=self.base, timeout=5.0, headers={"Authorization": f"Bearer {token}"}) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited with status {self.process.returncode}")
                started = self.output().count("Application startup complete")
                try:
                    response = client.get("/api/projects")
                    last = f"GET /api/projects answered {response.status_code}"
                    if response.status_code == 200 and started >= self.workers:
                        return
                except httpx.TransportError as exc:
                    last = f"GET /api/projects failed: {exc!r}"
                time.sleep(0.25)
        raise RuntimeError(f"the server was not ready after {timeout:.0f} s ({last}; "
                           f"{self.output().count('Application startup complete')} of {self.workers} workers started)")

    def worker_pids(self) -> list[int]:
        """The worker processes, from uvicorn's 'Started server process [PID]' lines."""
        return [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", self.output())]

    def restarts(self) -> list[int]:
        """Workers that uvicorn's supervisor found dead or hung (no answer to its health check in 5 s) and
        replaced; a hung one is killed, with whatever requests it was serving."""
        return [int(pid) for pid in re.findall(r"Child process \[(\d+)\] died", self.output())]

    @staticmethod
    def cpu_seconds(pids: list[int]) -> dict[int, float]:
        """CPU time (user + system) used so far by each process that is still there, from /proc."""
        found = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return found

    def stop(self) -> None:
        """Terminate the server and its workers (the whole process group), then remove the log."""
        try:
            pgid = os.getpgid(self.process.pid)
        except ProcessLookupError:
            pgid = None
        if pgid is not None:
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        if pgid is not None:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.process.poll() is None:
            self.process.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


# --- the load -------------------------------------------------------------------------------------

@dataclass
class Result:
    coder: int
    start: int
    end: int
    code: str
    memo: str
    status: Optional[int]
    latency: float
    coding_id: Optional[int] = None
    error: str = ""


def plan_spans(world: World, document: dict, codes: list[str], per_coder: int, seed: int) -> None:
    """Give every coder `per_coder` spans, distinct across all coders, each a run of whole words inside
    one participant turn, with a top-level code."""
    text = document["text"]
    interviewers = set(document["interviewer_speakers"])
    runs = []  # word spans per participant turn
    for turn in document["turns"]:
        if turn["interviewer"] or turn["speaker"] in interviewers:
            continue
        words = [(turn["start"] + m.start(), turn["start"] + m.end())
                 for m in re.finditer(r"\S+", text[turn["start"]:turn["end"]])]
        if words:
            runs.append(words)
    if not runs:
        raise RuntimeError("the transcript has no participant turns")
    rng = random.Random(seed)
    taken: set[tuple[int, int]] = set()
    wanted = per_coder * len(world.coders)
    available = sum(len(w) * min(len(w), 25) for w in runs)
    if available < wanted * 2:
        raise RuntimeError(f"the transcript is too short for {wanted} distinct spans")
    for coder in world.coders:
        while len(coder.spans) < per_coder:
            words = rng.choice(runs)
            first = rng.randrange(len(words))
            last = min(len(words) - 1, first + rng.randrange(25))
            span = (words[first][0], words[last][1])
            if span in taken:
                continue
            taken.add(span)
            coder.spans.append((span[0], span[1], rng.choice(codes)))


def connect(base: str, world: World, coder: Coder, keep_alive: bool) -> httpx.Client:
    """The coder's client, checked before the clock starts (the coder sees the transcript).

    Without keep-alive every request opens a new connection, as a person coding does: they pause longer
    between codings than the server keeps an idle connection open (uvicorn: 5 s). With keep-alive each coder
    holds one connection for all its requests, and which worker serves it is settled when it is accepted.
    """
    limits = httpx.Limits(max_keepalive_connections=None if keep_alive else 0)
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {coder.token}"}, limits=limits,
                          timeout=REQUEST_TIMEOUT)
    try:
        client.get(f"/api/documents/{world.document_id}").raise_for_status()
    except BaseException:
        client.close()
        raise
    return client


def code_spans(client: httpx.Client, world: World, coder: Coder, barrier: threading.Barrier,
               results: list[Result]) -> None:
    """One coder: wait for the others, then post every coding as fast as the server answers."""
    barrier.wait()
    for k, (start, end, code) in enumerate(coder.spans):
        memo = f"{coder.name} #{k}"
        body = {"start": start, "end": end, "code_id": code, "memo": memo}
        began = time.perf_counter()
        try:
            response = client.post(f"/api/documents/{world.document_id}/codings", json=body)
        except httpx.HTTPError as exc:
            results.append(Result(coder.index, start, end, code, memo, None, time.perf_counter() - began,
                                  error=repr(exc)))
            continue
        latency = time.perf_counter() - began
        result = Result(coder.index, start, end, code, memo, response.status_code, latency)
        if response.status_code == 201:
            result.coding_id = response.json().get("id")
        else:
            result.error = response.text[:300]
        results.append(result)


def first_traceback(log: str) -> str:
    """The first error the server logged: its first line and the end of its traceback."""
    lines = log.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("ERROR:")), None)
    if start is None:
        return "\nthe server logged no error"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("INFO:", "ERROR:", "WARNING:"))),
               len(lines))
    body = lines[start + 1:end]
    if len(body) > 30:
        body = ["  ..."] + body[-30:]
    count = sum(1 for line in lines if line.startswith("ERROR:"))
    return f"\nthe server logged {count} errors; the first:\n" + "\n".join([lines[start]] + body)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


# --- the checks -----------------------------------------------------------------------------------

def verify(url: str, world: World, results: list[Result], expected: int) -> list[tuple[bool, str]]:
    """What the database holds after the load, checked against what every request sent and got back."""
    checks: list[tuple[bool, str]] = []
    by_user = {c.index: c for c in world.coders}
    failed = [r for r in results if r.status != 201 or r.coding_id is None]
    detail = ""
    if failed:
        kinds = Counter(str(r.status) if r.status else "no answer" for r in failed)
        first = failed[0]
        detail = (f" ({', '.join(f'{n}x {k}' for k, n in kinds.items())}; first: coder {first.coder} "
                  f"{first.start}-{first.end} {first.code}: {first.error})")
    checks.append((not failed and len(results) == expected,
                   f"{len(results) - len(failed)} of {expected} requests answered 201 with a coding id{detail}"))

    engine = make_engine(url)
    try:
        with session_for(engine) as session:
            live = list(session.exec(select(Coding).where(Coding.document_id == world.document_id,
                                                          col(Coding.removed).is_(False))))
            every = session.exec(select(Coding).where(Coding.document_id == world.document_id)).all()
            checks.append((len(live) == expected and len(every) == expected,
                           f"{len(live)} live codings stored in the document ({len(every)} in all), "
                           f"expected exactly {expected}"))

            stored = {c.id: c for c in every}
            layers = {layer.id: layer for layer in session.exec(select(Layer)
                                                                .where(Layer.project_id == world.project_id))}
            returned = [r for r in results if r.coding_id is not None]
            ids = [r.coding_id for r in returned]
            problems = []
            if len(set(ids)) != len(ids):
                problems.append(f"{len(ids) - len(set(ids))} coding ids were returned twice")
            missing = [r for r in returned if r.coding_id not in stored]
            if missing:
                problems.append(f"{len(missing)} returned coding ids are not stored (first: {missing[0].coding_id})")
            extra = set(stored) - set(ids)
            if extra:
                problems.append(f"{len(extra)} stored codings were never returned to a coder")
            wrong_layer = wrong_creator = wrong_content = 0
            for r in returned:
                coding = stored.get(r.coding_id)
                if coding is None:
                    continue
                user_id = by_user[r.coder].user_id
                layer = layers.get(coding.layer_id)
                if layer is None or layer.kind != "coder" or layer.user_id != user_id:
                    wrong_layer += 1
                if coding.created_by != user_id:
                    wrong_creator += 1
                if (coding.start, coding.end, coding.memo) != (r.start, r.end, r.memo):
                    wrong_content += 1
            for count, what in ((wrong_layer, "are not in their coder's layer"),
                                (wrong_creator, "have created_by other than the token's user"),
                                (wrong_content, "differ from the span or memo that was sent")):
                if count:
                    problems.append(f"{count} codings {what}")
            coder_layers = Counter(layer.user_id for layer in layers.values() if layer.kind == "coder")
            doubled = [uid for uid, n in coder_layers.items() if n != 1]
            if doubled:
                problems.append(f"{len(doubled)} coders have more than one layer")
            per_layer = Counter(c.layer_id for c in live)
            uneven = [c.name for c in world.coders
                      if sum(n for lid, n in per_layer.items() if layers[lid].user_id == c.user_id) != len(c.spans)]
            if uneven:
                problems.append(f"{len(uneven)} coders' layers do not hold exactly their codings (first: {uneven[0]})")
            checks.append((not problems,
                           "every coding is in its coder's own layer, created_by that coder, as sent"
                           if not problems else "layers and creators: " + "; ".join(problems)))

            events = list(session.exec(select(Event).where(Event.project_id == world.project_id,
                                                           Event.kind == "coding.added")))
            checks.append((len(events) == expected,
                           f"{len(events)} coding.added events in the project's log, expected exactly {expected}"))
            logged = Counter(e.payload.get("coding") for e in events)
            twice = [cid for cid, n in logged.items() if n > 1]
            unlogged = set(stored) - set(logged)
            stray = set(logged) - set(stored)
            mismatched = 0
            for e in events:
                coding = stored.get(e.payload.get("coding"))
                if coding is None:
                    continue
                if (e.user_id != coding.created_by or e.document_id != coding.document_id
                        or e.payload.get("layer") != coding.layer_id
                        or (e.payload.get("start"), e.payload.get("end")) != (coding.start, coding.end)):
                    mismatched += 1
            problems = [f"{n} {what}" for n, what in ((len(twice), "codings are logged more than once"),
                                                      (len(unlogged), "codings have no coding.added event"),
                                                      (len(stray), "events name a coding that is not stored"),
                                                      (mismatched, "events disagree with their coding's "
                                                                   "creator, document, layer or span")) if n]
            checks.append((not problems,
                           "the coding.added events match the codings one to one, each by the coding's creator"
                           if not problems else "event log: " + "; ".join(problems)))
    finally:
        engine.dispose()
    return checks


# --- the run --------------------------------------------------------------------------------------

def _interrupted(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL database to (re)create and use")
    parser.add_argument("--coders", type=int, default=20, help="coders coding at once")
    parser.add_argument("--codings", type=int, default=200, help="codings each coder adds")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: pick a free one)")
    parser.add_argument("--keep-alive", action="store_true",
                        help="each coder sends all its requests over one connection (default: a new one each)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the transcript and the spans")
    args = parser.parse_args()
    if args.coders < 1 or args.codings < 1 or args.workers < 1:
        parser.error("--coders, --codings and --workers must be at least 1")
    url, expected = args.database_url, args.coders * args.codings

    signal.signal(signal.SIGTERM, _interrupted)  # a terminated benchmark still stops its server

    print("Peerframe: concurrent coders through the API")
    reset_database(url)
    print(f"database: {shown_url(url)} (emptied and migrated)")
    world = set_up(url, args.coders, args.seed)
    port = args.port or free_port()
    server = Server(url, port, args.workers)
    results: list[Result] = []
    server_log = ""
    try:
        try:
            server.wait_ready(world.lead_token, READY_TIMEOUT)
        except RuntimeError as exc:
            print(f"error: {exc}\n--- server output ---\n{server.output()}--- end of server output ---",
                  file=sys.stderr)
            return 2
        time.sleep(SETTLE_SECONDS)
        print(f"server: {' '.join(server.command[1:])} (pid {server.process.pid})")
        with httpx.Client(base_url=server.base, timeout=REQUEST_TIMEOUT,
                          headers={"Authorization": f"Bearer {world.coders[0].token}"}) as client:
            document = client.get(f"/api/documents/{world.document_id}").raise_for_status().json()
            codes = [c["id"] for c in client.get(f"/api/projects/{world.project_id}/codes").raise_for_status().json()
                     if c["parent"] is None and not c["retired"]]
        participant_turns = sum(1 for t in document["turns"] if not t["interviewer"])
        print(f"transcript: {document['word_count']} words, {len(document['text'])} characters, "
              f"{len(document['turns'])} turns ({participant_turns} by {document['participant']})")
        print(f"codes: {len(codes)} top-level codes of side-by-side")
        plan_spans(world, document, codes, args.codings, args.seed)
        print(f"load: {args.coders} coders x {args.codings} codings = {expected} POST "
              f"/api/documents/{world.document_id}/codings, at once, {args.workers} server workers, "
              f"{'one kept-alive connection per coder' if args.keep_alive else 'a new connection per request'}")

        clients = []
        try:
            for coder in world.coders:
                clients.append(connect(server.base, world, coder, args.keep_alive))
            barrier = threading.Barrier(args.coders + 1)
            shards: list[list[Result]] = [[] for _ in world.coders]
            failures: list[BaseException] = []

            def run(client: httpx.Client, coder: Coder, shard: list[Result]) -> None:
                try:
                    code_spans(client, world, coder, barrier, shard)
                except BaseException as exc:  # reported below; the barrier must not hang the others
                    failures.append(exc)
                    barrier.abort()

            threads = [threading.Thread(target=run, args=(client, c, s), name=f"coder-{c.index}", daemon=True)
                       for client, c, s in zip(clients, world.coders, shards)]
            pids = server.worker_pids()
            cpu_before, own_before = Server.cpu_seconds(pids), os.times()
            for thread in threads:
                thread.start()
            try:
                barrier.wait(timeout=120)
            except threading.BrokenBarrierError:
                pass
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - began
            cpu_after, own_after = Server.cpu_seconds(pids), os.times()
            restarted = server.restarts()
        finally:
            for client in clients:
                client.close()
        if failures:
            print(f"error: a coder stopped: {failures[0]!r}", file=sys.stderr)
            return 2
        results = [r for shard in shards for r in shard]
    finally:
        server_log = server.output()
        server.stop()

    ok = [r for r in results if r.status == 201]
    latencies = sorted(r.latency * 1000 for r in results)
    print()
    print(f"total codings:   {len(ok)} added by {len(results)} requests ({expected} planned)")
    print(f"wall time:       {wall:.2f} s")
    print(f"throughput:      {len(ok) / wall:.1f} codings/s")
    print(f"latency:         p50 {percentile(latencies, 0.50):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
          f"max {latencies[-1]:.1f} ms" if latencies else "latency:         no requests")
    measured = [pid for pid in pids if pid in cpu_before and pid in cpu_after]
    used = {pid: cpu_after[pid] - cpu_before[pid] for pid in measured}
    total = sum(used.values())
    if used:
        print("server CPU:      " + ", ".join(f"worker {pid} {seconds:.1f} s ({seconds / (total or 1):.0%})"
                                              for pid, seconds in used.items())
              + f" = {total * 1000 / max(1, len(ok)):.1f} ms per coding")
    if restarted:
        print(f"server:          uvicorn replaced {len(restarted)} worker(s) during the run "
              f"({', '.join(map(str, restarted))}: dead, or hung past its 5 s health check and killed)")
    own = own_after.user + own_after.system - own_before.user - own_before.system
    print(f"client CPU:      {own:.1f} s (this process); machine: {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    print()
    checks = verify(url, world, results, expected)
    if args.workers > 1:
        least = min(used.values()) / (total or 1) if len(used) == args.workers else 0.0
        wanted = 0.2 / args.workers
        checks.append((len(used) == args.workers and least >= wanted and not restarted,
                       f"all {args.workers} workers served the load without a restart (least busy: {least:.0%} of "
                       f"the server's CPU, {wanted:.0%} wanted; {len(used)} of {args.workers} workers measured; "
                       f"{len(restarted)} restarts)"))
    for passed, message in checks:
        print(f"{'PASS' if passed else 'FAIL'} {message}")
    if len(ok) < len(results):
        print(first_traceback(server_log))
    passed = all(p for p, _ in checks)
    print("\nPASS: all checks" if passed else "\nFAIL: see above")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
