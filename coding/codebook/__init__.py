"""The codes themselves, as data: framework files, the code tree and code colours.

Owns `frameworks` (loading and checking frameworks/*.yaml), `codetree` (what sits under what, read from each
code's `parent_key`) and `palette` (distinct colours, tints and lines). Pure: it imports nothing else in coding/;
storing codes is `coding.store.codes`.
"""
