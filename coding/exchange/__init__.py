"""Files in and out: importing transcripts and REFI-QDA projects, exporting Word, Excel, CSV and REFI-QDA.

Owns `batch_import` (many transcripts at once, participant attributes from CSV), `refi_plan` / `refi_import` /
`refi_export` (REFI-QDA .qdc and .qdpx), `downloads` (each report file gathered and pseudonymised) and the
writers `docx`, `xlsx`, `csv` and `memos_docx`. May import models, db, limits, store, text, codebook, team and
analysis.
"""
