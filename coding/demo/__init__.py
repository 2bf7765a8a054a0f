"""The demo project: three fictional interviews, partly coded."""

from pathlib import Path

import yaml
from sqlmodel import Session

from coding import store
from coding.codebook.frameworks import get_framework
from coding.models import Project, User
from coding.text.transcripts import read_transcript

DEMO_DIR = Path(__file__).resolve().parent
DEMO_NAME = "Demo: peer support interviews"


def seed_demo(session: Session, *, user: User, single_user: bool = False) -> Project:
    """Create the demo project once; later calls return the one already there.

    The codings are made by a fictional "Demo coder", so they sit in a layer of their own; in single-user
    mode they are the one user's own, so that there is no second coder to compare with.
    """
    existing = store.find_project(session, name=DEMO_NAME)
    if existing is not None:
        return existing
    plan = yaml.safe_load((DEMO_DIR / "demo.yaml").read_text(encoding="utf-8"))
    project = store.create_project(
        session, name=DEMO_NAME, framework=get_framework("side-by-side"), user=user,
        description="Three fictional interviews (group, one to one, online), partly coded, to show the tool.")
    store.set_tag_pattern(session, project=project, user=user, pattern=plan.get("tag_pattern", ""))
    documents = {}
    for entry in plan["documents"]:
        path = DEMO_DIR / entry["file"]
        transcript = read_transcript(entry["file"], path.read_bytes())
        documents[entry["file"]] = store.import_document(
            session, project_id=project.id, user=user, transcript=transcript,
            participant=entry["participant"], attributes=entry.get("attributes", {}))
    cases = plan.get("cases", {})
    hubs = {hub["name"]: store.save_site(session, project_id=project.id, user=user, kind="hub", label=hub["name"],
                                         attributes=hub.get("attributes", {})).id for hub in cases.get("hubs", [])}
    for entry in cases.get("projects", []):
        site = store.save_site(session, project_id=project.id, user=user, kind="project", label=entry["name"],
                               hub_id=hubs.get(entry.get("hub")), attributes=entry.get("attributes", {}))
        store.place_participants(session, project_id=project.id, user=user, labels=entry["participants"],
                                 site_id=site.id)
    coder = user if single_user else store.ensure_user(session, name="demo-coder", display_name="Demo coder")
    chosen: set[str] = set()
    for entry in plan["codings"]:
        document = documents[entry["file"]]
        start = document.text.index(entry["quote"])
        code = store.get_code(session, project_id=project.id, key=entry["code"])
        coding = store.add_coding(session, document=document, code=code, user=coder, start=start,
                                  end=start + len(entry["quote"]), memo=entry.get("memo", ""))
        if code.kind == "value" and code.key not in chosen:  # a quote of each value's sub-theme for the chapter
            chosen.add(code.key)
            store.pick(session, coding=coding, user=user, chosen=True)
    for key, memo in plan.get("code_memos", {}).items():
        store.update_code(session, code=store.get_code(session, project_id=project.id, key=key), user=user, memo=memo)
    return project
