"""How fast a long coded transcript opens and takes a new coding.

Builds a 20,000-word interview with 500 codings on a temporary SQLite file, then times, through the
real application: opening the document page, adding one coding from the page, and the size of the page.
Run: python bench/render_speed.py
"""

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from coding import store  # noqa: E402
from coding.db import session_for  # noqa: E402
from coding.frameworks import get_framework  # noqa: E402
from coding.transcripts import read_transcript  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402

WORDS = ("peer support felt safe group together listening shared experience café trust choose time "
         "people week facilitator online post reply kindness 😊 understood judged").split()


def build_transcript(words: int, rng: random.Random) -> str:
    turns, count, n = [], 0, 0
    while count < words:
        speaker = "Interviewer" if n % 2 == 0 else "PV44"
        length = rng.randint(8, 25) if speaker == "Interviewer" else rng.randint(40, 160)
        turns.append(f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(length)) + ".")
        count += length
        n += 1
    return "\n\n".join(turns)


def timed(fn, repeat: int) -> list[float]:
    results = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        results.append((time.perf_counter() - began) * 1000)
    return results


def main() -> None:
    rng = random.Random(7)
    folder = tempfile.mkdtemp()
    app = create_app(Settings(database_url=f"sqlite:///{folder}/bench.db", single_user=True))
    with session_for(app.state.engine) as session:
        user = store.ensure_user(session, name="local")
        project = store.create_project(session, name="Bench", framework=get_framework("side-by-side"), user=user)
        began = time.perf_counter()
        transcript = read_transcript("long.txt", build_transcript(20_000, rng).encode())
        document = store.import_document(session, project_id=project.id, user=user, transcript=transcript)
        import_ms = (time.perf_counter() - began) * 1000
        codes = [c for c in store.project_codes(session, project_id=project.id)]
        turns = store.document_turns(session, document_id=document.id)
        for _ in range(500):
            turn = rng.choice(turns)
            start = rng.randint(turn.start, turn.end - 2)
            end = min(turn.end, start + rng.randint(20, 300))
            store.add_coding(session, document=document, code=rng.choice(codes), user=user, start=start, end=end)
        doc_id, words, n_turns = document.id, document.word_count, len(turns)
        first_turn = turns[len(turns) // 2]

    with TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000)) as client:
        page = client.get(f"/documents/{doc_id}")
        client.headers["X-CSRF-Token"] = page.text.split('name="csrf-token" content="')[1].split('"')[0]
        page_ms = timed(lambda: client.get(f"/documents/{doc_id}"), 10)
        add_ms = timed(lambda: client.post(f"/documents/{doc_id}/codings",
                                           data={"start": first_turn.start, "end": first_turn.start + 30,
                                                 "code": "safety"}, headers={"HX-Request": "true"}), 20)
    print(f"transcript: {words} words, {n_turns} turns, 500 codings (SQLite file)")
    print(f"import (read + store):            {import_ms:8.1f} ms")
    print(f"document page, server side:       {statistics.median(page_ms):8.1f} ms median of 10 "
          f"(max {max(page_ms):.1f} ms), {len(page.content) / 1024:.0f} KiB of HTML")
    print(f"add one coding from the page:     {statistics.median(add_ms):8.1f} ms median of 20 "
          f"(max {max(add_ms):.1f} ms)")


if __name__ == "__main__":
    main()
