"""Ingestion: a file's text as blocks, cleaned of extraction noise, split into passages."""
