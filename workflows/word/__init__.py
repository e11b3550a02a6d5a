"""The Word round trip: a convention exported as .docx with native revision marks and
comments, and .docx files (drafts, partners' revisions) read back into sections and
contributions. Plain values in and out, python-docx underneath; no Flask."""
