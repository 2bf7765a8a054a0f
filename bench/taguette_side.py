"""Run by Taguette 1.5.2's own Python (bench/.taguette-venv) for bench/render_speed.py: seed a project, or serve it.

  python taguette_side.py seed DB SPEC.json   -> prints [[project, document, tag], ...]
  python taguette_side.py serve DB PORT       -> Taguette's single-user server on 127.0.0.1:PORT

A spec with "projects" (lists of document indices, for bench/vs_taguette.py; a list may be empty) puts those
documents together in one project each and prints {"documents": [[project, document, tag], ...],
"projects": [[project, [tag, ...]], ...]} instead.

Serving turns off Taguette's start-up call to its message server, so the benchmark sends nothing off this machine.
"""

import html
import json
import sys


def seed(db_path: str, spec_path: str) -> None:
    """Store each of the spec's documents (a list of turns) with its highlights (turn, offset, length, tag) in a
    project of its own (or in the spec's "projects"), through Taguette's models; print what was made as JSON."""
    from taguette import database

    with open(spec_path, encoding="utf-8") as fp:
        spec = json.load(fp)
    db = database.connect("sqlite:///" + db_path)()
    db.add(database.User(login="admin"))
    groups = spec.get("projects", [[number] for number in range(len(spec["documents"]))])
    made, projects = [None] * len(spec["documents"]), []
    for group_number, group in enumerate(groups):
        project = database.Project(name=f"Bench {group_number + 1}", description="")
        db.add(project)
        db.flush()
        db.add(database.ProjectMember(project_id=project.id, user_login="admin",
                                      privileges=database.Privileges.ADMIN))
        tags = [database.Tag(project_id=project.id, path=path, description="") for path in spec["tags"]]
        db.add_all(tags)
        db.flush()
        projects.append([project.id, [tag.id for tag in tags]])
        for number in group:
            document = store_document(db, database, project, number, spec["documents"][number], tags)
            made[number] = [project.id, document.id, tags[0].id]
    db.commit()
    print(json.dumps({"documents": made, "projects": projects} if "projects" in spec else made))


def store_document(db, database, project, number: int, doc: dict, tags: list):
    """One document of turns in `project`, with its highlights."""
    # Taguette keeps HTML; highlight offsets count UTF-8 bytes of the text, tags excluded
    turns = doc["turns"]
    starts, at = [], 0
    for turn in turns:
        starts.append(at)
        at += len(turn.encode("utf-8"))
    document = database.Document(name=f"Interview {number + 1}", description="", filename=f"interview{number}.txt",
                                 project_id=project.id, text_direction=database.TextDirection.LEFT_TO_RIGHT,
                                 contents="".join(f"<p>{html.escape(t, quote=False)}</p>" for t in turns))
    db.add(document)
    db.flush()
    rows = []
    for turn_index, offset, length, tag_index in doc["highlights"]:
        text = turns[turn_index]
        start = starts[turn_index] + len(text[:offset].encode("utf-8"))
        end = start + len(text[offset:offset + length].encode("utf-8"))
        highlight = database.Highlight(document_id=document.id, start_offset=start, end_offset=end,
                                       snippet=html.escape(text[offset:offset + length], quote=False))
        db.add(highlight)
        rows.append((highlight, tags[tag_index].id))
    db.flush()
    if rows:
        db.execute(database.highlight_tags.insert(), [{"highlight_id": h.id, "tag_id": t} for h, t in rows])
    return document


def serve(db_path: str, port: str) -> None:
    """Start Taguette as `taguette --no-browser --database=DB -p PORT` would, without its message-server call."""
    from taguette.web import base

    base.Application.check_messages = lambda self: self.messages_event.set()
    from taguette import main

    sys.argv = ["taguette", "--no-browser", f"--database={db_path}", "-p", port, "-b", "127.0.0.1"]
    main.main()


if __name__ == "__main__":
    {"seed": seed, "serve": serve}[sys.argv[1]](*sys.argv[2:])
