"""Work a transcript's suggestions need, done after the response so that no page waits for it.

- After an import (`after_import`), the first suggestions of the new transcript are scored and kept, while the
  person moves from the upload to the transcript; its page then reads them.
- Where the optional sentence encoder is installed (`after`, also called by the pages that show suggestions while
  the encoder has yet to read the transcript), a job is queued (`coding.jobs.work.encode`) unless the transcript
  is encoded or a job for it waits already.
  Until the job has run, suggestions come from words alone.
"""

from typing import Iterable

from fastapi import BackgroundTasks, FastAPI

from coding.db import session_for
from coding.jobs import work
from coding.models import Document, User
from coding.suggest import encoder, review
from coding.workspace.rendering import suggestions_on


def after(background: BackgroundTasks, app: FastAPI, *, document: Document, user: User, local: bool) -> None:
    """Schedule the request for encoding after the response (nothing when the encoder is not installed)."""
    if encoder.enabled():
        background.add_task(_request, app, document.id, user.id, local)


def after_import(background: BackgroundTasks, app: FastAPI, *, documents: Iterable[Document], user: User,
                 local: bool) -> None:
    """Schedule, after the response, the first suggestions of newly imported transcripts, and their encoding."""
    ids = [d.id for d in documents]
    if ids:
        background.add_task(_suggest_ahead, app, ids, user.id)
        if encoder.enabled():
            for document_id in ids:
                background.add_task(_request, app, document_id, user.id, local)


def _suggest_ahead(app: FastAPI, document_ids: list[int], user_id: int) -> None:
    with session_for(app.state.engine) as session:
        user = session.get(User, user_id)
        if user is None or not suggestions_on(user):
            return
        for document_id in document_ids:
            document = session.get(Document, document_id)
            if document is not None:
                review.document_suggestions(session, document=document, user=user, limit=review.PANEL + 1)


def _request(app: FastAPI, document_id: int, user_id: int, local: bool) -> None:
    with session_for(app.state.engine) as session:
        document, user = session.get(Document, document_id), session.get(User, user_id)
        if document is not None and user is not None:
            work.encode(app.state.jobs, session, document=document, user=user, local=local)
