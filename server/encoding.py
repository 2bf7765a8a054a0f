"""Asking, after a response, for a transcript's sentences to be read by the optional sentence encoder.

A page that shows suggestions calls `after(...)` with its background tasks: once the response has gone, a job is
queued (`coding.jobs.work.encode`) unless the transcript is encoded or a job for it waits already. Until the job
has run, suggestions come from words alone; the page never waits for the encoder.
"""

from fastapi import BackgroundTasks, FastAPI

from coding.db import session_for
from coding.models import Document, User
from coding.suggest import encoder


def after(background: BackgroundTasks, app: FastAPI, *, document: Document, user: User, local: bool) -> None:
    """Schedule the request for encoding after the response (nothing when the encoder is not installed)."""
    if encoder.enabled():
        background.add_task(_request, app, document.id, user.id, local)


def _request(app: FastAPI, document_id: int, user_id: int, local: bool) -> None:
    from coding.jobs import work

    with session_for(app.state.engine) as session:
        document, user = session.get(Document, document_id), session.get(User, user_id)
        if document is not None and user is not None:
            work.encode(app.state.jobs, session, document=document, user=user, local=local)
