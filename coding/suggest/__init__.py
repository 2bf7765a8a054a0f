"""Code suggestions: scoring text against the codebook, and what a coder is shown of them.

Owns `scoring` (the explainable keyword scorer and its learned weights), `review` (which suggestions a coder
sees; accepting, rejecting, retraining), `cache` (suggestions kept per block of turns) and `examples` (JSON-lines
input). A suggestion becomes a coding only through `review.accept`. May import models, db, store, text and codebook.
"""
