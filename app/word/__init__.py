"""The Word round trip: a convention exported as .docx (with revision marks and comments),
a document coming back as contributions, discussions or revisions, a new convention from
a Word draft."""
