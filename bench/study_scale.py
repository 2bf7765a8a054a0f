"""A large study on PostgreSQL: how fast the team's pages and exports answer, and whether memory grows with it.

Builds one project on the Side by Side framework with 200 fictional interviews of about 10,000 words each
(about 2 million words), 40 participants with attributes (approach, site, gender, age band) each interviewed
five times, 8 coders who are members, each transcript assigned to 2 or 3 of them and marked done by most,
and 100,000 codings spread over the coders' layers. The first coding of each coder goes through
`store.add_coding` (which makes the coder's layer as the app does); the rest are bulk inserts of exactly
the rows `add_coding` writes, a `Coding` in the coder's layer and its `coding.added` event with the same
payload, ids taken from the same sequences. The seed is checked against the app's own rows before timing.
No reconciliation decisions are seeded: a consensus layer would make the quote pages read only it.

Then it signs in as the lead with an API token and times `create_app()` served by uvicorn in a child
process on 127.0.0.1 (a request running past its timeout, 60 s or 8× its target, can then be given up
on: the server is restarted for the next step; TestClient in this process could not stop it): the project
page, the coded-quotes page unfiltered and filtered (`?code=safety&attr=approach:online`), the analysis
page and its matrix and pyramid figures, the agreement page, one transcript's reconciliation queue with 3
coders, the Word quote report of every quote and the REFI-QDA (.qdpx) export. For each: the first (cold)
call, the median of 5 after it (of 2 when the cold call took over 20 s; n is shown), the answer's size,
the server's peak RSS (VmHWM, as getrusage reports it) before and after, and ✓/✗ on the median against
the targets: pages under 300 ms, agreement under 2 s, the Word report under 15 s, and no step raising the
peak RSS by more than 200 MB. A request that fails is reported as failed and the run goes on.

Agreement figures are kept in the database until the project changes, and a big project's are worked out by a
job: the bench deletes any kept from an earlier run, so the cold call starts that job; it then loads the page
until the figures are there (the note says how long that took) and times the page with them. The analysis
page keeps its figures in the server process the same way: its cold call makes them, the repeats show them.

Run: python bench/study_scale.py [--database-url postgresql://postgres@127.0.0.1:5432/peerframe_study_bench]
     [--reseed] [--quick]

The database (created if missing) is seeded once and reused while its counts are complete; --reseed empties
it (DROP SCHEMA public CASCADE) and seeds again, so only a database whose name contains "bench" is used.
--quick builds a 10× smaller study (20 transcripts, 10,000 codings, 4 participants) in a database of its
own whose name ends in _quick_bench. Seeding the full study takes a few minutes; progress is printed.
"""

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import delete, func, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from coding import store  # noqa: E402
from coding.codebook.frameworks import get_framework  # noqa: E402
from coding.db import make_engine, migrate, session_for  # noqa: E402
from coding.models import (AgreementFigures, Coding, Document, DocumentStatus, Event, Layer, Membership,  # noqa: E402
                           Participant, utcnow)
from coding.store.checks import memo as checked_memo  # noqa: E402
from coding.team import accounts  # noqa: E402
from coding.text.transcripts import read_transcript  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/peerframe_study_bench"
QUICK_URL = "postgresql://postgres@127.0.0.1:5432/peerframe_study_quick_bench"
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}
PROJECT = "Side by Side study (bench)"
PASSWORD = "bench-password-not-secret"
SEED = 20170
PAGE_MS, AGREEMENT_MS, REPORT_MS = 300, 2_000, 15_000
RSS_GROWTH_MB = 200
REPEAT, SLOW_REPEAT, SLOW_COLD_MS = 5, 2, 20_000


@dataclass(frozen=True)
class Scale:
    transcripts: int
    words: int
    coders: int
    codings: int
    participants: int


FULL = Scale(transcripts=200, words=10_000, coders=8, codings=100_000, participants=40)
QUICK = Scale(transcripts=20, words=10_000, coders=8, codings=10_000, participants=4)

# --- fictional interviews -------------------------------------------------------------------------

QUESTIONS = [
    "How did you first hear about the {thing}?", "What was the first {meeting} like for you?",
    "Can you tell me a bit more about that?", "What does a usual {meeting} look like?",
    "Who decides what you talk about in the {thing}?", "How does it compare with other help you have had?",
    "Was there a time when the {thing} did not feel right?", "What would you say to someone thinking of joining?",
    "How do the {leader}s keep things on track?", "What difference has it made to your week?",
    "Did you feel you could say no to anything?", "How safe did it feel to talk about your own experiences?",
    "Who else was there, roughly?", "What happens if somebody is having a really bad day?",
    "Is there anything you would change about how it is run?", "How did you get on with the others?",
]
OPENERS = ["", "", "", "To be honest, ", "I think ", "Well, ", "I suppose ", "You know, ", "At first ", "Looking back, "]
SENTENCES = [
    "I found out about the {thing} from a leaflet at the {place}, of all places.",
    "the first time I sat near the door in case I wanted to leave early.",
    "nobody made me talk, they just said I could listen until I was ready.",
    "everyone there has been through something like what I went through with my {trouble}.",
    "we start with a round where you say how your week has been.",
    "what gets said in the {meeting} stays in the {meeting}, that was agreed at the start.",
    "the {leader} is one of us, {pronoun} just has a bit of training on top.",
    "some weeks we go for a walk along the {walk} instead of sitting inside.",
    "it is different from seeing the doctor, nobody is writing notes about you.",
    "I have made two proper friends there and we meet up outside the {thing} now.",
    "once somebody new took over the whole evening and it was hard going.",
    "we voted on whether to move the {meeting} to {day}s and most people said yes.",
    "the charity pays for the room and the tea, and they check in with us each month.",
    "you can bring your own ideas, last month we did a session on {topic}.",
    "I used to dread {day}s and now it is the day I look forward to.",
    "I would tell them to give it three goes before deciding anything.",
    "my {relative} noticed I was laughing more, {pronoun} said it before I did.",
    "there is no pressure to be cheerful, you can turn up having a bad day.",
    "when I was unwell for a month they sent me a card, which meant a lot.",
    "it took me a while to trust that nobody would judge me for my {trouble}.",
    "online it is easier because you can just read the posts until you feel like replying.",
    "the {leader} reminded people of the ground rules when it got heated.",
    "I chose what to share and nobody pushed me for more than that.",
    "being with people who get it without explaining, that is the main thing for me.",
    "sometimes the {meeting} is mostly chat and tea, and that is fine too.",
    "the {leader} gave me a number to ring when things got bad at home.",
    "they trained us as volunteers, two Saturdays and then supervision once a month.",
    "it is open to anyone, you do not need a diagnosis or a referral to come.",
    "I felt listened to properly, not just waiting for my turn to speak.",
    "a couple of times it felt cliquey and I nearly stopped going.",
]
FILLERS = [
    "I moved to {town} about six years ago, after my dad passed away.",
    "the bus takes twenty minutes if the traffic on the ring road is kind.",
    "I was working at the {place} then, part time, mostly weekends.",
    "it was a wet autumn, I remember, the leaves were everywhere.",
    "my neighbour has a dog that barks at the postman every single morning.",
    "I do not remember the exact date, it was a long while back now.",
    "we had the builders in at the time so the house was upside down.",
]
FILL = {
    "thing": ["group", "forum", "project", "drop-in", "peer support", "walking group", "café"],
    "meeting": ["meeting", "session", "group", "evening", "chat"],
    "leader": ["facilitator", "moderator", "peer worker", "volunteer", "coordinator"],
    "place": ["library", "GP surgery", "job centre", "community centre", "garden centre", "mosque", "church hall"],
    "trouble": ["anxiety", "depression", "voices", "low moods", "panic attacks", "eating", "drinking"],
    "walk": ["canal", "river", "park", "seafront", "old railway line"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "topic": ["sleep", "benefits forms", "cooking on a budget", "mindfulness", "gardening", "art"],
    "relative": ["sister", "brother", "mum", "partner", "daughter", "son", "friend"],
    "pronoun": ["she", "he", "they"],
    "town": ["Leeds", "Hastings", "Luton", "Preston", "Swansea", "Croydon", "Bolton"],
}
SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, rng: random.Random) -> str:
    return SLOT.sub(lambda m: rng.choice(FILL[m.group(1)]), template)


def sentence(rng: random.Random) -> str:
    body = fill(rng.choice(SENTENCES if rng.random() < 0.75 else FILLERS), rng)
    said = rng.choice(OPENERS) + body
    return said[0].upper() + said[1:]


def interview_text(words: int, tag: str, seed: int) -> str:
    """A fictional interview of about `words` words, in Interviewer: / PV12: turns."""
    rng = random.Random(seed)
    turns, count = [], 0
    while count < words:
        if len(turns) % 2 == 0:
            body = fill(rng.choice(QUESTIONS), rng)
            turns.append(f"Interviewer: {body}")
        else:
            body = " ".join(sentence(rng) for _ in range(rng.randint(2, 10)))
            turns.append(f"{tag}: {body}")
        count += len(body.split())
    return "\n\n".join(turns) + "\n"


def participant_attributes(n: int, rng: random.Random) -> dict[str, str]:
    return {"approach": ("online", "group", "one-to-one")[n % 3],
            "site": rng.choice(["Leeds", "Hastings", "Luton", "Preston", "Swansea", "Croydon"]),
            "gender": rng.choice(["woman", "man", "non-binary"]),
            "age band": rng.choice(["18-25", "26-40", "41-60", "over 60"]),
            "role": rng.choice(["member", "member", "member", "peer worker"])}


# --- the database ---------------------------------------------------------------------------------

def plain_url(url: str, database: Optional[str] = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def checked_name(url: str, quick: bool) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("error: this benchmark runs on PostgreSQL; give a postgresql:// URL")
    name = parsed.database or ""
    if name in PROTECTED_DATABASES or "bench" not in name:
        raise SystemExit(f"error: --reseed drops every table of the benchmark's database, so it only uses a "
                         f"database whose name contains 'bench'; not '{name}'")
    if quick and not name.endswith("_quick_bench"):
        raise SystemExit(f"error: --quick builds its small study in a database of its own, whose name ends in "
                         f"'_quick_bench'; not '{name}'")
    return name


def ensure_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(plain_url(url, "postgres"), autocommit=True, connect_timeout=10) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def empty_database(url: str) -> None:
    with psycopg.connect(plain_url(url), autocommit=True, connect_timeout=10) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def study_counts(url: str) -> Optional[dict[str, int]]:
    """What the study in the database holds, or None when there is no study (or no schema) yet."""
    with psycopg.connect(plain_url(url), autocommit=True, connect_timeout=10) as conn:
        if not conn.execute("SELECT to_regclass('public.project')").fetchone()[0]:
            return None
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_for(engine) as session:
            project = store.find_project(session, name=PROJECT)
            if project is None:
                return None
            pid = project.id
            count = lambda query: session.exec(query).one()  # noqa: E731
            return {
                "transcripts": count(select(func.count()).select_from(Document).where(Document.project_id == pid)),
                "participants": count(select(func.count()).select_from(Participant)
                                      .where(Participant.project_id == pid)),
                "coders": count(select(func.count()).select_from(Membership)
                                .where(Membership.project_id == pid, Membership.role == "coder")),
                "codings": count(select(func.count()).select_from(Coding).join(Layer, Layer.id == Coding.layer_id)
                                 .where(Layer.project_id == pid, Layer.kind == "coder")),
                "coding events": count(select(func.count()).select_from(Event)
                                       .where(Event.project_id == pid, Event.kind == "coding.added")),
                "done": count(select(func.count()).select_from(DocumentStatus)
                              .join(Document, Document.id == DocumentStatus.document_id)
                              .where(Document.project_id == pid, DocumentStatus.state == store.DONE)),
            }
    finally:
        engine.dispose()


def complete(counts: Optional[dict[str, int]], scale: Scale) -> bool:
    return counts is not None and counts["transcripts"] == scale.transcripts and \
        counts["participants"] == scale.participants and counts["coders"] == scale.coders and \
        counts["codings"] == scale.codings == counts["coding events"] and counts["done"] > 0


# --- seeding --------------------------------------------------------------------------------------

def passages(document: Document, turns, interviewers: set[str]) -> list[tuple[int, int]]:
    """Candidate passages: one to three whole sentences inside one participant turn."""
    found = []
    for turn in turns:
        if turn.speaker in interviewers:
            continue
        body = document.text[turn.start:turn.end]
        sentences = [(turn.start + m.start(), turn.start + m.end()) for m in re.finditer(r"[^.!?]+[.!?]", body)]
        sentences = [(s + len(document.text[s:e]) - len(document.text[s:e].lstrip()), e) for s, e in sentences]
        for i in range(len(sentences)):
            for width in (1, 2, 3):
                if i + width <= len(sentences):
                    found.append((sentences[i][0], sentences[i + width - 1][1]))
    return found


def seed(url: str, scale: Scale) -> None:
    """Build the study: people, participants, transcripts, assignments, codings with their events, statuses."""
    began = time.perf_counter()
    rng = random.Random(SEED)
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_for(engine) as session:
            lead = accounts.create_user(session, name="study-lead", password=PASSWORD, display_name="Lena Lead",
                                        admin=True)
            project = store.create_project(session, name=PROJECT, framework=get_framework("side-by-side"), user=lead)
            first_names = ["Amira", "Ben", "Cara", "Dev", "Ewa", "Farah", "Gus", "Hana", "Ify", "Jon"]
            coders = []
            for i in range(scale.coders):
                coder = accounts.create_user(session, name=f"coder-{i + 1}", password=PASSWORD,
                                             display_name=f"{first_names[i % len(first_names)]} Coder{i + 1}")
                accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
                coders.append(coder)
            tags = [f"PV{n + 1}" for n in range(scale.participants)]
            store.set_attributes(session, project_id=project.id, user=lead,
                                 rows=[(tag, participant_attributes(n, rng)) for n, tag in enumerate(tags)])
            print(f"  {len(coders)} coders, {len(tags)} participants ({time.perf_counter() - began:.0f} s)", flush=True)

            documents = []
            for i in range(scale.transcripts):
                tag = tags[i % len(tags)]
                data = interview_text(scale.words, tag, SEED + i).encode("utf-8")
                transcript = read_transcript(f"{tag}-interview-{i // len(tags) + 1}.txt", data)
                documents.append(store.import_document(session, project_id=project.id, user=lead,
                                                       transcript=transcript, participant=tag))
                if (i + 1) % 25 == 0 or i + 1 == scale.transcripts:
                    print(f"  imported {i + 1}/{scale.transcripts} transcripts, "
                          f"{sum(d.word_count for d in documents):,} words ({time.perf_counter() - began:.0f} s)",
                          flush=True)

            # 2 or 3 coders per transcript, taking turns round the team so each has a similar load
            team_of: dict[int, list] = {}
            turn = 0
            for document in documents:
                size = 3 if rng.random() < 0.5 else 2
                team_of[document.id] = [coders[(turn + k) % len(coders)] for k in range(size)]
                turn += size
                for coder in team_of[document.id]:
                    accounts.assign(session, document=document, coder=coder, by=lead)
            pairs = [(d, c) for d in documents for c in team_of[d.id]]
            print(f"  {len(pairs)} assignments ({time.perf_counter() - began:.0f} s)", flush=True)

            codes = [c for c in store.project_codes(session, project_id=project.id) if not c.retired]
            siblings = {c.key: [s for s in codes if s.parent_key == c.parent_key] for c in codes}
            base, extra = divmod(scale.codings, len(pairs))
            quota = {(d.id, c.id): base + (1 if k < extra else 0) for k, (d, c) in enumerate(pairs)}
            id_sequence = session.execute(text("SELECT pg_get_serial_sequence('coding', 'id')")).scalar_one()
            layers = {}
            written = 0
            for number, document in enumerate(documents, 1):
                interviewers = set(document.interviewer_speakers)
                spans = passages(document, store.document_turns(session, document_id=document.id), interviewers)
                most = max(quota[(document.id, c.id)] for c in team_of[document.id])
                shared = [(rng.choice(spans), rng.choice(codes)) for _ in range(most)]  # what a team would see
                rows, events = [], []
                for coder in team_of[document.id]:
                    wanted = quota[(document.id, coder.id)]
                    planned = []
                    for j in range(wanted):
                        if rng.random() < 0.75:
                            span, code = shared[j]
                            if rng.random() < 0.2:
                                code = rng.choice(siblings[code.key])
                        else:
                            span, code = rng.choice(spans), rng.choice(codes)
                        memo = rng.choice(["", "", "", "", "", "", "", "", "", "check with the team",
                                           "strong example", "ties in with the ground rules"])
                        planned.append((span, code, memo))
                    if coder.id not in layers:  # the coder's first coding, through the app: it makes the layer
                        (start, end), code, memo = planned.pop(0)
                        made = store.add_coding(session, document=document, code=code, user=coder, start=start,
                                                end=end, memo=memo, commit=True)
                        layers[coder.id] = made.layer_id
                        written += 1
                    if not planned:
                        continue
                    ids = list(session.execute(text("SELECT nextval(:seq) FROM generate_series(1, :n)"),
                                               {"seq": id_sequence, "n": len(planned)}).scalars())
                    for coding_id, ((start, end), code, memo) in zip(ids, planned):
                        memo = checked_memo(memo)
                        now = utcnow()
                        rows.append({"id": coding_id, "layer_id": layers[coder.id], "document_id": document.id,
                                     "code_id": code.id, "start": start, "end": end, "memo": memo,
                                     "origin": "manual", "created_by": coder.id, "created_at": now, "removed": False})
                        events.append({"project_id": project.id, "user_id": coder.id, "at": now,
                                       "kind": "coding.added", "document_id": document.id, "undoes": None,
                                       "payload": {"coding": coding_id, "code": code.key, "start": start, "end": end,
                                                   "memo": memo, "origin": "manual", "layer": layers[coder.id]}})
                session.execute(insert(Coding), rows)
                session.execute(insert(Event), events)
                session.commit()
                written += len(rows)
                if number % 25 == 0 or number == len(documents):
                    print(f"  codings for {number}/{len(documents)} transcripts: {written:,} "
                          f"({time.perf_counter() - began:.0f} s)", flush=True)

            # most coders have finished: 9 in 10 marked done, the rest still in progress
            for document, coder in pairs:
                store.set_status(session, document=document, user=coder,
                                 state=store.DONE if rng.random() < 0.9 else store.IN_PROGRESS)
            three = next((d for d in documents if len(team_of[d.id]) == 3), None)
            if three is not None:  # the reconciliation queue below needs one transcript with three finished coders
                for coder in team_of[three.id]:
                    store.set_status(session, document=three, user=coder, state=store.DONE)
            print(f"  statuses set ({time.perf_counter() - began:.0f} s)", flush=True)
            check_seed(session, project_id=project.id, layers=layers)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    finally:
        engine.dispose()
    print(f"seeded in {time.perf_counter() - began:.0f} s", flush=True)


def check_seed(session, *, project_id: int, layers: dict[int, int]) -> None:
    """The bulk rows must look exactly like the ones add_coding wrote: same columns set, same event payload."""
    for user_id, layer_id in layers.items():
        codings = list(session.exec(select(Coding).where(Coding.layer_id == layer_id).order_by(Coding.id).limit(2)))
        if len(codings) < 2:
            continue
        app_made, bulk = codings
        shape = lambda c: {k: type(v).__name__ for k, v in c.model_dump().items() if k not in ("id",)}  # noqa: E731
        if shape(app_made) != shape(bulk) or not app_made.created_by == bulk.created_by == user_id:
            raise SystemExit(f"seed check failed: bulk coding {bulk.id} differs in shape from add_coding's "
                             f"{app_made.id}: {shape(bulk)} vs {shape(app_made)}")
        found = {e.payload["coding"]: e for e in session.exec(
            select(Event).where(Event.kind == "coding.added", Event.project_id == project_id,
                                col(Event.document_id).in_([app_made.document_id, bulk.document_id]),
                                Event.user_id == user_id))}
        a, b = found.get(app_made.id), found.get(bulk.id)
        if a is None or b is None or list(a.payload) != list(b.payload) or b.payload["layer"] != layer_id \
                or (b.payload["start"], b.payload["end"], b.payload["memo"]) != (bulk.start, bulk.end, bulk.memo):
            raise SystemExit(f"seed check failed: the coding.added events of codings {app_made.id} and {bulk.id} "
                             "do not match")
    print("  seed check: bulk codings and events have the shape add_coding writes", flush=True)


# --- timing ---------------------------------------------------------------------------------------

SERVE = ("import sys, uvicorn; from server.app import create_app; "
         "uvicorn.run(create_app(), host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')")
READY_TIMEOUT = 120.0


def memory_mb(pid: int) -> tuple[float, float]:
    """A process's peak RSS (VmHWM, what getrusage reports for it) and its current RSS, in MB."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                found[line.split(":")[0]] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found.get("VmHWM", float("nan")), found.get("VmRSS", float("nan"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """`create_app()` under uvicorn (one process, the default thread pool) on 127.0.0.1, so a request that
    runs too long can be given up on: the server is then stopped and started again for the next step."""

    def __init__(self, url: str, token: str, folder: Path):
        self.token, self.folder = token, folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PEERFRAME_")}
        self.env.update(PEERFRAME_DATABASE_URL=url, PEERFRAME_SINGLE_USER="false",
                        PEERFRAME_SECRET_KEY="bench-secret-" + secrets.token_hex(24),
                        PEERFRAME_JOBS_DIR=str(folder / "jobs"), PEERFRAME_MEDIA_DIR=str(folder / "media"),
                        PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        self.process: Optional[subprocess.Popen] = None
        self.starts = 0

    def start(self) -> None:
        self.port = free_port()
        self.log = open(self.folder / f"server-{self.starts}.log", "wb")
        self.process = subprocess.Popen([sys.executable, "-c", SERVE, str(self.port)], cwd=ROOT, env=self.env,
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.starts += 1
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}",
                                   headers={"Authorization": f"Bearer {self.token}"})
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.process.returncode}: "
                                   f"{(self.folder / f'server-{self.starts - 1}.log').read_text()[-500:]}")
            try:
                if self.client.get("/api/projects", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {READY_TIMEOUT:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.client.close()
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.log.close()
        self.process = None

    def memory(self) -> tuple[float, float]:
        return memory_mb(self.process.pid)


@dataclass
class Row:
    step: str
    path: str
    target_ms: Optional[float]
    cold_ms: Optional[float] = None
    times: tuple = ()
    size: int = 0
    peak_before: float = 0.0
    peak_after: float = 0.0
    rss_after: float = 0.0
    error: str = ""
    note: str = ""
    working: Optional[str] = None  # in the page while its figures are still being worked out in the background

    @property
    def median_ms(self) -> Optional[float]:
        return statistics.median(self.times) if self.times else None

    @property
    def grew(self) -> float:
        return self.peak_after - self.peak_before

    @property
    def timeout_s(self) -> float:
        return max(60.0, 8 * (self.target_ms or 15_000) / 1000)


def first_line(body: str) -> str:
    match = re.search(r'"detail"\s*:\s*"([^"]*)', body)
    return (match.group(1) if match else body.strip().splitlines()[0] if body.strip() else "(empty body)")[:120]


def timed_get(server: AppServer, row: Row) -> tuple[float, httpx.Response]:
    began = time.perf_counter()
    response = server.client.get(row.path, timeout=row.timeout_s)
    return (time.perf_counter() - began) * 1000, response


def measure(server: AppServer, row: Row) -> Row:
    """The cold call, then the median of the repeats; a failure is noted and the step ends (after a timeout the
    server is started again, so the next step is measured on a server that is not still busy)."""
    row.peak_before = server.memory()[0]
    try:
        row.cold_ms, response = timed_get(server, row)
        if response.status_code != 200:
            row.error = f"{response.status_code}: {first_line(response.text)}"
        else:
            row.size = len(response.content)
            row.note = describe(response)
            if row.working and row.working in response.text:
                row.note = wait_for_figures(server, row)
            repeat = REPEAT if row.cold_ms < SLOW_COLD_MS else SLOW_REPEAT
            times = []
            for _ in range(repeat):
                ms, response = timed_get(server, row)
                if response.status_code != 200:
                    row.error = f"{response.status_code} on a repeat: {first_line(response.text)}"
                    break
                times.append(ms)
            row.times = tuple(times)
    except httpx.TimeoutException:
        row.error = f"timeout: no answer within {row.timeout_s:.0f} s (server restarted for the next step)"
    except Exception as error:  # a benchmark reports the failure and goes on to the next step
        row.error = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:120]}"
    row.peak_after, row.rss_after = server.memory()
    if row.error.startswith("timeout") or server.process.poll() is not None:
        server.stop()
        server.start()
    return row


def wait_for_figures(server: AppServer, row: Row) -> str:
    """Load the page every half second until its figures are there (a job works them out after the cold call);
    the repeats then time the page with its figures. Says how long they took."""
    began = time.perf_counter()
    while time.perf_counter() - began < row.timeout_s:
        time.sleep(0.5)
        response = server.client.get(row.path, timeout=row.timeout_s)
        if response.status_code == 200 and row.working not in response.text:
            row.size = len(response.content)
            return f"the cold call started a job; figures ready {time.perf_counter() - began:.1f} s later"
    return f"figures still being worked out after {row.timeout_s:.0f} s"


def describe(response) -> str:
    """How a download was sent: with a Content-Length (built whole first) or chunked."""
    kind = response.headers.get("content-type", "")
    if "html" in kind or "svg" in kind:
        return ""
    sent = "chunked" if response.headers.get("transfer-encoding") == "chunked" else \
        "Content-Length set" if "content-length" in response.headers else "no length"
    return f"{kind.split(';')[0].rsplit('.', 1)[-1]}, {sent}"


def verdict(row: Row) -> str:
    if row.error:
        return "✗"
    marks = []
    if row.target_ms is not None:
        marks.append(row.median_ms is not None and row.median_ms < row.target_ms)
    marks.append(row.grew <= RSS_GROWTH_MB)
    return "✓" if all(marks) else "✗"


def study_steps(session, project_id: int) -> tuple[list[Row], str]:
    """The requests to time, and a line saying which transcript the reconciliation queue is for."""
    three = None
    for document in store.list_documents(session, project_id=project_id):
        if len(store.done_coders(session, document_id=document.id)) == 3:
            three = document
            break
    p = f"/projects/{project_id}"
    rows = [
        Row("page: project", p, PAGE_MS),
        Row("page: coded quotes, unfiltered", f"{p}/quotes", PAGE_MS),
        Row("page: coded quotes, safety + online", f"{p}/quotes?code=safety&attr=approach:online", PAGE_MS),
        Row("page: analysis (matrix, pyramid, freq.)", f"{p}/analysis", PAGE_MS),
        Row("figure: values × decisions matrix svg", f"{p}/figures/matrix.svg", PAGE_MS),
        Row("figure: pyramid svg", f"{p}/figures/pyramid.svg", PAGE_MS),
        Row("agreement page", f"{p}/agreement", AGREEMENT_MS, working='id="agreement-working"'),
    ]
    if three is not None:
        rows.append(Row("page: reconcile queue, 3 coders", f"/documents/{three.id}/reconcile", PAGE_MS))
    rows += [
        Row("Word quote report, every quote", f"/api{p}/exports/word-quotes", REPORT_MS),
        Row("REFI-QDA project export (.qdpx)", f"/api{p}/exports/refi-qdpx", None),
    ]
    where = f"reconcile queue: {three.name} (document {three.id})" if three else "no transcript has 3 finished coders"
    return rows, where


def fmt_ms(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:,.0f}" if value >= 1000 else f"{value:.1f}"


def print_table(rows: list[Row], baseline: float, starts: int) -> None:
    print(f"\nthe server's peak RSS before the first step (started, one request answered): {baseline:,.0f} MB"
          + (f"; it was started {starts} times (again after each timeout)" if starts > 1 else ""))
    head = (f"{'step':<41} | {'cold ms':>8} | {'median ms':>13} | {'target':>8} | ok | {'size':>10} | "
            f"{'peak RSS before → after':>23} | note")
    print(head)
    print("-" * len(head))
    for r in rows:
        target = "—" if r.target_ms is None else f"< {r.target_ms:,.0f}"
        rss = f"{r.peak_before:,.0f} → {r.peak_after:,.0f} MB"
        flag = f"RSS +{r.grew:,.0f} MB > {RSS_GROWTH_MB}" if r.grew > RSS_GROWTH_MB else ""
        if r.error:
            note = f"FAILED {r.error}"
            median = "—"
        else:
            note = "; ".join(n for n in (r.note, flag) if n)
            median = f"{fmt_ms(r.median_ms)} (n={len(r.times)})"
        size = f"{r.size / 1024:,.0f} KiB" if r.size else "—"
        print(f"{r.step:<41} | {fmt_ms(r.cold_ms):>8} | {median:>13} | {target:>8} | {verdict(r):<2} | {size:>10} | "
              f"{rss:>23} | {note}")
    print("\ntargets (judged on the median): pages under 300 ms of server time, agreement under 2 s, the Word report "
          f"under 15 s, no step raising the peak RSS by more than {RSS_GROWTH_MB} MB; the .qdpx has no time target")
    print(f"the server's current RSS after the last step: {rows[-1].rss_after:,.0f} MB; wall time measured on the "
          "client over loopback (server time plus a local round trip); each step's timeout: 60 s, or 8× its target")


def run_steps(url: str) -> None:
    engine = make_engine(url)
    try:
        with session_for(engine) as session:
            project = store.find_project(session, name=PROJECT)
            lead = accounts.user_named(session, name="study-lead")
            token, _ = accounts.create_token(session, user=lead,
                                             name=f"study bench {time.strftime('%Y-%m-%d %H:%M:%S')}")
            rows, where = study_steps(session, project.id)
            words = session.exec(select(func.sum(Document.word_count)).where(Document.project_id == project.id)).one()
            # agreement figures kept from an earlier run would be shown at once: the first view works them out
            session.execute(delete(AgreementFigures).where(col(AgreementFigures.project_id) == project.id))
            session.commit()
    finally:
        engine.dispose()
    folder = Path(tempfile.mkdtemp(prefix="peerframe-study-"))
    server = AppServer(url, token, folder)
    try:
        server.start()
        print(f"timing as the lead against create_app() under uvicorn on 127.0.0.1 (pid {server.process.pid}); "
              f"{words:,} words; {where}", flush=True)
        baseline = server.memory()[0]
        for row in rows:
            print(f"  {row.step}: GET {row.path} …", end=" ", flush=True)
            measure(server, row)
            print(f"FAILED {row.error}" if row.error else
                  f"cold {fmt_ms(row.cold_ms)} ms, median {fmt_ms(row.median_ms)} ms", flush=True)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print_table(rows, baseline, server.starts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help=f"default {DEFAULT_URL} ({QUICK_URL} with --quick)")
    parser.add_argument("--reseed", action="store_true", help="empty the database and seed the study again")
    parser.add_argument("--quick", action="store_true", help="a 10× smaller study in a database of its own")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)  # the child that seeds
    args = parser.parse_args()
    url = args.database_url or (QUICK_URL if args.quick else DEFAULT_URL)
    scale = QUICK if args.quick else FULL
    checked_name(url, args.quick)
    if args.seed_only:
        empty_database(url)
        seed(url, scale)
        return
    ensure_database(url)
    counts = None if args.reseed else study_counts(url)
    if complete(counts, scale):
        print(f"reusing the seeded study in {make_url(url).database}: " +
              ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    else:
        why = "--reseed" if args.reseed else "no study yet" if counts is None else \
            "incomplete (" + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ")"
        print(f"seeding {make_url(url).database} ({why}): {scale.transcripts} transcripts × ~{scale.words:,} words, "
              f"{scale.coders} coders, {scale.codings:,} codings, {scale.participants} participants", flush=True)
        child = [sys.executable, str(Path(__file__).resolve()), "--seed-only", "--database-url", url] + \
            (["--quick"] if args.quick else [])
        subprocess.run(child, check=True, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        counts = study_counts(url)
        if not complete(counts, scale):
            raise SystemExit(f"error: the seeded study is incomplete: {counts}")
    run_steps(url)


if __name__ == "__main__":
    main()
