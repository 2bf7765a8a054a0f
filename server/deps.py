"""Dependencies shared by routes: the database session, the user, the project in scope."""

from typing import Annotated, Iterator

from fastapi import Depends, Request
from sqlmodel import Session

from coding import store
from coding.db import session_for
from coding.models import Coding, Document, Project, User


def get_session(request: Request) -> Iterator[Session]:
    """One database session per request."""
    with session_for(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_user(request: Request, session: SessionDep) -> User:
    """The person making the request; in single-user mode, the local user."""
    return store.ensure_user(session, name=request.app.state.settings.single_user_name)


UserDep = Annotated[User, Depends(get_user)]


def get_project(project_id: int, session: SessionDep, user: UserDep) -> Project:
    """The project named in the path, or 404."""
    return store.get_project(session, project_id=project_id)


ProjectDep = Annotated[Project, Depends(get_project)]


def get_document(document_id: int, session: SessionDep, user: UserDep) -> Document:
    """The document named in the path, or 404."""
    return store.get_document(session, document_id=document_id)


DocumentDep = Annotated[Document, Depends(get_document)]


def templates(request: Request):
    """The Jinja2 templates of the app."""
    return request.app.state.templates


def get_coding(coding_id: int, session: SessionDep, user: UserDep) -> Coding:
    """The coding named in the path, or 404."""
    return store.get_coding(session, coding_id=coding_id)


CodingDep = Annotated[Coding, Depends(get_coding)]
