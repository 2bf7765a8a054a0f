"""Dependencies shared by routes: the database session, the user, and access to a project's things.

Access is decided in one place, `_access`: a user who is not a member of a project gets 404 for it and
for everything in it, exactly as if it did not exist. Role checks (`ForProject("lead")`, …) build on it.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Iterator, Optional

from urllib.parse import urlsplit

from fastapi import Depends, Path, Request
from sqlmodel import Session
from starlette.datastructures import QueryParams

from coding import store
from coding.db import session_for
from coding.models import Coding, Document, Project, User
from coding.team import accounts, signin, visibility
from coding.workspace import layers
from server import auth


def get_session(request: Request) -> Iterator[Session]:
    """One database session per request."""
    with session_for(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
ID_MAX = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
Id = Annotated[int, Path(ge=1, le=ID_MAX, description="a positive id")]


def id_in(text: Optional[str]) -> Optional[int]:
    """An id written in a query or form field (ASCII digits, in range), or None."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= ID_MAX else None


def form_id(value: Any, what: str) -> Optional[int]:
    """An id a form names (a select's value): None when the field is empty, a NotFound naming `what` for
    anything that cannot be one of the project's ids."""
    text = str(value or "").strip()
    if not text:
        return None
    found = id_in(text)
    if found is None:
        raise store.NotFound(f"no {what} '{text[:40]}' in this project")
    return found


def get_user(request: Request, session: SessionDep) -> User:
    """The person asking: by bearer token, by a live server-side session, or (single-user mode) the local user."""
    settings = request.app.state.settings
    request.state.csrf = None
    request.state.session_id = None
    token = auth.bearer_token(request)
    if token is not None:
        user = accounts.user_for_token(session, token=token)
        if user is None:
            raise auth.NotSignedIn("that API token is not valid (revoked, or never issued)")
        request.state.auth = "token"
        return user
    cookie = auth.read_session(request)
    found = signin.session_for_token(session, token=cookie) if cookie else None
    if found is not None and (settings.single_user or found[0].password_hash):
        user, record = found
        request.state.auth = "cookie"
        request.state.csrf = record.csrf
        request.state.session_id = record.id
        return user
    if not settings.single_user:
        raise auth.NotSignedIn("sign in, or send an API token as 'Authorization: Bearer …'")
    user = store.ensure_user(session, name=settings.single_user_name)
    request.state.auth = "local"
    if request.method == "GET" and not request.url.path.startswith("/api/"):
        # a page: give the browser a session so that what it sends back can be checked for CSRF
        plain, record = signin.start_session(session, user=user)
        request.state.new_session = plain
        request.state.csrf = record.csrf
    return user


UserDep = Annotated[User, Depends(get_user)]


async def csrf_protect(request: Request, user: UserDep) -> None:
    """Router-wide: state-changing requests from browsers must carry the session's CSRF token."""
    await auth.check_csrf(request)


@dataclass
class Access:
    """A user's standing in one project."""

    user: User
    project: Project
    role: str
    local: bool = False  # the single user of a machine, lead of every project without a membership

    def can(self, role: str) -> bool:
        """True when the user's role covers `role`."""
        return accounts.at_least(self.role, role)


def _access(request: Request, session: Session, user: User, project_id: int, needed: str) -> Access:
    _, project, role = accounts.standing(session, user=user, project_id=project_id)
    return _granted(request, user, project, role, needed, f"no project {project_id}")


def _granted(request: Request, user: User, project: Optional[Project], role: Optional[str], needed: str,
             missing: str) -> Access:
    """The user's access to the project, with at least the `needed` role; NotFound (`missing`) for a project
    that is not there or of which the user is not a member."""
    settings = request.app.state.settings
    local = settings.single_user and user.name == settings.single_user_name
    role = accounts.role_as(role, local=local) if project is not None else role
    if project is None or role is None:
        raise store.NotFound(missing)
    access = Access(user, project, role, local=local)
    if not access.can(needed):
        raise auth.Forbidden(f"this needs the {needed} role in '{project.name}'; you are a {role} there")
    return access


def _visible(session: Session, access: Access, document: Document) -> None:
    """Coders only see the transcripts assigned to them."""
    if access.role == "coder" and not accounts.is_assigned(session, document_id=document.id, user=access.user):
        raise store.NotFound(f"no document {document.id}")


class ForProject:
    """Depends(ForProject("lead")): the project in the path, for a member with at least that role."""

    def __init__(self, needed: str = "viewer"):
        self.needed = needed

    def __call__(self, project_id: Id, request: Request, session: SessionDep, user: UserDep) -> Access:
        return _access(request, session, user, project_id, self.needed)


@dataclass
class DocumentAccess:
    """A document and the user's standing in its project."""

    document: Document
    access: Access


class ForDocument:
    """Depends(ForDocument("coder")): the document in the path, if the user may see it with that role."""

    def __init__(self, needed: str = "viewer"):
        self.needed = needed

    def __call__(self, document_id: Id, request: Request, session: SessionDep, user: UserDep) -> DocumentAccess:
        document, project, role = accounts.standing(session, user=user, document_id=document_id)
        access = _granted(request, user, project, role, self.needed, f"no document {document_id}")
        _visible(session, access, document)
        return DocumentAccess(document, access)


@dataclass
class CodingAccess:
    """A coding, its document, and the user's standing in the project."""

    coding: Coding
    document: Document
    access: Access


class ForCoding:
    """Depends(ForCoding("coder")): the coding in the path, if the user may see its document and its layer
    (another coder's coding on a blind transcript answers 404, as if it did not exist)."""

    def __init__(self, needed: str = "coder"):
        self.needed = needed

    def __call__(self, coding_id: Id, request: Request, session: SessionDep, user: UserDep) -> CodingAccess:
        coding = session.get(Coding, coding_id)
        if coding is None:
            raise store.NotFound(f"no coding {coding_id}")
        document, project, role = accounts.standing(session, user=user, document_id=coding.document_id)
        try:
            access = _granted(request, user, project, role, self.needed, f"no coding {coding_id}")
            _visible(session, access, document)
            layers = visible_layers(session, DocumentAccess(document, access))
            if layers is not None and coding.layer_id not in layers:
                raise store.NotFound(f"no coding {coding_id}")
        except store.NotFound:
            raise store.NotFound(f"no coding {coding_id}") from None
        return CodingAccess(coding, document, access)


ProjectDep = Annotated[Access, Depends(ForProject())]
CoderDep = Annotated[Access, Depends(ForProject("coder"))]
LeadDep = Annotated[Access, Depends(ForProject("lead"))]
DocumentDep = Annotated[DocumentAccess, Depends(ForDocument())]
CoderDocumentDep = Annotated[DocumentAccess, Depends(ForDocument("coder"))]
LeadDocumentDep = Annotated[DocumentAccess, Depends(ForDocument("lead"))]
CodingDep = Annotated[CodingAccess, Depends(ForCoding())]


def reader_scope(session: SessionDep, access: ProjectDep) -> visibility.Scope:
    """What the user may see of the project in the path."""
    return visibility.scope_for(session, project=access.project, user=access.user, role=access.role)


ScopeDep = Annotated[visibility.Scope, Depends(reader_scope)]


def visible_layers(session: Session, target: DocumentAccess):
    """The layers the user may see on this document (None: all)."""
    access = target.access
    return accounts.visible_layers(session, project=access.project, document=target.document, user=access.user,
                                   role=access.role)


LAYER_CHOICES_MAX = 200


def wanted_layers(request: Request) -> Optional[list[str]]:
    """The layers the reader chose in the Layers control (`?layers=coder:12&layers=consensus`, read from the
    page's address on htmx requests); None when they chose nothing, which shows every layer they may see."""
    query = request.query_params
    if request.headers.get("HX-Request") and request.headers.get("HX-Current-URL"):
        query = QueryParams(urlsplit(request.headers["HX-Current-URL"]).query)
    if "layers" not in query:
        return None
    return [v for value in query.getlist("layers")[:LAYER_CHOICES_MAX] for v in value.split(",") if v]


def shown_layers(request: Request, session: Session, target: DocumentAccess) -> Optional[set[int]]:
    """The layers drawn on this document for this reader: those they may see, narrowed to those they chose."""
    return layers.chosen(session, document=target.document, allowed=visible_layers(session, target),
                         wanted=wanted_layers(request))
