"""Every query and every change, in one place to import from (`from coding import store`).

Each change writes its event in the same transaction; `store.atomic` groups several changes into one.
The parts: base (errors, events, transactions), projects, codebook, documents, codings, events.
"""

from coding.store.base import CLASH, Conflict, Invalid, NotFound, NotYours, atomic, clashing
from coding.store.checks import MEMO_LIMIT
from coding.store.codebook import CODE_FIELDS, add_code, get_code, merge_code, project_codes, update_code
from coding.store.codings import (add_coding, code_usage, coder_layer, coding_counts, consensus_layer,
                                  document_coding_count, document_codings,
                                  get_coding, layer_has_codings, layer_owners, project_codings, remove_coding,
                                  set_memo)
from coding.store.documents import (document_participant, document_turns, get_document, get_participant,
                                    import_document, list_documents, list_participants, set_attributes,
                                    set_document_participant, set_interpreted, set_interviewers, text_digest)
from coding.store.turns import (coded_turns, coding_spans, codings_overlapping, layer_counts, speakers, turn_at,
                                turn_at_time, turn_count, turn_range, turn_spans, turns_in,
                                turns_overlapping)
from coding.store.events import CODEBOOK, UNDOABLE, describe, last_undoable, list_events, undo_hint, undo_last, undone_message
from coding.store.wording import Wording, quote
from coding.store.projects import (create_project, ensure_user, find_project, get_project, get_user,
                                   list_projects, list_users, set_blind)

__all__ = [
    "CLASH",
    "CODEBOOK",
    "CODE_FIELDS",
    "MEMO_LIMIT",
    "Conflict",
    "Invalid",
    "NotFound",
    "NotYours",
    "UNDOABLE",
    "Wording",
    "add_code", "merge_code",
    "add_coding",
    "atomic",
    "clashing",
    "code_usage",
    "coded_turns", "coding_spans", "codings_overlapping", "layer_counts", "speakers", "turn_at", "turn_at_time", "turn_count", "turn_range", "turn_spans",
    "turns_in", "turns_overlapping",
    "coder_layer",
    "coding_counts",
    "consensus_layer",
    "create_project",
    "describe",
    "document_coding_count",
    "document_codings",
    "document_participant",
    "document_turns",
    "ensure_user",
    "find_project",
    "get_code",
    "get_coding",
    "get_document",
    "get_participant",
    "get_project",
    "get_user",
    "import_document",
    "last_undoable",
    "layer_has_codings",
    "layer_owners",
    "list_documents",
    "list_events",
    "list_participants",
    "list_projects",
    "list_users",
    "project_codes",
    "project_codings",
    "quote",
    "remove_coding",
    "set_attributes",
    "set_blind",
    "set_document_participant",
    "set_interpreted",
    "set_interviewers",
    "set_memo",
    "text_digest",
    "undo_hint",
    "undo_last",
    "undone_message",
    "update_code",
]
