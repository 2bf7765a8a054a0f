"""Coding one transcript on its page: what the page shows and the coder's tools on it.

Owns `rendering` (turns swept into runs with their codings), `chunks` (a screenful of turns at a time), `finding`
(find and outline), `layers` (whose codings are on screen), `stripes`, `shortcuts` (pinned number keys) and
`recordings` (a transcript's audio or video). May import models, db, limits, store, text, codebook, team and suggest.
"""
