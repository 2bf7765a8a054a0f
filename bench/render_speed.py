"""How fast a coded transcript opens and takes a new coding, in Peerframe and, from the same run, Taguette 1.5.2.

Peerframe, through the real app on a temporary SQLite file (TestClient, in-process, so "server time" is the
whole request): the document page for a 10,000-word interview with 1,000 codings (median and p90 of 15 after a
warm-up, and its size), adding one coding from the page (htmx POST), a 100,000-word interview's first screen,
and a 1,000,000-word interview's import, page and one coding. Taguette 1.5.2, installed into bench/.taguette-venv
on first use, gets the same texts and codings (as highlights over the same tags) in its own database; its single-
user server runs on 127.0.0.1 and its own access log gives the server time of the three calls a browser makes to
open a document, and of adding a highlight. Interviews are fictional, generated from a fixed seed.
Run: python3 bench/render_speed.py
"""

import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from bench.taguette_bench import Taguette  # noqa: E402
from coding import store  # noqa: E402
from coding.db import session_for  # noqa: E402
from coding.frameworks import get_framework  # noqa: E402
from coding.transcripts import read_transcript  # noqa: E402
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


def timed(fn, repeat: int) -> tuple[list[float], object]:
    results, last = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        last = fn()
        results.append((time.perf_counter() - began) * 1000)
    return results, last


def p90(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, round(0.9 * (len(values) - 1)))]


def code_names(codes) -> list[str]:
    """The names of a framework's codes and their sub-codes, depth first."""
    return [name for c in codes for name in [c.name, *code_names(c.children)]]


def seed_peerframe(app, turns, plan, tags: list[str]) -> dict:
    """Import the interview into a project of its own and store the planned codings; time the import."""
    with session_for(app.state.engine) as session:
        user = store.ensure_user(session, name="local")
        project = store.create_project(session, name=f"Bench {len(turns)} turns", framework=get_framework("side-by-side"),
                                       user=user)
        text = "\n\n".join(f"{speaker}: {utterance}" for speaker, utterance in turns)
        began = time.perf_counter()
        transcript = read_transcript("interview.txt", text.encode(), max_bytes=64 * 1024 * 1024)
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


def measure_peerframe(client, doc: dict, repeat: int, adds: list[tuple[int, int, int]]) -> dict:
    """Page time and size (after one warm-up), and adding codings from the page."""
    path = f"/documents/{doc['id']}"
    first = client.get(path)
    if "X-CSRF-Token" not in client.headers and 'name="csrf-token" content="' in first.text:
        client.headers["X-CSRF-Token"] = first.text.split('name="csrf-token" content="')[1].split('"')[0]
    page_ms, page = timed(lambda: client.get(path), repeat)
    statuses, add_ms = [], []
    for turn, offset, length in adds:
        start = doc["starts"][turn] + offset
        began = time.perf_counter()
        response = client.post(f"{path}/codings", data={"start": start, "end": start + length, "code": doc["code"]},
                               headers={"HX-Request": "true"})
        add_ms.append((time.perf_counter() - began) * 1000)
        statuses.append(response.status_code)
    return {"page_ms": page_ms, "status": page.status_code, "bytes": len(page.content),
            "whole": doc["last"] in page.text, "add_ms": add_ms, "add_status": statuses}


def run_peerframe(folder: Path, worlds: dict, tags: list[str]) -> dict:
    app = create_app(Settings(database_url=f"sqlite:///{folder}/peerframe.db", single_user=True))
    results = {}
    with TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000)) as client:
        for words, (turns, plan, adds) in worlds.items():
            try:
                doc = seed_peerframe(app, turns, plan, tags)
                results[words] = dict(doc, **measure_peerframe(client, doc, REPEAT[words], adds))
            except Exception as error:  # a benchmark reports a failure and goes on
                results[words] = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
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


def report(worlds: dict, pf: dict, tg: dict, why_no_taguette: str) -> None:
    for words, (turns, plan, _) in worlds.items():
        r = pf[words]
        print(f"\n{words:,}-word interview: {len(turns):,} turns, {len(plan):,} codings ({overlaps(plan)} overlap another)")
        if "error" in r:
            print(f"  Peerframe failed: {r['error']}")
        else:
            print(f"  Peerframe import (read + store): {r['import_ms']:9.1f} ms")
            print(f"  Peerframe GET /documents/{{id}}: median {median(r['page_ms']):.1f} ms, p90 {p90(r['page_ms']):.1f} ms"
                  f" of {len(r['page_ms'])} after a warm-up; status {r['status']}; {r['bytes'] / 1024:,.0f} KiB of HTML;"
                  f" {'whole page (no lazy loading yet)' if r['whole'] else 'first screen (later turns load on scroll)'}")
            print(f"  Peerframe add one coding (htmx POST): median {median(r['add_ms']):.1f} ms of {len(r['add_ms'])},"
                  f" statuses {sorted(set(r['add_status']))}")
        t = tg.get(words)
        if t and "error" not in t:
            parts = ", ".join(f"{name} {median(t[name]):.1f} ms ({t['bytes'][name] / 1024:,.0f} KiB, {t['status'][name]})"
                              for name in ("page", "highlights", "contents"))
            print(f"  Taguette open (server time, median of {len(t['page'])}): {parts}")
            print(f"  Taguette add one highlight: median {median(t['add_ms']):.1f} ms, statuses {sorted(set(t['add_status']))}")
        elif t:
            print(f"  Taguette failed: {t['error']}")
    if why_no_taguette:
        print(f"\nTaguette 1.5.2 could not be measured: {why_no_taguette}")

    def pf_cell(words, key, fn=median):
        r = pf.get(words, {})
        return f"{fn(r[key]):.1f}" if key in r else "failed"

    def tg_cell(words, fn):
        t = tg.get(words)
        return f"{fn(t):.1f}" if t and "error" not in t else "n/a"

    three = lambda t: sum(median(t[n]) for n in ("page", "highlights", "contents"))  # noqa: E731
    small, mid, big = SIZES
    first = "whole page (no lazy loading yet)" if pf.get(mid, {}).get("whole", True) else "first screen"
    rows = [
        ("open 10k words / 1k codings (median)", pf_cell(small, "page_ms"), tg_cell(small, three), "< 25"),
        ("open 10k words / 1k codings (p90)", pf_cell(small, "page_ms", p90), "", "< 25"),
        ("  Taguette: page / highlights / contents", "", tg_cell(small, lambda t: median(t["page"])) + " / " +
         tg_cell(small, lambda t: median(t["highlights"])) + " / " + tg_cell(small, lambda t: median(t["contents"])), ""),
        ("add one coding, 10k words (median)", pf_cell(small, "add_ms"), tg_cell(small, lambda t: median(t["add_ms"])), ""),
        (f"100k words: {first}", pf_cell(mid, "page_ms"), tg_cell(mid, three), "< 100"),
        ("1M words: import", pf_cell(big, "import_ms", lambda v: v), "", "opens"),
        ("1M words: open (median)", pf_cell(big, "page_ms"), tg_cell(big, three), "opens"),
        ("1M words: add one coding", pf_cell(big, "add_ms"), tg_cell(big, lambda t: median(t["add_ms"])), "codes"),
    ]
    print("\noperation                                      | Peerframe ms | Taguette ms        | target ms")
    print("-" * 94)
    for name, a, b, target in rows:
        print(f"{name:<46} | {a:>12} | {b:>18} | {target}")
    for words in (small, mid):
        r = pf.get(words, {})
        if "page_ms" in r:
            verdict = "under" if median(r["page_ms"]) < TARGET_MS[words] else "NOT under"
            print(f"{words:,}-word page: median {median(r['page_ms']):.1f} ms is {verdict} its {TARGET_MS[words]} ms target")
    r = pf.get(big, {})
    print(f"1,000,000-word interview: {'opened (status %s)' % r['status'] if 'status' in r else 'did not open'}, "
          f"adding a coding answered {r.get('add_status', ['nothing'])[0]}")


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
        report(worlds, pf, tg, why)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
