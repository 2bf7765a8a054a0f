"""People working together: accounts and sign-in, who may see what, progress, and comparing coders.

Owns `accounts` (users, tokens, roles, assignments), `signin` (passwords, sessions), `visibility` (the `Scope`
every read of codings takes), `progress` (statuses and memos a reader may see), `agreement` and `unitizing` (the
statistics), `agreement_report` (agreement across a project's transcripts) and `reconcile` (the consensus
layer). May import models, db, store, text and codebook.
"""
