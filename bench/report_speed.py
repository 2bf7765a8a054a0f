"""How fast the Word and Excel quote reports are built for 10,000 coded passages.

Builds 10,000 quotes over a 40-code hierarchy, then times in one run: the Word quote report
(`write_quotes`, with and without the coder and document columns), the floor of plain python-docx
(`table.add_row()` 10,000 times on an empty document, two cells' text set), and the Excel export.
Target: the Word quote report in under 2 s.
Run: python bench/report_speed.py
"""

import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document as WordDocument  # noqa: E402

from coding.analysis.retrieval import Quote, code_paths  # noqa: E402
from coding.exchange.docx import write_quotes  # noqa: E402
from coding.exchange.xlsx import write_quotes_xlsx  # noqa: E402
from coding.models import Code  # noqa: E402

QUOTES = 10_000
TARGET_S = 2.0
TOPICS = ["Safety", "Choice and control", "Experience in common", "Two-way interactions", "Human connection",
          "Freedom to be oneself", "Practicalities", "Outcomes"]
ASPECTS = ["Trust", "Boundaries", "Listening", "Time"]
SENTENCES = [
    "I felt safe because nobody judged me for what I said.",
    "The facilitator made sure everyone had a turn, which mattered to me.",
    "Online it was easier to listen first and join in when I was ready.",
    "Knowing they had been through it too made all the difference.",
    "Sometimes the group ran over and I had to leave before the end.",
    "We kept in touch on WhatsApp between sessions, and that helped on bad days.",
    "I could choose what to share, and when, and no one pushed.",
    "It was the first place I felt understood — properly understood, not pitied.",
    "The café was noisy, but somehow that made it easier to talk.",
    "I came for the information and stayed for the people. 😊",
]


def build(rng: random.Random) -> tuple[list[Code], list[Quote]]:
    codes, position = [], 0
    for topic in TOPICS:
        key = topic.lower().replace(" ", "-")
        codes.append(Code(project_id=1, key=key, name=topic, definition=f"Passages about {topic.lower()}.",
                          position=position, colour="#8dd3c7", kind="value"))
        position += 1
        for aspect in ASPECTS:
            codes.append(Code(project_id=1, key=f"{key}/{aspect.lower()}", parent_key=key, name=aspect,
                              definition=f"{aspect} as part of {topic.lower()}.", position=position,
                              colour="#bebada", kind="value"))
            position += 1
    paths = code_paths(codes)
    quotes = []
    for i in range(QUOTES):
        code = rng.choice(codes)
        text = " ".join(rng.sample(SENTENCES, rng.randint(1, 4)))
        person = f"PV{rng.randint(1, 120)}"
        quotes.append(Quote(
            coding_id=i + 1, document_id=rng.randint(1, 120), document=f"{person.lower()}-interview.docx",
            code_key=code.key, code_name=code.name, code_path=paths[code.key], colour=code.colour, text=text,
            start=i * 10, end=i * 10 + len(text), participant=person,
            attributes={"approach": rng.choice(["online", "group", "one-to-one"]), "region": "North"},
            coder=rng.choice(["Amira", "Ben", "Consensus"]), memo="Check with the team." if i % 7 == 0 else ""))
    order = {c.key: c.position for c in codes}
    quotes.sort(key=lambda q: (order[q.code_key], q.document_id, q.start))
    return codes, quotes


def timed(action) -> tuple[float, int]:
    out = io.BytesIO()
    started = time.perf_counter()
    action(out)
    return time.perf_counter() - started, len(out.getvalue())


def docx_floor(quotes: list[Quote]) -> None:
    doc = WordDocument()
    table = doc.add_table(rows=1, cols=2)
    for q in quotes:
        row = table.add_row()
        row.cells[0].text = q.text
        row.cells[1].text = q.tag()
    doc.save(io.BytesIO())


def main() -> None:
    codes, quotes = build(random.Random(7))
    print(f"{len(quotes):,} quotes over {len(codes)} codes "
          f"({sum(1 for c in codes if c.parent_key is None)} top-level)")
    report, size = timed(lambda out: write_quotes(quotes, codes, out, title="Coded quotes"))
    print(f"write_quotes (Word quote report)       {report:6.2f} s  {size / 1024:7.0f} KiB")
    wide, size = timed(lambda out: write_quotes(quotes, codes, out, title="Coded quotes", show_coder=True,
                                                show_document=True, tag_attributes=("approach", "region")))
    print(f"  with coder and document columns      {wide:6.2f} s  {size / 1024:7.0f} KiB")
    started = time.perf_counter()
    docx_floor(quotes)
    floor = time.perf_counter() - started
    print(f"python-docx add_row() floor, 2 cells   {floor:6.2f} s")
    print(f"ratio write_quotes / floor             {report / floor:6.3f}  ({floor / report:.0f}x faster)")
    sheet, size = timed(lambda out: write_quotes_xlsx(quotes, out, attributes=["approach", "region"]))
    print(f"write_quotes_xlsx (Excel quotes)       {sheet:6.2f} s  {size / 1024:7.0f} KiB")
    verdict = "meets" if report < TARGET_S else "MISSES"
    print(f"target: Word quote report under {TARGET_S:.0f} s: {verdict} ({report:.2f} s)")


if __name__ == "__main__":
    main()
