"""A transcript's text: reading files into normalised text and speaker turns, span arithmetic, the spaCy pipeline.

Owns `transcripts` (readers for .txt/.docx/.odt/.vtt/.srt), `office` (Word and OpenDocument paragraphs), `spans`
(half-open code-point offsets: runs, overlap, clipping) and `nlp` (sentences and lemmas). Pure functions over
plain data: it may import only `coding.limits`, never the database or any other package.
"""
