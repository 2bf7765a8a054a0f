"""All database tables.

Offsets (`start`, `end`) are half-open ranges of Unicode code points into `Document.text`.
"""

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class User(SQLModel, table=True):
    """A person who codes, leads or reads."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=80)
    display_name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    preferences: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False,
                                                                                server_default="{}"))
    password_hash: Optional[str] = Field(default=None, max_length=200)
    is_admin: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})

    @property
    def shown_name(self) -> str:
        """The name others see: the display name, or the sign-in name when there is none."""
        return self.display_name or self.name


class Project(SQLModel, table=True):
    """A body of transcripts coded against one codebook."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    framework_id: str = Field(max_length=80)
    framework_version: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    blind: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})
    # the calibrated score from which a code is suggested to the project's coders (the lead sets it)
    suggest_threshold: float = Field(default=0.1, sa_column_kwargs={"server_default": "0.1"})
    # how a transcript that names no participant is tagged on import, such as "PV<n>" (the next free number);
    # "" leaves it without a participant
    tag_pattern: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    # the team's own names for the roles ({"coder": "Peer researcher", ...}); a role without one shows as itself
    role_labels: dict[str, str] = Field(default_factory=dict,
                                        sa_column=Column(JSON, nullable=False, server_default="{}"))


class Code(SQLModel, table=True):
    """One code of a project's codebook, copied from a framework and then the team's own."""

    __table_args__ = (UniqueConstraint("project_id", "key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    key: str = Field(max_length=200)
    parent_key: Optional[str] = Field(default=None, max_length=200)
    name: str = Field(max_length=200)
    kind: str = Field(default="code", max_length=40)
    tier: Optional[str] = Field(default=None, max_length=40)
    group: Optional[str] = Field(default=None, max_length=80)
    definition: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    citation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    colour: str = Field(default="#cccccc", max_length=7)
    patterns: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    profile: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    position: int = Field(default=0)
    retired: bool = Field(default=False)
    # the team's reflections on the code: a findings chapter closes the code's section with them
    memo: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Site(SQLModel, table=True):
    """A case above participants: a hub, or a peer support project (in a hub or on its own), with attributes
    such as the key decisions the project made; a participant belongs to one, and inherits its attributes."""

    __table_args__ = (UniqueConstraint("project_id", "label"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: str = Field(max_length=20)  # "hub" or "project"
    label: str = Field(max_length=120)
    hub_id: Optional[int] = Field(default=None, foreign_key="site.id")
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ChapterPick(SQLModel, table=True):
    """A coded passage a report writer selected for the findings chapter."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    coding_id: int = Field(foreign_key="coding.id", unique=True)
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Participant(SQLModel, table=True):
    """An interviewee, known by a tag such as PV44, with attributes such as approach."""

    __table_args__ = (UniqueConstraint("project_id", "label"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    label: str = Field(max_length=80)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # what the participant agreed to (`coding.team.consent.Consent` as plain data): exports obey it
    consent: dict[str, Any] = Field(default_factory=dict,
                                    sa_column=Column(JSON, nullable=False, server_default="{}"))
    # the hub or peer support project the participant belongs to
    site_id: Optional[int] = Field(default=None, foreign_key="site.id", index=True)


class Document(SQLModel, table=True):
    """A transcript: its normalised text, stored once."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    participant_id: Optional[int] = Field(default=None, foreign_key="participant.id", index=True)
    name: str = Field(max_length=300)
    source_format: str = Field(max_length=10)
    text: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64, index=True)
    word_count: int = 0
    interviewer_speakers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    interpreted_speakers: list[str] = Field(default_factory=list,
                                            sa_column=Column(JSON, nullable=False, server_default="[]"))
    created_at: datetime = Field(default_factory=utcnow)
    revealed: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    kind: str = Field(default="interview", max_length=40, sa_column_kwargs={"server_default": "interview"})
    # consent given for this document itself (a focus group's verbal consent, say), as for a participant
    consent: dict[str, Any] = Field(default_factory=dict,
                                    sa_column=Column(JSON, nullable=False, server_default="{}"))
    # its language (a BCP 47 tag, "" when not said), how it came to be in it ("", "interpreted", "translated"),
    # and the document it is a translation of
    language: str = Field(default="", max_length=35, sa_column_kwargs={"server_default": ""})
    mediation: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    original_id: Optional[int] = Field(default=None, foreign_key="document.id")


class SensitiveFlag(SQLModel, table=True):
    """A passage marked as sensitive (self-harm or suicide, substances, ...): a quote that touches it is held
    back from exports unless the exporter includes such quotes knowingly."""

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    start: int
    end: int
    category: str = Field(max_length=40)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Turn(SQLModel, table=True):
    """One speaker turn: the span of the document's text that a speaker said."""

    __table_args__ = (Index("ix_turn_document_seq", "document_id", "seq"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    seq: int
    speaker: Optional[str] = Field(default=None, max_length=120)
    start: int
    end: int
    cue_start_ms: Optional[int] = None
    cue_end_ms: Optional[int] = None


class Layer(SQLModel, table=True):
    """Whose codings these are: one coder's layer in a project, or the consensus layer."""

    __table_args__ = (
        UniqueConstraint("project_id", "kind", "user_id"),
        # user_id is NULL on the consensus layer, and NULLs never clash: one consensus layer per project
        Index("uq_layer_consensus", "project_id", unique=True, sqlite_where=text("kind = 'consensus'"),
              postgresql_where=text("kind = 'consensus'")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: str = Field(default="coder", max_length=20)
    user_id: Optional[int] = Field(default=None, foreign_key="user.id")


class Coding(SQLModel, table=True):
    """A code applied to a span of a document, in one layer. Removal is a flag, never a delete."""

    __table_args__ = (Index("ix_coding_document_start", "document_id", "start"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    layer_id: int = Field(foreign_key="layer.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    code_id: int = Field(foreign_key="code.id", index=True)
    start: int
    end: int
    memo: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    origin: str = Field(default="manual", max_length=20)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    removed: bool = Field(default=False, index=True)


class Event(SQLModel, table=True):
    """One entry of the append-only event log: who changed what, when (a project's erasure keeps no project)."""

    # a change is undone once, even when two tabs ask at the same moment
    __table_args__ = (Index("uq_event_undoes", "undoes", unique=True, sqlite_where=text("undoes IS NOT NULL"),
                            postgresql_where=text("undoes IS NOT NULL")),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: Optional[int] = Field(default=None, foreign_key="project.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=60, index=True)
    document_id: Optional[int] = Field(default=None, index=True)
    undoes: Optional[int] = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SuggestionDecision(SQLModel, table=True):
    """A coder's answer to a suggestion: accepted (with the coding it made) or rejected."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_id: int = Field(foreign_key="code.id", index=True)
    start: int
    end: int
    score: float = 0.0
    accepted: bool
    coding_id: Optional[int] = Field(default=None, foreign_key="coding.id")
    at: datetime = Field(default_factory=utcnow)


class SuggestionModel(SQLModel, table=True):
    """A version of a project's learned suggestion model: word counts per top-level code."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    user_id: Optional[int] = Field(default=None, foreign_key="user.id", index=True)  # a blind coder's own model
    trained_at: datetime = Field(default_factory=utcnow)
    examples: int = 0
    signals_seen: int = 0
    bags: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SuggestionCache(SQLModel, table=True):
    """The suggestions a scorer made for one block of a transcript's turns, before anyone's answers are taken
    out: computed once per transcript block and scorer (`scorer_key`: codebook, model version, interviewers)."""

    __table_args__ = (UniqueConstraint("document_id", "scorer_key", "block"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    owner_id: Optional[int] = Field(default=None, foreign_key="user.id")  # whose model: a blind coder's, or None
    scorer_key: str = Field(max_length=64)
    block: int
    units: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AgreementFigures(SQLModel, table=True):
    """A project's agreement figures for one unit of comparison, as worked out when the project's log stood at
    `marker` (`coding.team.agreement_cache`): shown until the project changes, and while newer ones are worked
    out. Names and figures only, no transcript text; erasing a transcript deletes its project's rows."""

    __table_args__ = (UniqueConstraint("project_id", "unit"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    unit: str = Field(max_length=20)
    marker: str = Field(max_length=60)
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow)


class SentenceVectors(SQLModel, table=True):
    """The sentence encoder's vectors for the sentences of one block of a transcript's turns (every speaker's),
    made once in the background after import, so that scoring never waits for the encoder."""

    __table_args__ = (UniqueConstraint("document_id", "model", "block"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    model: str = Field(max_length=80)
    block: int
    spans: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [[start, end], ...]
    vectors: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # float16, one row per span
    created_at: datetime = Field(default_factory=utcnow)


class CodebookVectors(SQLModel, table=True):
    """The encoder's centroid of each top-level code's own text, for one content of a project's codebook."""

    __table_args__ = (UniqueConstraint("project_id", "fingerprint", "model"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    fingerprint: str = Field(max_length=32)
    model: str = Field(max_length=80)
    keys: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    vectors: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # float32, one row per key
    created_at: datetime = Field(default_factory=utcnow)


class Membership(SQLModel, table=True):
    """A user's role in a project: lead, coder or viewer."""

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=20)


class ApiToken(SQLModel, table=True):
    """A bearer token for scripts, stored only as a hash."""

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: Optional[datetime] = None
    revoked: bool = Field(default=False)


class Assignment(SQLModel, table=True):
    """A transcript given to a coder by the lead."""

    __table_args__ = (UniqueConstraint("document_id", "user_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    assigned_at: datetime = Field(default_factory=utcnow)


class LoginAttempt(SQLModel, table=True):
    """A failed sign-in, for throttling guesses (kept in the database so every worker sees it)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class UserSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, the database only its hash; ending it signs out."""

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: Optional[datetime] = None


class ServerClaim(SQLModel, table=True):
    """A one-time server event (such as first-run set-up), claimed by inserting its name exactly once."""

    name: str = Field(primary_key=True, max_length=40)
    at: datetime = Field(default_factory=utcnow)


class Reconciliation(SQLModel, table=True):
    """The lead's decision on one disagreement (a unit of text × a code), with the reason."""

    # one decision per unit and code, even when the same decision is sent twice at once
    __table_args__ = (Index("uq_reconciliation_unit", "document_id", "code_id", "unit_start", "unit_end",
                            unique=True),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    code_id: int = Field(foreign_key="code.id")
    unit_start: int
    unit_end: int
    decision: str = Field(max_length=40)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decided_by: int = Field(foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)
    consensus_codings: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SavedQuery(SQLModel, table=True):
    """A named retrieval of coded passages that reports can start from."""

    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str = Field(max_length=200)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Pseudonym(SQLModel, table=True):
    """A name or place and what every export writes instead."""

    __table_args__ = (UniqueConstraint("project_id", "original"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    original: str = Field(max_length=200)
    replacement: str = Field(max_length=200)
    kind: str = Field(default="name", max_length=40)


class Recording(SQLModel, table=True):
    """A transcript's audio or video, stored in the media folder under a random name (`file_id`)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True, unique=True)
    file_id: str = Field(max_length=64, unique=True)
    original_name: str = Field(max_length=255)
    media_type: str = Field(max_length=40)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))  # bytes; may pass 2 GB
    created_by: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class DocumentStatus(SQLModel, table=True):
    """How far one coder says they are with one transcript: "in progress" or "done" (none stored: not started,
    or in progress once they have coded on it)."""

    __table_args__ = (UniqueConstraint("document_id", "user_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    state: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow)


class Memo(SQLModel, table=True):
    """A memo beside the codings: a transcript's memo by one author (`document_id` set), or a titled project memo."""

    # one memo per transcript per author; project memos (document_id NULL) never clash
    __table_args__ = (Index("uq_memo_document_author", "document_id", "author_id", unique=True),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    document_id: Optional[int] = Field(default=None, foreign_key="document.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    title: str = Field(default="", max_length=200)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CodebookVersion(SQLModel, table=True):
    """A version of a project's codebook: 1 is the framework as the project copied it; a lead opens a draft,
    stages changes, each with its reason, and publishes it as the next number."""

    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: int
    status: str = Field(default="draft", max_length=20)  # "draft" or "published"
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    published_at: Optional[datetime] = Field(default=None)


class CodebookChange(SQLModel, table=True):
    """One change of a codebook version (add, rename, redefine, retire, move, merge, split) with its reason."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    version_id: int = Field(foreign_key="codebookversion.id", index=True)
    kind: str = Field(max_length=20)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class CodingAsOf(SQLModel, table=True):
    """The code a coding had under a version, kept when the next version was published (a merge recodes it,
    a split queues it for the recode pass): an old coding stays readable as of its version."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    version_id: int = Field(foreign_key="codebookversion.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    coding_id: int = Field(foreign_key="coding.id", index=True)
    code_id: int = Field(foreign_key="code.id")


class RecodeMark(SQLModel, table=True):
    """A coder's word that they revisited their codings of a transcript under a new codebook version."""

    __table_args__ = (UniqueConstraint("version_id", "document_id", "user_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    version_id: int = Field(foreign_key="codebookversion.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Meeting(SQLModel, table=True):
    """An analysis meeting's record: who was there, which transcripts were reviewed, what was decided (with the
    codebook changes the decisions caused); members who could not speak up add their input until it is closed."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    title: str = Field(max_length=200)
    held_on: str = Field(default="", max_length=10)
    present: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    documents: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decisions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    changes: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: Optional[datetime] = Field(default=None)


class MeetingInput(SQLModel, table=True):
    """What a member adds to a meeting's record before the decision is closed."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class JournalEntry(SQLModel, table=True):
    """A researcher's reflexive journal entry in a project: private to its author until they share it, tied to
    the milestone it answers (if any) and the framework version it was written under."""

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    milestone: str = Field(default="", max_length=40)
    framework_version: str = Field(default="", max_length=40)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # the entry's earlier texts with when each was replaced, oldest first: an edit loses nothing
    earlier: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    shared: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Milestone(SQLModel, table=True):
    """A point in the analysis at which the lead asks every researcher to reflect: its prompt, and when (if yet)
    the lead marked it reached."""

    __table_args__ = (UniqueConstraint("project_id", "key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    key: str = Field(max_length=40)
    prompt: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reached_at: Optional[datetime] = Field(default=None)


class Job(SQLModel, table=True):
    """A long operation (a big import, a REFI-QDA import, a big report), queued here until a worker process claims
    it (`coding.jobs.queue`); any app server can answer a poll from this row. `params` are what the work needs
    besides its files (`JobInput`); `result` names what it made: a project, documents, or a file in the private
    job-results folder (served once to `user_id`)."""

    id: str = Field(primary_key=True, max_length=32)  # random, so ids cannot be guessed or counted
    project_id: Optional[int] = Field(default=None, foreign_key="project.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=40)
    status: str = Field(default="queued", max_length=20, index=True)  # queued, running, done, failed
    progress: float = 0.0
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)  # the running worker touches it; a stale one has died
    finished_at: Optional[datetime] = None
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    attempts: int = 0  # how many times a worker has claimed it
    worker: str = Field(default="", max_length=80)  # the worker running it ("host:pid")


class JobInput(SQLModel, table=True):
    """A file a queued job reads (an upload, a report template), in the database so that a worker on any machine
    can claim the job; deleted when the job ends."""

    id: Optional[int] = Field(default=None, primary_key=True)
    job_id: str = Field(sa_column=Column(Text, ForeignKey("job.id", ondelete="CASCADE"), nullable=False, index=True))
    position: int = 0
    name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
