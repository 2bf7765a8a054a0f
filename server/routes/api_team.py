"""The JSON API of the team pages: members, users, assignments, blind coding, a transcript's settings and the
activity log; the coding half (codebook, memos, codings, undo, number keys) is in api_coding, and suggestions,
find and the turn outline in api_suggest, both included here."""

from datetime import datetime
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, StrictBool

from coding import store
from coding.team import accounts, activity, signin
from coding.team.accounts import ROLES
from server import auth
from server.deps import ID_MAX, DocumentAccess, DocumentDep, LeadDep, LeadDocumentDep, SessionDep, UserDep
from server.routes import api_coding, api_suggest
from server.routes.api_coding import CHANGE, READ, answers

router = APIRouter(prefix="/api", tags=["team"])
Name = Annotated[str, Path(min_length=1, max_length=80, description="a user name", examples=["sam"])]


# --- members and users ------------------------------------------------------------------------------

class MemberOut(BaseModel):
    id: int = Field(description='the user id, as layers name it: "coder:<id>"')
    name: str
    display_name: str
    role: Literal[ROLES]


class RoleIn(BaseModel):
    role: Literal[ROLES] = Field(examples=["coder"], description="viewer, coder or lead")


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=80, examples=["sam"])
    password: str = Field(min_length=1, max_length=200)
    display_name: str = Field(default="", max_length=200)
    admin: bool = False


class UserOut(BaseModel):
    id: int
    name: str
    display_name: str
    admin: bool


def _members(session, project_id: int) -> list[MemberOut]:
    return [MemberOut(id=u.id, name=u.name, display_name=u.display_name, role=role)
            for u, role in accounts.members(session, project_id=project_id)]


@router.get("/projects/{project_id}/members", responses=answers(403, 404))
def list_members(session: SessionDep, access: LeadDep) -> list[MemberOut]:
    """The project's members and their roles, leads first (lead only, as on the team page)."""
    return _members(session, access.project.id)


@router.put("/projects/{project_id}/members/{username}", responses=CHANGE)
def put_member(username: Name, body: RoleIn, session: SessionDep, access: LeadDep) -> list[MemberOut]:
    """Add a user to the project, or change their role."""
    member = accounts.user_named(session, name=username)
    accounts.set_member(session, project_id=access.project.id, user=member, role=body.role, by=access.user)
    return _members(session, access.project.id)


@router.delete("/projects/{project_id}/members/{username}", status_code=204, responses=CHANGE)
def delete_member(username: Name, session: SessionDep, access: LeadDep) -> Response:
    """Take a member out of the project; their codings stay in their layer."""
    member = accounts.user_named(session, name=username)
    accounts.remove_member(session, project_id=access.project.id, user=member, by=access.user)
    return Response(status_code=204)


@router.post("/users", status_code=201, responses=answers(403, 409, 422))
def create_user(body: UserIn, session: SessionDep, user: UserDep) -> UserOut:
    """Create a user account with a password (administrators only)."""
    _admin(user)
    made = accounts.create_user(session, name=body.name, password=body.password, display_name=body.display_name,
                                admin=body.admin)
    return UserOut(id=made.id, name=made.name, display_name=made.display_name, admin=made.is_admin)


class AccountOut(UserOut):
    signed_in_on: int = Field(description="how many browsers the user is signed in on now")


class PasswordIn(BaseModel):
    password: str = Field(min_length=1, max_length=200, description="the new password (8 characters or more)")


class SignedOut(BaseModel):
    name: str
    sessions_ended: int


UserName = Annotated[str, Path(min_length=1, max_length=80, description="a user's sign-in name", examples=["sam"])]
ADMIN = answers(403, 404, 422)


def _admin(user) -> None:
    if not user.is_admin:
        raise auth.Forbidden("only an administrator can manage user accounts")


@router.get("/users", responses=answers(403))
def list_users(session: SessionDep, user: UserDep) -> list[AccountOut]:
    """Every user account, with how many browsers each is signed in on (administrators only)."""
    _admin(user)
    users = store.list_users(session)
    live = signin.live_session_counts(session, user_ids=[u.id for u in users])
    return [AccountOut(id=u.id, name=u.name, display_name=u.display_name, admin=u.is_admin, signed_in_on=live[u.id])
            for u in users]


@router.put("/users/{user_name}/password", responses=ADMIN)
def reset_password(user_name: UserName, body: PasswordIn, session: SessionDep, user: UserDep) -> SignedOut:
    """Give a user a new password, as the Users page does; every browser they are signed in on is signed out
    (administrators only). Their API tokens stay: they revoke those on their Account page."""
    _admin(user)
    target = accounts.user_named(session, name=user_name)
    return SignedOut(name=target.name, sessions_ended=signin.reset_password(session, user=target, new=body.password))


@router.post("/users/{user_name}/sessions/end", responses=answers(403, 404))
def end_sessions(user_name: UserName, session: SessionDep, user: UserDep) -> SignedOut:
    """Sign a user out on every browser (administrators only; API tokens are not sessions and stay)."""
    _admin(user)
    target = accounts.user_named(session, name=user_name)
    return SignedOut(name=target.name, sessions_ended=signin.end_sessions(session, user=target))


# --- assignments ------------------------------------------------------------------------------------

class AssignmentOut(BaseModel):
    document_id: int
    coder: str


@router.get("/projects/{project_id}/assignments", responses=answers(403, 404))
def list_assignments(session: SessionDep, access: LeadDep) -> list[AssignmentOut]:
    """Which coder has which transcript (lead only)."""
    return [AssignmentOut(document_id=d.id, coder=u.name)
            for d in store.list_documents(session, project_id=access.project.id)
            for u in accounts.assignees(session, document_id=d.id)]


def _assignees(session, target: DocumentAccess) -> list[AssignmentOut]:
    return [AssignmentOut(document_id=target.document.id, coder=u.name)
            for u in accounts.assignees(session, document_id=target.document.id)]


@router.put("/documents/{document_id}/assignments/{username}", responses=CHANGE)
def put_assignment(username: Name, session: SessionDep, target: LeadDocumentDep) -> list[AssignmentOut]:
    """Give the transcript to a coder of the project; answers the transcript's coders."""
    coder = accounts.user_named(session, name=username)
    accounts.assign(session, document=target.document, coder=coder, by=target.access.user)
    return _assignees(session, target)


@router.delete("/documents/{document_id}/assignments/{username}", responses=CHANGE)
def delete_assignment(username: Name, session: SessionDep, target: LeadDocumentDep) -> list[AssignmentOut]:
    """Take the transcript back from a coder (their codings stay); answers the transcript's coders."""
    coder = accounts.user_named(session, name=username)
    accounts.assign(session, document=target.document, coder=coder, by=target.access.user, assigned=False)
    return _assignees(session, target)


# --- blind coding and a transcript's settings ------------------------------------------------------

class BlindIn(BaseModel):
    blind: StrictBool = Field(description="coders see only their own layer until a transcript is revealed")


class RevealedIn(BaseModel):
    revealed: StrictBool = Field(description="every coder of the transcript sees all layers on it")


Speakers = list[Annotated[str, Field(min_length=1, max_length=200)]]


class SpeakersIn(BaseModel):
    interviewers: Optional[Speakers] = Field(None, max_length=200, examples=[["Interviewer"]])
    interpreted: Optional[Speakers] = Field(None, max_length=200, examples=[["PV44"]])


class ParticipantIn(BaseModel):
    participant: str = Field(max_length=80, examples=["PV44"], description="a participant tag; empty detaches")


class LanguageIn(BaseModel):
    language: str = Field("", max_length=35, examples=["ur"], description="a BCP 47 tag; empty when not said")
    mediation: Literal["", "interpreted", "translated"] = Field("", description="how it reached that language")


class OriginalIn(BaseModel):
    original: Optional[int] = Field(None, ge=1, le=ID_MAX, description="the transcript this one translates; null unlinks")


class SettingsOut(BaseModel):
    blind: bool
    revealed: bool
    participant: Optional[str]
    interviewer_speakers: list[str]
    interpreted_speakers: list[str]
    language: str = ""
    mediation: str = ""
    original: Optional[int] = None
    translations: list[int] = []


def _settings(session, target: DocumentAccess) -> SettingsOut:
    document = target.document
    person = store.document_participant(session, document=document)
    return SettingsOut(blind=target.access.project.blind, revealed=document.revealed,
                       participant=person.label if person else None,
                       interviewer_speakers=document.interviewer_speakers,
                       interpreted_speakers=document.interpreted_speakers, language=document.language,
                       mediation=document.mediation, original=document.original_id,
                       translations=[d.id for d in store.translations(session, document=document)
                                     if d.original_id == document.id])


class TagPatternIn(BaseModel):
    pattern: str = Field(max_length=40, examples=["PV<n>"], description="letters then <n>; empty turns it off")


@router.put("/projects/{project_id}/tag-pattern", responses=CHANGE)
def put_tag_pattern(body: TagPatternIn, session: SessionDep, access: LeadDep) -> TagPatternIn:
    """How a transcript that names no participant is tagged on import: the next free number of the pattern."""
    return TagPatternIn(pattern=store.set_tag_pattern(session, project=access.project, user=access.user,
                                                      pattern=body.pattern).tag_pattern)


@router.put("/projects/{project_id}/blind", responses=CHANGE)
def put_blind(body: BlindIn, session: SessionDep, access: LeadDep) -> BlindIn:
    """Turn blind coding on or off for the project (lead only)."""
    return BlindIn(blind=store.set_blind(session, project=access.project, user=access.user, blind=body.blind).blind)


@router.get("/documents/{document_id}/settings", responses=READ)
def show_settings(session: SessionDep, target: DocumentDep) -> SettingsOut:
    """The transcript's participant, interviewer and interpreted speakers, and whether its layers are revealed."""
    return _settings(session, target)


@router.put("/documents/{document_id}/revealed", responses=CHANGE)
def put_revealed(body: RevealedIn, session: SessionDep, target: LeadDocumentDep) -> SettingsOut:
    """Show (or hide again) every coder's layer on the transcript to its coders in a blind project."""
    accounts.set_revealed(session, document=target.document, by=target.access.user, revealed=body.revealed)
    return _settings(session, target)


@router.put("/documents/{document_id}/speakers", responses=CHANGE)
def put_speakers(body: SpeakersIn, session: SessionDep, target: LeadDocumentDep) -> SettingsOut:
    """Say which of the transcript's speakers are interviewers (their turns get no suggestions) and which
    spoke through an interpreter; a list left out stays as it is."""
    document, user = target.document, target.access.user
    with store.atomic(session):
        if body.interviewers is not None:
            store.set_interviewers(session, document=document, user=user, speakers=body.interviewers)
        if body.interpreted is not None:
            store.set_interpreted(session, document=document, user=user, speakers=body.interpreted)
    return _settings(session, target)


@router.put("/documents/{document_id}/language", responses=CHANGE)
def put_language(body: LanguageIn, session: SessionDep, target: LeadDocumentDep) -> SettingsOut:
    """Record the transcript's language and whether it was interpreted or translated."""
    store.set_language(session, document=target.document, user=target.access.user, language=body.language,
                       mediation=body.mediation)
    return _settings(session, target)


@router.put("/documents/{document_id}/original", responses=CHANGE)
def put_original(body: OriginalIn, session: SessionDep, target: LeadDocumentDep) -> SettingsOut:
    """Link the transcript as a translation of another transcript of the project (null: an original)."""
    store.set_original(session, document=target.document, user=target.access.user, original_id=body.original)
    return _settings(session, target)


@router.put("/documents/{document_id}/participant", responses=CHANGE)
def put_participant(body: ParticipantIn, session: SessionDep, target: LeadDocumentDep) -> SettingsOut:
    """Attach the transcript to a participant by tag (made if new), or detach it with an empty tag."""
    store.set_document_participant(session, document=target.document, user=target.access.user,
                                   label=body.participant)
    return _settings(session, target)


# --- the activity log -------------------------------------------------------------------------------

class EventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    user: str
    document_id: Optional[int]
    description: str
    payload: dict


class EventsOut(BaseModel):
    events: list[EventOut]
    next_before: Optional[int] = Field(description="pass as `before` for the next, older page; null at the end")


@router.get("/projects/{project_id}/events", responses=answers(403, 404, 422))
def list_events(session: SessionDep, access: LeadDep,
                kind: Annotated[Optional[str], Query(max_length=60, examples=["coding."])] = None,
                user: Annotated[Optional[str], Query(max_length=80, description="a user name")] = None,
                document: Annotated[Optional[int], Query(ge=0, le=ID_MAX,
                                                         description="a transcript id; 0: the codebook's")] = None,
                since: Annotated[Optional[datetime], Query(description="from this moment (ISO 8601)")] = None,
                until: Annotated[Optional[datetime], Query(description="before this moment (ISO 8601)")] = None,
                limit: Annotated[int, Query(ge=1, le=activity.PAGE_MAX)] = 100,
                before: Annotated[Optional[int], Query(ge=1, le=ID_MAX, description="older than this event")] = None
                ) -> EventsOut:
    """The project's activity log, newest first (lead only, as the activity page)."""
    found = activity.find_events(session, project_id=access.project.id, kind=kind, user_name=user,
                                 document_id=document, since=since, until=until, before=before, limit=limit)
    users = {u.id: u.name for u in store.list_users(session)}
    words = store.Wording(session, project_id=access.project.id)
    return EventsOut(events=[EventOut(id=e.id, at=e.at, kind=e.kind, user=users.get(e.user_id, ""),
                                      document_id=e.document_id, description=store.describe(e, words),
                                      payload=e.payload) for e in found],
                     next_before=found[-1].id if len(found) == limit else None)


router.include_router(api_coding.router)
router.include_router(api_suggest.router)
