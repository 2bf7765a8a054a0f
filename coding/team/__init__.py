"""People working together: accounts and sign-in, who may see what, progress, and comparing coders.

Owns `accounts` (users, tokens, roles, assignments), `signin` (passwords, sessions), `visibility` (the `Scope`
every read of codings takes), `progress` (statuses and memos a reader may see), `agreement` and `unitizing` (the
statistics), `agreement_report` (agreement across a project's transcripts), `reconcile` (the consensus
layer), `consent` (what participants agreed to, obeyed by every export) and `journal` (researchers' reflexive
journals and the milestones that prompt them). May import models, db, store, text and codebook.
"""
