"""How fast a coded transcript opens and takes a new coding, in Peerframe and, from the same run, Taguette 1.5.2.

Peerframe, through the real app on a temporary SQLite file (TestClient, in-process). Its server time is the
app's own: from the moment the request reaches it to its last byte of response, as Taguette's access log counts
it (tornado's request_time); the test client's side of each call is printed beside it as the round trip. The
document page for a 10,000-word interview with 1,000 codings (median and p90 of 15 after a
warm-up, and its size), adding one coding from the page (htmx POST), a 100,000-word interview's first screen
(the page holds the first chunk of turns; later ones arrive from /turns as the coder scrolls, timed as "a far
chunk"), and a 1,000,000-word interview's import, page, a far chunk, find in the whole text and one coding.
The warm-up view also scores the page's suggestions once; later views read them from the database.
Taguette 1.5.2, installed into bench/.taguette-venv on first use, gets the same texts and codings (as highlights
over the same tags) in its own database; its single-user server runs on 127.0.0.1 and its own access log gives
the server time of the three calls a browser makes to open a document (the page /project/P/document/D,
/api/project/P/document/D for the highlights and .../contents; /api/project/P only takes POSTs in 1.5.2), and of
adding a highlight. Peerframe's add-a-coding time runs until the app returns, so it includes the background task
the route schedules after its answer. A step that fails is printed with
where it failed, and the run goes on. Interviews are fictional, generated from a fixed seed; temp folders are
removed and Taguette's server stopped at the end. About half a minute; the first run also installs Taguette.
Run: python3 bench/render_speed.py
"""

import random
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import local_client  # noqa: E402

from bench.taguette_bench import Taguette  # noqa: E402
from coding import store  # noqa: E402
from coding.codebook.frameworks import get_framework  # noqa: E402
from coding.db import session_for  # noqa: E402
from coding.limits import Limits  # noqa: E402
from coding.text.transcripts import read_transcript  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402

WORDS = ("peer support felt safe group together listening shared experience café trust choose time "
         "people week facilitator online post reply kindness 😊 understood judged").split()
SIZES = (10_000, 100_000, 1_000_000)
CODINGS = 1_000
REPEAT = {10_000: 15, 100_000: 5, 1_000_000: 2}
TARGET_MS = {10_000: 25, 100_000: 100}


def build_turns(words: int, rng: random.Random) -> list[tuple[str, str]]:
    """(speaker, utterance) pairs of a fictional interview, `words` words long."""
    turns, count = [], 0
    while count < words:
        speaker = "Interviewer" if len(turns) % 2 == 0 else "PV44"
        length = rng.randint(8, 25) if speaker == "Interviewer" else rng.randint(40, 160)
        turns.append((speaker, " ".join(rng.choice(WORDS) for _ in range(length)) + "."))
        count += length
    return turns


def plan_codings(turns, n: int, codes: int, rng: random.Random) -> list[tuple[int, int, int, int]]:
    """(turn, offset in utterance, length, code) for n random codings; several land in one turn and overlap."""
    plan = []
    for _ in range(n):
        turn = rng.randrange(len(turns))
        utterance = turns[turn][1]
        offset = rng.randint(0, len(utterance) - 2)
        plan.append((turn, offset, min(len(utterance) - offset, rng.randint(20, 300)), rng.randrange(codes)))
    return plan


def overlaps(plan) -> int:
    """How many codings overlap an earlier one in the same turn."""
    seen, count = {}, 0
    for turn, offset, length, _ in plan:
        spans = seen.setdefault(turn, [])
        count += any(offset < e and s < offset + length for s, e in spans)
        spans.append((offset, offset + length))
    return count


class ServerClock:
    """An ASGI wrapper that times each HTTP request inside the app: `answered_ms` from its arrival to the last
    body message of the response, `returned_ms` to the app's return (after any background task)."""

    def __init__(self, app):
        self.app, self.answered_ms, self.returned_ms = app, float("nan"), float("nan")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        began = time.perf_counter()

        async def send_timed(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.answered_ms = (time.perf_counter() - began) * 1000

        await self.app(scope, receive, send_timed)
        self.returned_ms = (time.perf_counter() - began) * 1000


def timed(fn, repeat: int, clock: ServerClock) -> tuple[list[float], list[float], object]:
    """The server times and the round trips of `repeat` calls of fn, and its last answer."""
    served, trips, last = [], [], None
    for _ in range(repeat):
        began = time.perf_counter()
        last = fn()
        trips.append((time.perf_counter() - began) * 1000)
        served.append(clock.answered_ms)
    return served, trips, last


def p90(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, round(0.9 * (len(values) - 1)))]


def code_names(codes) -> list[str]:
    """The names of a framework's codes and their sub-codes, depth first."""
    return [name for c in codes for name in [c.name, *code_names(c.children)]]


def seed_peerframe(app, turns, plan, tags: list[str]) -> dict:
    """Import the interview into a project of its own and store the planned codings; time the import."""
    with session_for(app.state.engine) as session:
        user = store.ensure_user(session, name="local")
        project = store.create_project(session, name=f"Bench {len(turns)} turns", user=user,
                                       framework=get_framework("side-by-side"))
        text = "\n\n".join(f"{speaker}: {utterance}" for speaker, utterance in turns)
        began = time.perf_counter()
        transcript = read_transcript("interview.txt", text.encode(), limits=Limits(upload_bytes=64 * 1024 * 1024))
        document = store.import_document(session, project_id=project.id, user=user, transcript=transcript)
        import_ms = (time.perf_counter() - began) * 1000
        codes = {c.name: c for c in store.project_codes(session, project_id=project.id)}
        stored = store.document_turns(session, document_id=document.id)
        if len(stored) != len(turns):
            raise RuntimeError(f"Peerframe read {len(stored)} turns, the benchmark wrote {len(turns)}")
        for turn, offset, length, code in plan:
            store.add_coding(session, document=document, code=codes[tags[code]], user=user,
                             start=stored[turn].start + offset, end=stored[turn].start + offset + length, commit=False)
        session.commit()
        return {"id": document.id, "words": document.word_count, "import_ms": import_ms, "code": codes[tags[0]].key,
                "starts": [t.start for t in stored], "last": f'id="turn-{stored[-1].id}"'}


def step(result: dict, name: str, fn) -> bool:
    """Run one step of a measurement; on an exception note it under result["errors"] and go on."""
    try:
        fn()
        return True
    except Exception as error:  # a benchmark reports a failure and goes on
        app_frames = [f for f in traceback.extract_tb(error.__traceback__) if "/coding/" in f.filename
                      or "/server/" in f.filename]
        where = "".join(f" (in {Path(f.filename).parent.name}/{Path(f.filename).name}:{f.lineno} {f.name})"
                        for f in app_frames[-2:])
        result.setdefault("errors", []).append(f"{name}: {type(error).__name__}: {str(error)[:120]}{where}")
        return False


def measure_page(client, clock: ServerClock, doc: dict, repeat: int, result: dict) -> None:
    """Page time and size, after one warm-up."""
    path = f"/documents/{doc['id']}"
    first = client.get(path)
    if "X-CSRF-Token" not in client.headers and 'name="csrf-token" content="' in first.text:
        client.headers["X-CSRF-Token"] = first.text.split('name="csrf-token" content="')[1].split('"')[0]
    result["page_ms"], result["page_trip_ms"], page = timed(lambda: client.get(path), repeat, clock)
    result.update(status=page.status_code, bytes=len(page.content), whole=doc["last"] in page.text)
    middle = doc["starts"][len(doc["starts"]) // 2]  # a far passage: the chunk a jump or a deep link loads
    client.get(f"{path}/turns", params={"at": middle})
    result["chunk_ms"], _, chunk = timed(lambda: client.get(f"{path}/turns", params={"at": middle}), repeat, clock)
    result["find_ms"], _, found = timed(lambda: client.get(f"{path}/find", params={"q": "kindness"}), repeat, clock)
    result.update(chunk_status=chunk.status_code, find_status=found.status_code)


def measure_adds(client, clock: ServerClock, doc: dict, adds: list[tuple[int, int, int]], result: dict) -> None:
    """Add one coding per (turn, offset, length) as the page does (htmx POST)."""
    result["add_ms"], result["add_status"] = [], []
    for turn, offset, length in adds:
        start = doc["starts"][turn] + offset
        answered = step(result, "add a coding", lambda: result.update(last=client.post(
            f"/documents/{doc['id']}/codings", headers={"HX-Request": "true"},
            data={"start": start, "end": start + length, "code": doc["code"]}).status_code))
        if answered:
            result["add_ms"].append(clock.returned_ms)
        result["add_status"].append(result.pop("last") if answered else "server exception")
        if not answered:
            break


def run_peerframe(folder: Path, worlds: dict, tags: list[str]) -> dict:
    app = create_app(Settings(database_url=f"sqlite:///{folder}/peerframe.db", single_user=True))
    results = {}
    clock = ServerClock(app)
    with local_client(clock) as client:
        for words, (turns, plan, adds) in worlds.items():
            result = results[words] = {}
            if step(result, "import and codings", lambda: result.update(seed_peerframe(app, turns, plan, tags))):
                step(result, "document page", lambda: measure_page(client, clock, result, REPEAT[words], result))
                step(result, "add a coding", lambda: measure_adds(client, clock, result, adds, result))
    return results


def run_taguette(folder: Path, worlds: dict, tags: list[str]) -> tuple[dict, str]:
    documents = [{"turns": [f"{s}: {u}" for s, u in turns],
                  "highlights": [(t, offset + len(turns[t][0]) + 2, length, code)
                                 for t, offset, length, code in plan]}
                 for turns, plan, _ in worlds.values()]
    taguette = Taguette(folder, documents, tags)
    results = {}
    try:
        taguette.start()
        for index, (words, (turns, _, adds)) in enumerate(worlds.items()):
            try:
                opened = taguette.open_document(index, REPEAT[words])
                spans = [(t, offset + len(turns[t][0]) + 2, length) for t, offset, length in adds]
                opened["add_status"], opened["add_ms"] = taguette.add_highlights(index, spans)
                results[words] = opened
            except Exception as error:
                results[words] = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
        return results, ""
    except Exception as error:
        return results, f"{type(error).__name__}: {str(error)[:300]}"
    finally:
        taguette.stop()


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def statuses(values) -> str:
    return ", ".join(sorted(set(map(str, values))))


def print_details(words: int, turns, plan, r: dict, t: dict | None) -> None:
    """Everything measured for one interview size."""
    print(f"\n{words:,}-word interview: {len(turns):,} turns, {len(plan):,} codings ({overlaps(plan)} overlap another)")
    for error in r.get("errors", []):
        print(f"  Peerframe FAILED at {error}")
    if "import_ms" in r:
        print(f"  Peerframe import (read + store): {r['import_ms']:.1f} ms")
    if "page_ms" in r:
        shown = "whole page (no lazy loading yet)" if r["whole"] else "first screen (later turns load on scroll)"
        print(f"  Peerframe GET /documents/{{id}}: median {median(r['page_ms']):.1f} ms, p90 {p90(r['page_ms']):.1f} ms"
              f" of {len(r['page_ms'])} after a warm-up (round trip through the test client: median"
              f" {median(r['page_trip_ms']):.1f} ms); status {r['status']}; {r['bytes'] / 1024:,.0f} KiB; {shown}")
    if "chunk_ms" in r:
        print(f"  Peerframe GET /documents/{{id}}/turns?at= (a far chunk): median {median(r['chunk_ms']):.1f} ms;"
              f" find a word in the whole text: median {median(r['find_ms']):.1f} ms;"
              f" statuses {r['chunk_status']}, {r['find_status']}")
    if r.get("add_status"):
        print(f"  Peerframe add one coding (htmx POST): median {median(r['add_ms']):.1f} ms of {len(r['add_ms'])}"
              f" answered; statuses {statuses(r['add_status'])}")
    if t and "error" not in t:
        parts = ", ".join(f"{n} {median(t[n]):.1f} ms ({t['bytes'][n] / 1024:,.0f} KiB, {t['status'][n]})"
                          for n in ("page", "highlights", "contents"))
        print(f"  Taguette open (server time, median of {len(t['page'])}): {parts}")
        print(f"  Taguette add one highlight: median {median(t['add_ms']):.1f} ms;"
              f" statuses {statuses(t['add_status'])}")
    elif t:
        print(f"  Taguette failed: {t['error']}")


def print_table(pf: dict, tg: dict) -> None:
    """operation | Peerframe ms | Taguette ms | target, and whether the pages meet their targets."""
    def ours(words, key, fn=median):
        r = pf.get(words, {})
        return f"{fn(r[key]):.1f}" if key in r and r[key] != [] else "failed"

    def theirs(words, *keys):
        t = tg.get(words)
        return f"{sum(median(t[k]) for k in keys):.1f}" if t and "error" not in t else "n/a"

    opening = ("page", "highlights", "contents")
    small, mid, big = SIZES
    first = "whole page (no lazy loading yet)" if pf.get(mid, {}).get("whole", True) else "first screen"
    rows = [
        ("open 10k words / 1k codings (median)", ours(small, "page_ms"), theirs(small, *opening), "< 25"),
        ("open 10k words / 1k codings (p90)", ours(small, "page_ms", p90), "", "< 25"),
        ("  Taguette: page / highlights / contents", "", " / ".join(theirs(small, k) for k in opening), ""),
        ("add one coding, 10k words (median)", ours(small, "add_ms"), theirs(small, "add_ms"), ""),
        (f"100k words: {first}", ours(mid, "page_ms"), theirs(mid, *opening), "< 100"),
        ("100k words: a far chunk of turns (median)", ours(mid, "chunk_ms"), "", ""),
        ("1M words: import", ours(big, "import_ms", lambda v: v), "", "opens"),
        ("1M words: open (median)", ours(big, "page_ms"), theirs(big, *opening), "opens"),
        ("1M words: a far chunk of turns (median)", ours(big, "chunk_ms"), "", ""),
        ("1M words: find a word in the whole text", ours(big, "find_ms"), "", ""),
        ("1M words: add one coding (median of answered)", ours(big, "add_ms"), theirs(big, "add_ms"), "codes"),
    ]
    print(f"\n{'operation':<46} | Peerframe ms | {'Taguette ms':<18} | target ms")
    print("-" * 94)
    for name, a, b, target in rows:
        print(f"{name:<46} | {a:>12} | {b:>18} | {target}")
    for words in (small, mid):
        r = pf.get(words, {})
        if "page_ms" in r:
            verdict = "under" if median(r["page_ms"]) < TARGET_MS[words] else "NOT under"
            print(f"{words:,}-word page: median {median(r['page_ms']):.1f} ms is {verdict}"
                  f" its {TARGET_MS[words]} ms target")
    r = pf.get(big, {})
    print(f"{big:,}-word interview: {'opened (status %s)' % r['status'] if 'status' in r else 'did not open'}; "
          f"adding a coding answered: {statuses(r.get('add_status', [])) or 'not tried'}")


def main() -> None:
    rng = random.Random(7)
    folder = Path(tempfile.mkdtemp(prefix="peerframe-render-"))
    try:
        tags = code_names(get_framework("side-by-side").codes)
        worlds = {}
        for words in SIZES:
            turns = build_turns(words, rng)
            plan = plan_codings(turns, CODINGS, len(tags), rng)
            adds = [t[:3] for t in plan_codings(turns, REPEAT[words], len(tags), rng)]
            worlds[words] = (turns, plan, adds)
        print(f"Render benchmark: SQLite file databases in {folder}; Peerframe in-process, Taguette 1.5.2 on 127.0.0.1")
        pf = run_peerframe(folder, worlds, tags)
        (folder / "taguette").mkdir()
        tg, why = run_taguette(folder / "taguette", worlds, tags)
        for words, (turns, plan, _) in worlds.items():
            print_details(words, turns, plan, pf[words], tg.get(words))
        if why:
            print(f"\nTaguette 1.5.2 could not be measured: {why}")
        print_table(pf, tg)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
