"""Reading a project's coding back: retrieving coded quotes, saved queries, counts, matrices and charts.

Owns `retrieval` (coded quotes as plain data: filters, ordering, participant tags), `queries` (saved retrievals
and the pseudonym list), `pseudonyms` (replacing names and places in report text, finding likely personal
data), `counts` (co-occurrence, codes by attribute, the values pyramid), `charts` (SVG and PNG figures),
`page_data` (the analysis page's matrices and charts) and `overview` (the project list and a project's
overview). May import models, db, store, text, codebook and team.
"""
