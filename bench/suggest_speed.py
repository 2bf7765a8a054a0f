"""Speed of keyword suggestions next to spaCy's bare tokenizer, and import-to-suggestions time.

Run: python bench/suggest_speed.py
"""

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coding.codebook.frameworks import get_framework  # noqa: E402
from coding.suggest.scoring import Scorer, evidence_from_framework  # noqa: E402
from coding.text import nlp  # noqa: E402
from coding.text.transcripts import read_transcript  # noqa: E402

SENTENCES = [
    "I felt safe because what we said in the room stayed in the room.",
    "We do a bit of gardening on Tuesdays and then have a cup of tea.",
    "Nobody judged me, I could just be myself for once.",
    "The facilitator books the room and keeps an eye on the time.",
    "Some weeks I don't go, and that's fine, nobody chases you.",
    "It helps knowing they've been through the same kind of thing.",
    "The charity paid for our training and we get supervision every month.",
    "We swap tips on coping, what works for one of us might work for another.",
    "It's like a little family now, I've made proper friends there.",
    "You have to have a diagnosis to join, it's for people with bipolar.",
]
# everyday talk that carries no code: real interviews are mostly this
PLAIN = [
    "I moved here about six years ago, after my mum passed.",
    "It was a Thursday, I think, or maybe a Wednesday.",
    "My daughter was living with me then, she's at college now.",
    "I used to work at the big supermarket on the ring road.",
    "The bus takes about twenty minutes if the traffic is all right.",
    "I don't remember exactly, it was a long time ago now.",
]


def transcript(words: int, seed: int = 3) -> str:
    rng = random.Random(seed)
    turns, count, n = [], 0, 0
    while count < words:
        if n % 2 == 0:
            body = "Can you tell me a bit more about that?"
        else:
            body = " ".join(rng.choice(SENTENCES if rng.random() < 0.5 else PLAIN) for _ in range(rng.randint(2, 8)))
        turns.append(("Interviewer: " if n % 2 == 0 else "PV44: ") + body)
        count += len(body.split())
        n += 1
    return "\n\n".join(turns)


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    evidence = evidence_from_framework(get_framework("side-by-side"))
    began = time.perf_counter()
    nlp.warm_up()
    load = time.perf_counter() - began
    began = time.perf_counter()
    scorer = Scorer(evidence)
    build = time.perf_counter() - began
    text = transcript(100_000)
    parsed = read_transcript("long.txt", text.encode())
    spans = [(t.start, t.end) for t in parsed.turns if t.speaker != "Interviewer"]
    words = len(text.split())
    tokenizer = nlp.pipeline().tokenizer
    bare = best_of(lambda: tokenizer(text))
    suggesting = best_of(lambda: scorer.units(text, spans))
    found = len(scorer.units(text, spans))
    print(f"transcript: {words} words, {len(parsed.turns)} turns")
    print(f"pipeline and word tables loaded in {load * 1000:.0f} ms (once per process, in the background at start-up); "
          f"scorer built in {build * 1000:.0f} ms (once per codebook and model)")
    print(f"bare spaCy tokenizer:        {words / bare:>12,.0f} words/s")
    print(f"keyword suggestions:         {words / suggesting:>12,.0f} words/s  ({found} sentences suggested)")
    print(f"ratio suggestions/tokenizer: {bare / suggesting:>12.2f}")

    import_to_page(transcript(20_000, seed=5).encode())


def import_to_page(data: bytes) -> None:
    """Through the running application: upload a transcript, then open its page with suggestions marked."""
    import tempfile

    from tests.conftest import local_client

    from server.app import create_app
    from server.settings import Settings

    nlp.warm_up()  # the server does this in the background when it starts
    app = create_app(Settings(database_url=f"sqlite:///{tempfile.mkdtemp()}/bench.db", single_user=True))
    with local_client(app) as client:
        project = client.post("/api/projects", json={"name": "Bench"}).json()
        began = time.perf_counter()
        document = client.post(f"/api/projects/{project['id']}/documents",
                               files={"file": ("interview.txt", data)}).json()
        imported = time.perf_counter()
        page = client.get(f"/documents/{document['id']}")
        shown = time.perf_counter()
    marked = page.text.count('class="suggestion"')
    print(f"20,000-word transcript through the app: import {1000 * (imported - began):.0f} ms, "
          f"page with {marked} suggestions {1000 * (shown - imported):.0f} ms, "
          f"import to suggestions shown {1000 * (shown - began):.0f} ms")
    print("  (the import's first suggestions are scored after its response; the test client waits for that, a "
          "browser does not)")


if __name__ == "__main__":
    main()
