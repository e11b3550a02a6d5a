"""The lifecycle of a convention: its steps, signatures, the signed text, avenants, deadlines."""
